"""Each domain service's OpenAPI documents every endpoint, with examples, every error as
problem+json and every /v1 path behind a bearer token; and no input produces a 500:
schemathesis against the service's own OpenAPI, the service running in its own process on
real PostgreSQL and NATS, its generation widened by `devstack.fuzz_hooks` to calendar-edge
instants and unstorable text (see also test_hostile_input.py, which sends every such value
to every field)."""

from __future__ import annotations

import httpx
import pytest

from devstack.services import CAPACITY, FAMILY_COUNSELLING, FOSTER_CARE
from devstack.testing import ServedService, fuzz

SERVICES = (CAPACITY, FOSTER_CARE, FAMILY_COUNSELLING)


@pytest.fixture(scope="module", params=SERVICES, ids=lambda service: service.name)
async def served(request, environment):
    service = ServedService(request.param, await environment.settings_env(request.param))
    service.start()
    yield service
    service.stop()


def test_every_operation_is_documented_with_examples(served):
    spec = httpx.get(f"{served.url}/openapi.json").json()
    schemas = spec["components"]["schemas"]
    missing = []
    assert any(path.startswith("/v1/") for path in spec["paths"])
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            if not operation.get("summary"):
                missing.append(f"{name}: summary")
            body = operation.get("requestBody")
            if body:
                content = next(iter(body["content"].values()))
                ref = content["schema"].get("$ref", "")
                schema = schemas.get(ref.rsplit("/", 1)[-1], content["schema"])
                if not (schema.get("examples") or content.get("examples")):
                    missing.append(f"{name}: request example")
            for status, response in operation["responses"].items():
                if status.isdigit() and int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], name
            if path.startswith("/v1/"):
                assert operation.get("security"), f"{name} is not behind a bearer token"
    assert missing == []


def test_no_input_produces_a_server_error(served, token, scratch_dir):
    report = scratch_dir / f"schemathesis-{served.service.name}"
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
