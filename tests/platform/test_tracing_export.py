"""With an exporter set, spans are recorded and exported: the request's server span and its
SQL statements, in the caller's trace."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from devstack.services import CAPACITY
from devstack.testing import ServedService

from .helpers import institution_body, placement_request_body, traceparent


@pytest.fixture(scope="module")
async def exporting(environment):
    env = await environment.settings_env(CAPACITY, otel_traces_exporter="console", log_level="INFO")
    service = ServedService(CAPACITY, env).start()
    yield service
    service.stop()


def test_spans_are_exported_in_the_callers_trace(exporting, auth):
    header, trace_id = traceparent()
    response = httpx.post(
        f"{exporting.url}/v1/institutions",
        json=institution_body(),
        headers={**auth("national-admin"), "traceparent": header},
    )
    assert response.status_code == 201
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:  # the batch processor exports every few seconds
        output = exporting.log_path.read_text()
        if output.count(f'"trace_id": "0x{trace_id}"') >= 2:
            break
        time.sleep(0.3)
    output = exporting.log_path.read_text()
    assert f'"trace_id": "0x{trace_id}"' in output
    assert '"kind": "SpanKind.SERVER"' in output
    assert '"db.system' in output  # SQL statements have spans of their own


def test_sql_sent_past_sqlalchemy_has_spans_too(exporting, auth):
    """Hot reads go to asyncpg directly (no SQLAlchemy instrumentation): they make their own."""
    headers = auth("national-admin")
    created = httpx.post(
        f"{exporting.url}/v1/placement-requests", json=placement_request_body(), headers=headers
    )
    assert created.status_code == 201, created.text
    header, trace_id = traceparent()
    read = httpx.get(
        f"{exporting.url}/v1/placement-requests/{created.json()['id']}",
        headers={**headers, "traceparent": header},
    )
    assert read.status_code == 200
    deadline = time.monotonic() + 15
    spans: list[dict] = []
    while time.monotonic() < deadline:
        spans = [span for span in exported_spans(exporting) if trace_id in str(span)]
        if any(span["name"] == "SELECT" for span in spans):
            break
        time.sleep(0.3)
    names = {span["name"] for span in spans}
    assert "SELECT" in names, names  # the request and its confirmations
    assert "INSERT unit of work" in names, names  # the audit entry of the read


def exported_spans(service: ServedService) -> list[dict]:
    """The console exporter's spans: JSON objects, one after another, among log lines."""
    decoder, text, spans, index = json.JSONDecoder(), service.log_path.read_text(), [], 0
    while (start := text.find('{\n    "name"', index)) != -1:
        span, index = decoder.raw_decode(text, start)
        spans.append(span)
    return spans
