"""HTTP conventions that are not errors: the create answer, and the limit on request bodies."""

from __future__ import annotations

from fastapi import HTTPException, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.errors import problem_response
from common.etag import etag_of


def created(response: Response, location: str, version: int | None = None) -> None:
    """The create answer's headers (the status, 201, is the route's): where the new
    resource can be read, and its ETag when it can be changed."""
    response.headers["Location"] = location
    if version is not None:
        response.headers["ETag"] = etag_of(version)


def _too_large(limit: int) -> str:
    return f"The request body is larger than {limit} bytes."


class BodyLimitMiddleware:
    """Refuses a body over `max_bytes` before anything reads it whole: at once (413) when
    `Content-Length` says so, else as soon as the bytes streamed in pass the limit. Nothing
    larger is held in memory or parsed, and no token is checked for it. (Starlette's own
    limit, FastAPI's `max_body_size`, waits until the route reads the body: a route that
    never does runs first, token check and database included, then answers 413 in plain
    text.)"""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.max_bytes:
                    detail = _too_large(self.max_bytes)
                    if not value.isdigit():
                        detail = "Content-Length is not a number of bytes."
                    status = 413 if value.isdigit() else 400
                    response = problem_response(status, detail=detail, instance=scope["path"])
                    await response(scope, receive, send)
                    return
                break
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI lets its own HTTPException through body parsing as it is.
                    raise HTTPException(413, _too_large(self.max_bytes))
            return message

        await self.app(scope, counting_receive, send)
