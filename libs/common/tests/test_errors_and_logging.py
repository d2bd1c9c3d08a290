from __future__ import annotations

import json
import logging

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace

from common.errors import PreconditionFailed, install_problem_handlers
from common.etag import check_if_match, etag_of
from common.logging import configure_logging
from common.telemetry import configure_tracing


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


def test_json_logs_carry_the_trace_id(capsys):
    configure_tracing("test", "none")
    configure_logging("test-service", "INFO", "json")
    logger = logging.getLogger("test.logging")
    with trace.get_tracer("t").start_as_current_span("work") as span:
        logger.info("hello", extra={"placement_request_id": "abc"})
        trace_id = format(span.get_span_context().trace_id, "032x")
    line = capsys.readouterr().out.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["message"] == "hello"
    assert record["level"] == "INFO"
    assert record["trace_id"] == trace_id
    assert record["service"] == "test-service"
    assert record["placement_request_id"] == "abc"


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
