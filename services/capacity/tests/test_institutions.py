"""Institutions and effective-dated place contracts."""

from __future__ import annotations

from devstack.services import CAPACITY
from devstack.testing import fetch

from . import factories


async def test_the_region_follows_from_the_municipality(api, capacity, admin):
    created = await api.institution(municipality_number="5501")  # Tromsø
    assert created["region"] == "nord"
    wrong = await capacity.post(
        "/v1/institutions",
        headers=admin,
        json=factories.institution(municipality_number="5501", region="vest"),
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "region"


async def test_functions_are_a_set_of_known_values(capacity, admin):
    for functions in ([], ["acute", "acute"], ["prison"]):
        response = await capacity.post(
            "/v1/institutions", headers=admin, json=factories.institution(functions=functions)
        )
        assert response.status_code == 422, functions
        assert response.json()["errors"][0]["field"].startswith("functions")


async def test_who_may_register(capacity, auth):
    body = factories.institution(municipality_number="0301")
    assert (
        await capacity.post("/v1/institutions", json=body, headers=auth("region-vest"))
    ).status_code == 403
    assert (
        await capacity.post("/v1/institutions", json=body, headers=auth("municipality-0301"))
    ).status_code == 403
    assert (
        await capacity.post("/v1/institutions", json=body, headers=auth("region-ost"))
    ).status_code == 201


async def test_overlapping_contracts_are_a_conflict(api, capacity, admin):
    institution = await api.institution()
    path = f"/v1/institutions/{institution['id']}/place-contracts"
    first = await capacity.post(
        path, headers=admin, json=factories.contract(valid_from="2024-01-01", valid_to="2024-06-30")
    )
    assert first.status_code == 201
    overlapping = await capacity.post(
        path, headers=admin, json=factories.contract(valid_from="2024-06-01", valid_to=None)
    )
    assert overlapping.status_code == 409
    assert overlapping.headers["content-type"] == "application/problem+json"
    # Adjacent periods, or another contract type, are fine.
    assert (
        await capacity.post(path, headers=admin, json=factories.contract(valid_from="2024-07-01"))
    ).status_code == 201
    assert (
        await capacity.post(
            path,
            headers=admin,
            json=factories.contract(contract_type="framework", valid_from="2024-03-01"),
        )
    ).status_code == 201
    bad_period = await capacity.post(
        path, headers=admin, json=factories.contract(valid_from="2025-02-01", valid_to="2025-01-01")
    )
    assert bad_period.status_code == 422
    no_function = await capacity.post(
        path,
        headers=admin,
        json=factories.contract(function="substance_use", valid_from="2030-01-01"),
    )
    assert no_function.status_code == 422
    assert no_function.json()["errors"][0]["field"] == "function"


async def test_a_contract_is_ended_with_if_match(api, capacity, admin, environment):
    institution = await api.institution()
    created = await capacity.post(
        f"/v1/institutions/{institution['id']}/place-contracts",
        headers=admin,
        json=factories.contract(),
    )
    location = created.headers["location"]
    read = await capacity.get(location, headers=admin)
    assert read.status_code == 200
    assert read.json() == created.json()
    stale = await capacity.patch(
        location, headers={**admin, "If-Match": '"5"'}, json={"valid_to": "2025-12-31"}
    )
    assert stale.status_code == 412
    ended = await capacity.patch(
        location,
        headers={**admin, "If-Match": read.headers["etag"]},
        json={"valid_to": "2025-12-31"},
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["valid_to"] == "2025-12-31"
    assert ended.json()["version"] == 2
    events = await fetch(
        await environment.database(CAPACITY),
        "SELECT convert_from(payload, 'UTF8') AS body FROM outbox "
        "WHERE subject = 'capacity.place_contract.changed.v1' "
        "AND convert_from(payload, 'UTF8') LIKE $1 ORDER BY created_at",
        f"%{created.json()['id']}%",
    )
    assert [
        ('"change":"created"' in e["body"], '"change":"updated"' in e["body"]) for e in events
    ] == [(True, False), (False, True)]
