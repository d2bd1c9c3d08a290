"""Pagination: `?limit=&cursor=` → `{"items": [...], "next_cursor": ...}`.

Lists in creation order page by key (`PageRequest`): ids are UUIDv7, so ordering by id is
creation order and the cursor is the last id seen. Lists in a computed order (a ranking) page
by position (`OffsetPageRequest`). Cursors are wrapped so clients treat them as opaque.
Both are query models (`page: Annotated[PageRequest, Query()]`): validated in one pass, not
solved as a dependency of their own on every request."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

T = TypeVar("T")
U = TypeVar("U")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
_NOT_OURS = "is not a cursor this API gave out"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


def encode_cursor(last_id: UUID) -> str:
    return base64.urlsafe_b64encode(b"v1:" + last_id.bytes).decode().rstrip("=")


def _unwrapped(cursor: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise PydanticCustomError("cursor", _NOT_OURS) from None


def _id_of(cursor: str) -> UUID:
    raw = _unwrapped(cursor)
    if not raw.startswith(b"v1:") or len(raw) != 19:
        raise PydanticCustomError("cursor", _NOT_OURS)
    return UUID(bytes=raw[3:])


class _Page(BaseModel):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    cursor: str | None = Field(None, max_length=200, description="From `next_cursor`.")

    # What a cursor of this kind of page holds; a cursor it cannot read is a 422.
    _position_of: ClassVar[staticmethod[[str], object]]

    @field_validator("cursor")
    @classmethod
    def _ours(cls, cursor: str | None) -> str | None:
        if cursor:
            cls._position_of(cursor)
        return cursor or None


class PageRequest(_Page):
    """A page of a list in creation order."""

    _position_of = staticmethod(_id_of)

    @property
    def after(self) -> UUID | None:
        """The last id of the previous page."""
        return _id_of(self.cursor) if self.cursor else None


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


def _offset_of(cursor: str) -> int:
    try:
        raw = _unwrapped(cursor).decode()
        if not raw.startswith("o1:"):
            raise ValueError(raw)
        offset = int(raw[3:])
    except (ValueError, UnicodeDecodeError):
        raise PydanticCustomError("cursor", _NOT_OURS) from None
    if not 0 <= offset <= 1_000_000:
        raise PydanticCustomError("cursor", _NOT_OURS)
    return offset


class OffsetPageRequest(_Page):
    """A page of a list in a computed order (a ranking), where a position is the cursor."""

    _position_of = staticmethod(_offset_of)

    @property
    def offset(self) -> int:
        return _offset_of(self.cursor) if self.cursor else 0

    def next_cursor(self, returned: int) -> str | None:
        """The cursor after this page, given how many rows came back (up to `limit + 1`)."""
        if returned <= self.limit:
            return None
        return base64.urlsafe_b64encode(f"o1:{self.offset + self.limit}".encode()).decode()
