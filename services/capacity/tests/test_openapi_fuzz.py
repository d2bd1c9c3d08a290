"""No input produces a 500: schemathesis against capacity's own OpenAPI, with the service
running in its own process on real PostgreSQL and NATS, its generation widened by
`fuzz_hooks` to calendar-edge instants and unstorable text (see also
tests/platform/test_hostile_input.py, which sends every such value to every field)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.services import CAPACITY
from devstack.testing import ServedService


@pytest.fixture(scope="module")
async def served(environment):
    service = ServedService(CAPACITY, await environment.settings_env(CAPACITY)).start()
    yield service
    service.stop()


def test_no_input_produces_a_server_error(served, token, scratch_dir):
    report = scratch_dir / "schemathesis"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{served.url}/openapi.json",
            "--checks",
            "not_a_server_error,content_type_conformance,"
            "response_schema_conformance,status_code_conformance",
            "--header",
            f"Authorization: Bearer {token('national-admin')}",
            "--max-examples",
            "40",
            "--seed",
            "20261122",
            "--no-color",
            "--generation-database",
            "none",
            "--report",
            "junit",
            "--report-dir",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=scratch_dir,  # schemathesis keeps state in ./.schemathesis
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": "fuzz_hooks",
            "PYTHONPATH": str(Path(__file__).parent),
        },
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    log = served.log_path.read_text()
    assert "Traceback" not in log, log[-4000:]
