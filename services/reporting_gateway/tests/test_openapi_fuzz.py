"""No input produces a 500 at the gateway's own endpoints (KPIs, revisions, reports,
submissions, deviations, budgets, freshness): schemathesis against its OpenAPI, the gateway
running in its own process on real PostgreSQL and NATS. The proxied services are fuzzed at
their own OpenAPI."""

from __future__ import annotations

import pytest

from devstack.services import GATEWAY
from devstack.testing import ServedService, fuzz


@pytest.fixture(scope="module")
async def served(environment):
    service = ServedService(GATEWAY, await environment.settings_env(GATEWAY)).start()
    yield service
    service.stop()


def test_no_input_produces_a_server_error(served, token, scratch_dir):
    result = fuzz(
        served.url,
        token("national-admin"),
        scratch_dir,
        "--include-path-regex",
        "^/v1/(kpis|reports|deviations|day-price-budgets|freshness)",
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    log = served.log_path.read_text()
    assert "Traceback" not in log, log[-4000:]
