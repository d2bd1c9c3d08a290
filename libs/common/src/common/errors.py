"""RFC 9457 problem details for every error the platform answers.

Services raise the exceptions below; `install_problem_handlers` turns them, FastAPI's
validation errors, Starlette's HTTP errors (404, 405, …) and anything unexpected (500,
without internals) into `application/problem+json`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from opentelemetry import trace
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common import clock

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://bufdir.no/problems/"


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the offending field, e.g. `children.0.age`.")
    message: str = Field(description="The rule the value broke.")


class Problem(BaseModel):
    """The error body (RFC 9457)."""

    type: str = Field(examples=[PROBLEM_BASE + "validation-error"])
    title: str = Field(examples=["Request is not valid"])
    status: int = Field(examples=[422])
    detail: str | None = Field(None, examples=["birth_date: must not be in the future"])
    instance: str | None = None
    errors: list[FieldError] | None = None
    trace_id: str | None = Field(None, description="Quote it when asking for help.")


class ProblemError(Exception):
    """Base of the errors a service raises on purpose."""

    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.headers = headers or {}
        self.extra = extra or {}


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str, **kwargs: Any) -> None:
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        super().__init__(detail, headers=headers, **kwargs)


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict with the current state"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "The resource has changed"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "If-Match is required"


class InvalidInput(ProblemError):
    """A rule about the input that the schema alone cannot express (422)."""

    status, slug, title = 422, "validation-error", "Request is not valid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", errors=[FieldError(field=field, message=message)])


def ensure_not_in_future(field: str, when: datetime | date) -> None:
    """422 naming `field` for an instant after now (a few minutes of clock skew allowed) or
    a day after today in Oslo: what happened cannot be recorded before it happens."""
    if isinstance(when, datetime):
        future = when > clock.now() + clock.CLOCK_SKEW
    else:
        future = when > clock.today_in_oslo()
    if future:
        raise InvalidInput(field, "must not be in the future")


def problem_response(
    status: int,
    *,
    slug: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    errors: Sequence[FieldError] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (slug or phrase.lower().replace(" ", "-")),
        "title": title or phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = [error.model_dump() for error in errors]
    if extra:
        body.update(extra)
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        body["trace_id"] = format(span_context.trace_id, "032x")
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _field_path(location: Sequence[int | str]) -> str:
    """`("body", "children", 0, "age")` → `children.0.age`; query/header/path keep the name."""
    parts = list(location)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or "body"


def validation_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for error in exc.errors():
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "json_invalid":
            message = "body is not valid JSON"
        errors.append(FieldError(field=_field_path(error.get("loc", ())), message=message))
    return errors


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        instance=request.url.path,
        headers=exc.headers,
        extra=exc.extra,
    )


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc)
    detail = "; ".join(f"{error.field}: {error.message}" for error in errors)
    return problem_response(
        422,
        slug="validation-error",
        title="Request is not valid",
        detail=detail,
        errors=errors,
        instance=request.url.path,
    )


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 400 and detail == "There was an error parsing the body":
        # Undecodable bytes are invalid input like malformed JSON: answer the same way.
        error = FieldError(field="body", message="body is not valid JSON")
        return problem_response(
            422,
            slug="validation-error",
            title="Request is not valid",
            detail="body: body is not valid JSON",
            errors=[error],
            instance=request.url.path,
        )
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}"
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    return problem_response(
        exc.status_code, detail=detail, instance=request.url.path, headers=dict(exc.headers or {})
    )


def problem_for(method: str, path: str, exc: BaseException) -> Response:
    """The answer to an exception no handler claimed: 503 + Retry-After while the database
    is away (the request changed nothing and can be retried), else 500, logged with its
    traceback once, without internals for the client."""
    from common.db import is_transient

    if is_transient(exc):
        log.warning("database unavailable on %s %s: %r", method, path, exc)
        return problem_response(
            503,
            slug="unavailable",
            title="Service unavailable",
            detail="The database is unavailable; retry shortly.",
            instance=path,
            headers={"Retry-After": "1"},
        )
    log.error("unhandled error on %s %s", method, path, exc_info=exc)
    return problem_response(
        500,
        slug="internal-error",
        title="Internal error",
        detail="Something went wrong on our side; it has been logged.",
        instance=path,
    )


class UnhandledErrorMiddleware:
    """Answers what escaped every handler (see `problem_for`) and ends the request there.
    Starlette's own last resort answers too but then re-raises, and the server closes the
    keep-alive connection: a proxy's next request on it would fail."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, noting_start)
        except Exception as exc:
            if started:  # half an answer is out: only closing the connection can tell
                raise
            response = problem_for(scope["method"], scope["path"], exc)
            await response(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    # Everything else, database outages included: `UnhandledErrorMiddleware`.
    app.add_middleware(UnhandledErrorMiddleware)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the problem answers of an operation."""
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": HTTPStatus(status).phrase,
        }
        for status in statuses
    }
