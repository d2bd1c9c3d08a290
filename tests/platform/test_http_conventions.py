"""The HTTP conventions every service follows: tokens and scopes, problem details,
Idempotency-Key, cursor pagination, health and metrics."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from devstack.services import CAPACITY
from devstack.testing import fetch

from .helpers import institution_body

PROBLEM = "application/problem+json"
OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture(scope="module")
async def capacity(start_service):
    return await start_service(CAPACITY)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    return body


async def test_no_token_is_401_problem(capacity):
    response = await capacity.get("/v1/institutions")
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "bearer token" in body["detail"]


@pytest.mark.parametrize("mangle", ["garbage", "signature", "expired", "audience", "issuer"])
async def test_bad_tokens_are_401(capacity, issuer, token, mangle):
    good = token("national-admin")
    bad = {
        "garbage": "not-a-jwt",
        "signature": good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
        "expired": issuer.mint("national-admin", {"capacity.read"}, lifetime_seconds=-120),
        "audience": issuer.mint("national-admin", {"capacity.read"}, audience="someone-else"),
        "issuer": _with_issuer(issuer, "http://evil.example"),
    }[mangle]
    response = await capacity.get("/v1/institutions", headers={"Authorization": f"Bearer {bad}"})
    assert_problem(response, 401)


def _with_issuer(issuer, other: str) -> str:
    original = issuer.issuer
    issuer.issuer = other
    try:
        return issuer.mint("national-admin", {"capacity.read"})
    finally:
        issuer.issuer = original


async def test_missing_scope_is_403_problem(capacity, auth):
    response = await capacity.post(
        "/v1/institutions", json=institution_body(), headers=auth("dashboard-vest")
    )
    body = assert_problem(response, 403)
    assert "capacity.write" in body["detail"]
    narrowed = auth("national-admin", scope="capacity.read")
    assert_problem(
        await capacity.post("/v1/institutions", json=institution_body(), headers=narrowed), 403
    )


async def test_validation_errors_name_each_field(capacity, auth):
    response = await capacity.post(
        "/v1/institutions",
        headers=auth("national-admin"),
        json={"name": "", "municipality_number": "9999", "ownership": "royal", "functions": []},
    )
    body = assert_problem(response, 422)
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"name", "municipality_number", "ownership", "functions"}
    municipality = next(e for e in body["errors"] if e["field"] == "municipality_number")
    assert "9999" in municipality["message"]


async def test_malformed_json_is_422_not_500(capacity, auth):
    response = await capacity.post(
        "/v1/institutions",
        content=b"{not json",
        headers={**auth("national-admin"), "content-type": "application/json"},
    )
    assert_problem(response, 422)


async def test_unknown_route_and_method_are_problems(capacity, auth):
    assert_problem(await capacity.get("/v1/nothing-here", headers=auth("national-admin")), 404)
    assert_problem(await capacity.delete("/v1/institutions", headers=auth("national-admin")), 405)


async def test_unknown_id_is_404_and_bad_id_is_422(capacity, auth):
    headers = auth("national-admin")
    assert_problem(
        await capacity.get(
            "/v1/institutions/0190a1a1-0000-7000-8000-000000000000", headers=headers
        ),
        404,
    )
    body = assert_problem(await capacity.get("/v1/institutions/42", headers=headers), 422)
    assert body["errors"][0]["field"] == "institution_id"


async def test_idempotency_key_replays_the_first_answer(capacity, auth, environment):
    headers = {**auth("national-admin"), "Idempotency-Key": "key-1"}
    body = institution_body()
    first = await capacity.post("/v1/institutions", json=body, headers=headers)
    second = await capacity.post("/v1/institutions", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    rows = await fetch(
        await environment.database(CAPACITY),
        "SELECT count(*) AS n FROM institution WHERE name = $1",
        body["name"],
    )
    assert rows[0]["n"] == 1
    outbox = await fetch(
        await environment.database(CAPACITY),
        "SELECT count(*) AS n FROM outbox WHERE convert_from(payload, 'UTF8') LIKE $1",
        f"%{first.json()['id']}%",
    )
    assert outbox[0]["n"] == 1

    different = await capacity.post(
        "/v1/institutions", json={**body, "name": "Annet"}, headers=headers
    )
    assert "Idempotency-Key" in assert_problem(different, 409)["detail"]


async def test_same_key_from_another_client_is_another_request(capacity, auth):
    body = institution_body(municipality_number="4601")
    first = await capacity.post(
        "/v1/institutions",
        json=body,
        headers={**auth("national-admin"), "Idempotency-Key": "shared"},
    )
    other = await capacity.post(
        "/v1/institutions", json=body, headers={**auth("region-vest"), "Idempotency-Key": "shared"}
    )
    assert first.status_code == other.status_code == 201
    assert first.json()["id"] != other.json()["id"]


async def test_concurrent_retries_with_one_key_create_one_row(capacity, auth, environment):
    headers = {**auth("national-admin"), "Idempotency-Key": "concurrent"}
    body = institution_body()
    responses = await asyncio.gather(
        *(capacity.post("/v1/institutions", json=body, headers=headers) for _ in range(8))
    )
    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["id"] for response in responses}) == 1
    rows = await fetch(
        await environment.database(CAPACITY),
        "SELECT count(*) AS n FROM institution WHERE name = $1",
        body["name"],
    )
    assert rows[0]["n"] == 1


async def test_failed_request_does_not_burn_the_key(capacity, auth):
    headers = {**auth("national-admin"), "Idempotency-Key": "fix-and-retry"}
    bad = await capacity.post(
        "/v1/institutions", json=institution_body(ownership="royal"), headers=headers
    )
    assert bad.status_code == 422
    good = await capacity.post("/v1/institutions", json=institution_body(), headers=headers)
    assert good.status_code == 201


async def test_invalid_idempotency_key_is_422(capacity, auth):
    response = await capacity.post(
        "/v1/institutions",
        json=institution_body(),
        headers={**auth("national-admin"), "Idempotency-Key": "x" * 300},
    )
    assert assert_problem(response, 422)["errors"][0]["field"] == "Idempotency-Key"


async def test_cursor_pagination_walks_every_item_once(capacity, auth):
    headers = auth("national-admin")
    created = set()
    for _ in range(5):
        response = await capacity.post(
            "/v1/institutions", headers=headers, json=institution_body(ownership="municipal")
        )
        created.add(response.json()["id"])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "ownership": "municipal"}
        if cursor:
            params["cursor"] = cursor
        page = (await capacity.get("/v1/institutions", params=params, headers=headers)).json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert set(seen) == created
    bad = await capacity.get("/v1/institutions", params={"cursor": "nonsense"}, headers=headers)
    assert assert_problem(bad, 422)["errors"][0]["field"] == "cursor"
    too_many = await capacity.get("/v1/institutions", params={"limit": 501}, headers=headers)
    assert assert_problem(too_many, 422)["errors"][0]["field"] == "limit"


async def test_health_and_metrics(capacity, auth):
    assert (await capacity.get("/healthz")).json() == {"status": "ok"}
    ready = await capacity.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "nats": "ok"}
    await capacity.get("/v1/institutions", headers=auth("national-admin"))
    text = (await capacity.get("/metrics")).text
    assert (
        'http_requests_total{method="GET",route="/v1/institutions",service="capacity",status="200"}'
    ) in text
    assert "http_request_duration_seconds" in text
    assert 'outbox_backlog{service="capacity"}' in text
    assert 'outbox_oldest_unsent_age_seconds{service="capacity"}' in text


def instants_in(value) -> list[str]:
    """Every ISO 8601 instant (with a time and an offset) anywhere in a JSON answer."""
    if isinstance(value, dict):
        return [found for item in value.values() for found in instants_in(item)]
    if isinstance(value, list):
        return [found for item in value for found in instants_in(item)]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+([+-]\d\d:\d\d|Z)", value):
        return [value]
    return []


async def test_every_instant_is_answered_in_oslo_time(capacity, auth):
    headers = auth("national-admin")
    institution = await capacity.post("/v1/institutions", json=institution_body(), headers=headers)
    contract = await capacity.post(
        f"/v1/institutions/{institution.json()['id']}/place-contracts",
        json={
            "function": "acute",
            "contract_type": "state",
            "budgeted_places": 2,
            "valid_from": "2024-01-01",
            "valid_to": None,
            "day_price_nok": "15200.00",
        },
        headers=headers,
    )
    answers = [
        institution.json(),
        contract.json(),
        (await capacity.get("/v1/institutions", headers=headers)).json(),
        (await capacity.get(contract.headers["location"], headers=headers)).json(),
    ]
    found = [instant for answer in answers for instant in instants_in(answer)]
    assert found
    for instant in found:
        parsed = datetime.fromisoformat(instant)
        assert parsed.utcoffset() == parsed.astimezone(OSLO).utcoffset(), instant
