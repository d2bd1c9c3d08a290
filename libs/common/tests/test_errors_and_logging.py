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

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
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
