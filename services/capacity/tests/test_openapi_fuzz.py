"""No input produces a 500: schemathesis against capacity's own OpenAPI, with the service
running in its own process on real PostgreSQL and NATS, its generation widened by
`devstack.fuzz_hooks` to calendar-edge instants and unstorable text (see also
tests/platform/test_hostile_input.py, which sends every such value to every field)."""

from __future__ import annotations

import pytest

from devstack.services import CAPACITY
from devstack.testing import ServedService, fuzz


@pytest.fixture(scope="module")
async def served(environment):
    service = ServedService(CAPACITY, await environment.settings_env(CAPACITY)).start()
    yield service
    service.stop()


def test_no_input_produces_a_server_error(served, token, scratch_dir):
    report = scratch_dir / "schemathesis-capacity"
    result = fuzz(
        served.url,
        token("national-admin"),
        scratch_dir,
        "--report",
        "junit",
        "--report-dir",
        str(report),
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    log = served.log_path.read_text()
    assert "Traceback" not in log, log[-4000:]
