"""With an exporter set, spans are recorded and exported: the request's server span and its
SQL statements, in the caller's trace."""

from __future__ import annotations

import time

import httpx
import pytest

from devstack.services import CAPACITY
from devstack.testing import ServedService

from .helpers import institution_body, traceparent


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
