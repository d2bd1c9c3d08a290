"""`Idempotency-Key` on POST: the same key and body within the TTL answers the first
response and creates nothing new; the same key with another body is 409.

The key is claimed with an insert in the request's own transaction, so a concurrent retry
waits on the row until the first attempt commits (then replays it) or rolls back (then
runs itself). Only successful answers are kept; a failed attempt leaves no trace.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import orjson
from fastapi import Header
from fastapi.responses import Response
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import Conflict

HEADER = "Idempotency-Key"
_KEPT_HEADERS = ("content-type", "location", "etag")

_CLAIM = text("""
    INSERT INTO idempotency_key (client_id, key, request_hash)
    VALUES (:client_id, :key, :request_hash)
    ON CONFLICT (client_id, key) DO UPDATE
       SET request_hash = EXCLUDED.request_hash, status_code = NULL,
           response_headers = NULL, response_body = NULL, created_at = now()
     WHERE idempotency_key.created_at < now() - make_interval(secs => :ttl_seconds)
    RETURNING 1
""")
_EXISTING = text("""
    SELECT request_hash, status_code, response_headers, response_body
      FROM idempotency_key WHERE client_id = :client_id AND key = :key
""")
_STORE = text("""
    UPDATE idempotency_key
       SET status_code = :status_code, response_headers = :headers, response_body = :body
     WHERE client_id = :client_id AND key = :key
""").bindparams(bindparam("headers", type_=JSONB))


async def idempotency_key_header(
    idempotency_key: str | None = Header(
        None,
        alias=HEADER,
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Retry-safe POST: the same key and body within 24 h returns the first "
        "answer and creates nothing new; the same key with another body is 409.",
        examples=["8e0f5a52-4b1c-4f0e-9d7e-2f4b8f7d1c11"],
    ),
) -> str | None:
    return idempotency_key


def fingerprint(method: str, path: str, query: str, body: bytes) -> bytes:
    """The request's identity; JSON bodies are canonicalised so key order does not matter."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), canonical):
        digest.update(part)
        digest.update(b"\0")
    return digest.digest()


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: dict[str, str]
    body: bytes

    def replay(self) -> Response:
        return Response(
            self.body,
            status_code=self.status_code,
            headers={**self.headers, "Idempotent-Replayed": "true"},
        )


async def claim(
    session: AsyncSession, client_id: str, key: str, request_hash: bytes, ttl_seconds: float
) -> StoredResponse | None:
    """Claim the key for this request, or return the answer an earlier one got."""
    params = {"client_id": client_id, "key": key}
    claimed = await session.execute(
        _CLAIM, {**params, "request_hash": request_hash, "ttl_seconds": ttl_seconds}
    )
    if claimed.first() is not None:
        return None
    row = (await session.execute(_EXISTING, params)).one()
    if bytes(row.request_hash) != request_hash:
        raise Conflict(
            f"Idempotency-Key {key!r} was already used with a different request; "
            "use a new key for a new request."
        )
    return StoredResponse(row.status_code, row.response_headers, bytes(row.response_body))


async def store(session: AsyncSession, client_id: str, key: str, response: Response) -> None:
    headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    await session.execute(
        _STORE,
        {
            "client_id": client_id,
            "key": key,
            "status_code": response.status_code,
            "headers": headers,
            "body": bytes(response.body),
        },
    )
