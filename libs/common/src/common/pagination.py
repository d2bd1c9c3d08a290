"""Cursor (keyset) pagination: `?limit=&cursor=` → `{"items": [...], "next_cursor": ...}`.

Ids are UUIDv7, so ordering by id is creation order and the cursor is the last id seen,
wrapped so clients treat it as opaque."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel, Field

from common.errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


@dataclass(frozen=True)
class PageRequest:
    limit: int
    after: UUID | None


def encode_cursor(last_id: UUID) -> str:
    return base64.urlsafe_b64encode(b"v1:" + last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise InvalidInput("cursor", "is not a cursor this API gave out") from None
    if not raw.startswith(b"v1:") or len(raw) != 19:
        raise InvalidInput("cursor", "is not a cursor this API gave out")
    return UUID(bytes=raw[3:])


async def page_request(
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page."),
    cursor: str | None = Query(None, max_length=200, description="From `next_cursor`."),
) -> PageRequest:
    return PageRequest(limit=limit, after=decode_cursor(cursor) if cursor else None)


U = TypeVar("U")


@dataclass(frozen=True)
class Window(Generic[T]):
    """A page of rows as a repository found them, before they become answers."""

    items: list[T]
    next_cursor: str | None

    def map(self, answer: Callable[[T], U]) -> Page[U]:
        return Page[U](items=[answer(item) for item in self.items], next_cursor=self.next_cursor)


def window_of(rows: list[T], request: PageRequest, id_of: Callable[[T], UUID]) -> Window[T]:
    """The page in up to `limit + 1` rows fetched in id order (the extra row says that more
    follow)."""
    has_more = len(rows) > request.limit
    items = rows[: request.limit]
    next_cursor = encode_cursor(id_of(items[-1])) if has_more and items else None
    return Window(items, next_cursor)


@dataclass(frozen=True)
class OffsetPageRequest:
    """For lists in a computed order (a ranking), where a position is the natural cursor."""

    limit: int
    offset: int

    def next_cursor(self, returned: int) -> str | None:
        if returned <= self.limit:
            return None
        return base64.urlsafe_b64encode(f"o1:{self.offset + self.limit}".encode()).decode()


async def offset_page_request(
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page."),
    cursor: str | None = Query(None, max_length=200, description="From `next_cursor`."),
) -> OffsetPageRequest:
    offset = 0
    if cursor:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            if not raw.startswith("o1:"):
                raise ValueError(raw)
            offset = int(raw[3:])
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise InvalidInput("cursor", "is not a cursor this API gave out") from None
        if not 0 <= offset <= 1_000_000:
            raise InvalidInput("cursor", "is not a cursor this API gave out")
    return OffsetPageRequest(limit=limit, offset=offset)
