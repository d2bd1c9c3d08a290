from __future__ import annotations

import json
import logging

import httpx
import pytest
from fastapi import FastAPI

from common.errors import PreconditionFailed, install_problem_handlers
from common.etag import check_if_match, etag_of
from common.logging import configure_logging
from common.telemetry import TraceContextMiddleware, configure_tracing


async def test_unexpected_error_is_500_without_internals():
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret connection string postgres://user:pw@db")

    # The exception ends with the answer: if it went on to the server, the server would close
    # the keep-alive connection and a proxy's next request on it would fail (the transport
    # raises what the app raises).
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert response.json()["title"] == "Internal error"


async def test_json_logs_carry_the_trace_id_of_the_request(capsys):
    """A request's log lines carry its trace id: the caller's, from `traceparent`."""
    configure_tracing("test", "none")
    configure_logging("test-service", "INFO", "json")
    logger = logging.getLogger("test.logging")
    app = FastAPI()

    @app.get("/work")
    async def work() -> dict[str, str]:
        logger.info("hello", extra={"placement_request_id": "abc"})
        return {}

    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    transport = httpx.ASGITransport(app=TraceContextMiddleware(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.get("/work", headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})
        await client.get("/work")
    records = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    first, second = (record for record in records if record["message"] == "hello")
    assert first["message"] == "hello"
    assert first["level"] == "INFO"
    assert first["trace_id"] == trace_id
    assert first["service"] == "test-service"
    assert first["placement_request_id"] == "abc"
    assert second["trace_id"] not in (None, trace_id)  # a request without one gets a new trace


@pytest.mark.parametrize(
    ("if_match", "ok"),
    [
        (None, True),
        ('"3"', True),
        ('W/"3"', True),
        ('"2", "3"', True),
        ("*", True),
        ('"2"', False),
        ("3", False),
    ],
)
def test_if_match(if_match, ok):
    assert etag_of(3) == '"3"'
    if ok:
        check_if_match(if_match, 3)
    else:
        with pytest.raises(PreconditionFailed):
            check_if_match(if_match, 3)


def _wrapped(error: BaseException) -> BaseException:
    """An asyncpg error as SQLAlchemy hands it on."""
    from sqlalchemy.exc import DBAPIError

    orig = Exception(str(error))
    orig.__cause__ = error
    return DBAPIError("SELECT 1", None, orig)


@pytest.mark.parametrize(
    "error",
    [
        FileNotFoundError(2, "No such file or directory"),  # the Unix socket vanished
        ConnectionRefusedError(111, "Connection refused"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError(),
    ],
)
def test_a_vanished_socket_means_the_database_is_away(error):
    from common.db import is_transient

    assert is_transient(error)
    assert is_transient(_wrapped(error))


@pytest.mark.parametrize(
    "name",
    [
        "AdminShutdownError",
        "CannotConnectNowError",
        "CrashShutdownError",
        "ConnectionDoesNotExistError",
        "TooManyConnectionsError",
        "InternalClientError",
    ],
)
def test_a_server_shutting_down_means_the_database_is_away(name):
    import asyncpg

    from common.db import is_transient

    error = getattr(asyncpg.exceptions, name)("terminating connection")
    assert is_transient(error)
    assert is_transient(_wrapped(error))


@pytest.mark.parametrize(
    "name", ["UniqueViolationError", "CharacterNotInRepertoireError", "SyntaxOrAccessError"]
)
def test_a_statement_at_fault_is_not_an_outage(name):
    import asyncpg

    from common.db import is_transient

    assert not is_transient(_wrapped(getattr(asyncpg.exceptions, name)("bad")))


async def test_an_outage_is_503_with_retry_after_and_no_traceback(caplog):
    import asyncpg

    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/away")
    async def away() -> None:
        raise _wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection"))

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        response = await client.get("/away")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == "application/problem+json"
    assert not any(record.exc_info for record in caplog.records)
