"""`make rebuild-reports`: every stream replayed from its start into emptied read models
gives every KPI as it was, while readers keep seeing the old figures until it is done."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from common.clock import OSLO
from devstack.services import CAPACITY, GATEWAY
from devstack.testing import build_app, eventually, fetch, running
from reporting_gateway.kpis.catalogue import CATALOGUE
from reporting_gateway.projections.capacity import projection
from reporting_gateway.rebuild import rebuild

from .helpers import institution_body, placement_request_body


async def fill_capacity(capacity, headers) -> int:
    """Institutions with contracts, stays (some ended), requests (some offered): the facts
    every capacity KPI counts. Returns how many events that makes."""
    events = 0
    now = datetime.now(UTC)
    # Every admission in this Oslo year, so the year's figures count them all.
    new_year = datetime(now.astimezone(OSLO).year, 1, 1, 1, tzinfo=OSLO)
    for index in range(3):
        institution = await capacity.post(
            "/v1/institutions",
            json=institution_body(municipality_number="4601", ownership="state"),
            headers=headers,
        )
        assert institution.status_code == 201, institution.text
        institution_id = institution.json()["id"]
        contract = await capacity.post(
            f"/v1/institutions/{institution_id}/place-contracts",
            json={
                "function": "acute",
                "contract_type": "state",
                "budgeted_places": 6,
                "valid_from": f"{now.year - 1}-01-01",
                "valid_to": None,
                "day_price_nok": "15200.00",
            },
            headers=headers,
        )
        assert contract.status_code == 201, contract.text
        events += 2
        for stay_index in range(4):
            admitted = max(now - timedelta(days=random.randint(2, 40), hours=index), new_year)
            discharged = admitted + min(timedelta(days=1), (now - admitted) / 2)
            stay = await capacity.post(
                "/v1/stays",
                json={
                    "institution_id": institution_id,
                    "child_ref": f"child-{index}-{stay_index}-{random.randint(1, 10**9)}",
                    "municipality_number": "4601",
                    "birth_date": "2011-05-04",
                    "function": "acute",
                    "contract_type": "state",
                    "admitted_at": admitted.isoformat(),
                    "lives_alone": stay_index == 0,
                    "day_price_nok": "15200.00",
                },
                headers=headers,
            )
            assert stay.status_code == 201, stay.text
            events += 1
            if stay_index % 2:
                ended = await capacity.post(
                    f"/v1/stays/{stay.json()['id']}/discharge",
                    json={
                        "discharged_at": discharged.isoformat(),
                        "end_reason": "unintended" if stay_index == 3 else "planned",
                    },
                    headers=headers,
                )
                assert ended.status_code == 200, ended.text
                events += 1
        request = await capacity.post(
            "/v1/placement-requests",
            json=placement_request_body(
                municipality_number="4601", urgency="acute", function="acute"
            ),
            headers=headers,
        )
        assert request.status_code == 201, request.text
        events += 1
        if index:
            offer = await capacity.post(
                f"/v1/placement-requests/{request.json()['id']}/offers",
                json={
                    "institution_id": institution_id,
                    "function": "acute",
                    "contract_type": "state",
                    "offered_at": now.isoformat(),
                    "justification": "Nærmeste ledige plass.",
                },
                headers=headers,
            )
            assert offer.status_code == 201, offer.text
            events += 1
    return events


async def every_kpi(gateway, headers) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    year = datetime.now(OSLO).year
    for kpi_id, definition in CATALOGUE.items():
        for params in (
            {"period": str(year)},
            {"period": str(year), "region": "vest", "breakdown": definition.dimensions[0]},
        ):
            response = await gateway.get(f"/v1/kpis/{kpi_id}", params=params, headers=headers)
            assert response.status_code == 200, response.text
            answers[f"{kpi_id} {params}"] = response.json()
    return answers


async def test_a_rebuild_gives_every_kpi_as_it_was(environment, auth):
    headers = auth("national-admin")
    capacity_app = build_app(CAPACITY, await environment.settings_env(CAPACITY))
    gateway_app = build_app(GATEWAY, await environment.settings_env(GATEWAY))
    gateway_db = await environment.database(GATEWAY)
    async with running(capacity_app) as capacity, running(gateway_app) as gateway:
        events = await fill_capacity(capacity, headers)

        async def all_applied() -> None:
            rows = await fetch(gateway_db, "SELECT count(*) AS n FROM inbox")
            assert rows[0]["n"] >= events

        await eventually(all_applied)
        before = await every_kpi(gateway, headers)
        assert before[f"cap.new_stays {{'period': '{datetime.now(OSLO).year}'}}"]["value"] == 12

        # A read model gone wrong: the rebuild must bring it back from the stream alone.
        await fetch(gateway_db, "DELETE FROM capacity_stay_discharge")
        assert await every_kpi(gateway, headers) != before

        replayed = await rebuild(gateway_app.state.platform)
        assert [r.events for r in replayed] == [events]
        after = await every_kpi(gateway, headers)
        for key, answer in before.items():
            assert after[key] == answer, key


async def test_read_models_another_version_built_are_rebuilt_at_start(environment, auth):
    """After an upgrade whose handlers write other facts, the gateway rebuilds the read
    models at start, and only then: a fresh database is simply marked as built."""
    headers = auth("national-admin")
    capacity_app = build_app(CAPACITY, await environment.settings_env(CAPACITY))
    gateway_env = await environment.settings_env(GATEWAY)
    gateway_db = gateway_env["DATABASE_URL"]
    async with running(capacity_app) as capacity, running(build_app(GATEWAY, gateway_env)) as gw:
        earlier = (await fetch(gateway_db, "SELECT count(*) AS n FROM inbox"))[0]["n"]
        events = await fill_capacity(capacity, headers)

        async def all_applied() -> None:
            rows = await fetch(gateway_db, "SELECT count(*) AS n FROM inbox")
            assert rows[0]["n"] >= earlier + events
            version = await fetch(gateway_db, "SELECT version FROM read_model_version")
            assert [row["version"] for row in version] == [projection.version]

        await eventually(all_applied)
        before = await every_kpi(gw, headers)
    # As an older gateway would have left it: built by version 1, in tables it did not have.
    await fetch(gateway_db, "UPDATE read_model_version SET version = 1")
    await fetch(gateway_db, "DELETE FROM capacity_stay")
    async with running(build_app(GATEWAY, gateway_env)) as gateway:

        async def rebuilt() -> None:
            version = await fetch(gateway_db, "SELECT version FROM read_model_version")
            assert [row["version"] for row in version] == [projection.version]

        await eventually(rebuilt)
        assert await every_kpi(gateway, headers) == before
