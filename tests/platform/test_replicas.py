"""Two replicas of every service: two processes of each against one database and one NATS,
as a Deployment with two pods runs them. Writes go through both, both run the outbox relay,
both gateways consume: every event is published once and applied once, each breach is
marked once though both run the breach sweeper, and a place filled through one replica is
never offered through the other (its cached ranking is checked at offer time)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from devstack.services import CAPACITY, FAMILY_COUNSELLING, FOSTER_CARE, GATEWAY, Service
from devstack.testing import Environment, ServedService, eventually, fetch, stream_info
from services.capacity.tests import factories as capacity_bodies
from services.foster_care.tests import factories as foster_care_bodies

pytestmark = pytest.mark.fault


@dataclass
class Replicas:
    """One service's two processes, and a client of each."""

    processes: tuple[ServedService, ServedService]
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient]

    def __getitem__(self, index: int) -> httpx.AsyncClient:
        """The client of replica `index % 2`: alternate by counting."""
        return self.clients[index % 2]


async def start_pair(service: Service, env: dict[str, str]) -> tuple[ServedService, ...]:
    return tuple(
        await asyncio.gather(
            *(asyncio.to_thread(ServedService(service, env).start) for _ in range(2))
        )
    )


@pytest.fixture(scope="module")
async def platform(environment: Environment) -> AsyncIterator[dict[Service, Replicas]]:
    domain_env = {
        CAPACITY: await environment.settings_env(
            CAPACITY,
            breach_sweep_interval_seconds=0.3,
            breach_grace_seconds=1,
            candidates_cache_seconds=60,  # a ranking outlives the other replica's change
        ),
        FOSTER_CARE: await environment.settings_env(FOSTER_CARE),
        FAMILY_COUNSELLING: await environment.settings_env(FAMILY_COUNSELLING),
    }
    started: dict[Service, tuple[ServedService, ...]] = {}
    try:
        for service, env in domain_env.items():
            started[service] = await start_pair(service, env)
        # Each gateway proxies to its own replicas; both consume every stream, and both
        # start at once on an empty read model (its build at start takes a lock).
        gateways = [
            ServedService(
                GATEWAY,
                await environment.settings_env(
                    GATEWAY,
                    capacity_url=started[CAPACITY][i].url,
                    foster_care_url=started[FOSTER_CARE][i].url,
                    family_counselling_url=started[FAMILY_COUNSELLING][i].url,
                ),
            )
            for i in range(2)
        ]
        started[GATEWAY] = tuple(
            await asyncio.gather(*(asyncio.to_thread(gateway.start) for gateway in gateways))
        )
        pairs = {}
        for service, processes in started.items():
            first, second = processes
            clients = (
                httpx.AsyncClient(base_url=first.url, timeout=30),
                httpx.AsyncClient(base_url=second.url, timeout=30),
            )
            pairs[service] = Replicas((first, second), clients)
        yield pairs
        for pair in pairs.values():
            for client in pair.clients:
                await client.aclose()
    finally:
        for processes in started.values():
            for process in processes:
                process.stop()


async def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def applied_once(environment: Environment, nats_url: str, service: Service) -> int:
    """Every event in the service's outbox is in its stream once and in the gateway's inbox
    once (whichever relay published it, whichever gateway applied it; the inbox row is
    written in the transaction that applies the event). The number of events."""
    outbox = await fetch(await environment.database(service), "SELECT id FROM outbox")
    produced = sorted(str(row["id"]) for row in outbox)
    stream = f"{environment.namespace.upper()}_{service.name.upper()}"

    async def all_applied() -> None:
        inbox = await fetch(
            await environment.database(GATEWAY),
            "SELECT event_id FROM inbox WHERE stream = $1",
            stream,
        )
        assert sorted(str(row["event_id"]) for row in inbox) == produced

    await eventually(all_applied, within=60)
    info = await stream_info(nats_url, stream)
    assert info.state.messages == len(produced)
    return len(produced)


async def test_writes_through_both_replicas_are_published_and_applied_once(
    platform, environment, auth, nats_url
):
    admin = auth("national-admin")
    capacity, foster_care = platform[CAPACITY], platform[FOSTER_CARE]
    family_counselling = platform[FAMILY_COUNSELLING]
    count = itertools.count()

    async def institution(i: int) -> None:
        made = await created(
            await capacity[i].post(
                "/v1/institutions", json=capacity_bodies.institution(), headers=admin
            )
        )
        # The contract through the other replica, right after.
        await created(
            await capacity[i + 1].post(
                f"/v1/institutions/{made['id']}/place-contracts",
                json=capacity_bodies.contract(),
                headers=admin,
            )
        )

    async def foster_home_request(i: int) -> None:
        made = await created(
            await foster_care[i].post(
                "/v1/foster-home-requests", json=foster_care_bodies.request(), headers=admin
            )
        )
        withdrawn = await foster_care[i + 1].post(
            f"/v1/foster-home-requests/{made['id']}/withdraw",
            json={"withdrawn_at": "2024-02-01T10:00:00+01:00", "reason": "other"},
            headers=admin,
        )
        assert withdrawn.status_code == 200, withdrawn.text

    office = await created(
        await family_counselling[0].post(
            "/v1/offices",
            json={
                "name": "Familievernkontoret i Bergen",
                "municipality_number": "4601",
                "ownership": "state",
                "therapist_hours_per_week": 240,
            },
            headers=admin,
        )
    )

    async def case(i: int) -> None:
        made = await created(
            await family_counselling[i].post(
                "/v1/cases",
                json={
                    "office_id": office["id"],
                    "case_type": "clinical",
                    "referral_received_at": "2024-03-04T09:30:00+01:00",
                    "children": [{"age": 9, "lives_at_home": True}],
                },
                headers=admin,
            )
        )
        await created(
            await family_counselling[i + 1].post(
                f"/v1/cases/{made['id']}/appointments",
                json={
                    "scheduled_at": "2024-03-11T10:00:00+01:00",
                    "kind": "therapy",
                    "outcome": "attended",
                    "recorded_at": "2024-03-11T11:00:00+01:00",
                },
                headers=admin,
            )
        )

    await asyncio.gather(
        *(institution(next(count)) for _ in range(20)),
        *(foster_home_request(next(count)) for _ in range(20)),
        *(case(next(count)) for _ in range(20)),
    )
    # At least one event per call; each of them once.
    assert await applied_once(environment, nats_url, CAPACITY) >= 40
    assert await applied_once(environment, nats_url, FOSTER_CARE) >= 40
    assert await applied_once(environment, nats_url, FAMILY_COUNSELLING) >= 61

    gateway_db = await environment.database(GATEWAY)
    for table, n in (
        ("capacity_institution", 20),
        ("capacity_place_contract_version", 20),
        ("foster_care_request_withdrawal", 20),
        ("family_counselling_outcome", 20),
    ):
        rows = await fetch(gateway_db, f"SELECT count(*) AS n FROM {table}")
        assert rows[0]["n"] == n, table

    # The read model is the same whichever gateway answers.
    reports = auth("directorate-reports")
    answers = []
    for gateway in platform[GATEWAY].clients:
        answer = await gateway.get(
            "/v1/kpis/cap.places", params={"period": str(datetime.now(UTC).year)}, headers=reports
        )
        assert answer.status_code == 200, answer.text
        answers.append(answer.json())
    assert answers[0] == answers[1]


async def test_both_sweepers_mark_each_breach_once(platform, environment, auth, nats_url):
    admin = auth("national-admin")
    capacity = platform[CAPACITY]
    # Deadlines a second or two ahead: open when made, then the sweepers of both replicas
    # race to mark them.
    need = datetime.now(UTC) - timedelta(hours=2, seconds=-2)
    requests = await asyncio.gather(
        *(
            capacity[i].post(
                "/v1/placement-requests",
                json=capacity_bodies.placement_request(
                    need_concluded_at=need.isoformat(),
                    desired_start_date=capacity_bodies.oslo_day(need),
                ),
                headers=admin,
            )
            for i in range(30)
        )
    )
    ids = {(await created(response))["id"] for response in requests}
    db = await environment.database(CAPACITY)

    async def all_breached() -> None:
        rows = await fetch(
            db,
            "SELECT id FROM placement_request WHERE status = 'breached' AND id = ANY($1)",
            list(ids),
        )
        assert {str(row["id"]) for row in rows} == ids

    await eventually(all_breached, within=30)
    await asyncio.sleep(1)  # more sweeps of both replicas: still once each
    events = await fetch(
        db,
        "SELECT convert_from(payload, 'UTF8')::jsonb -> 'data' ->> 'placement_request_id' AS id "
        "FROM outbox WHERE subject = 'capacity.placement_request.breached.v1'",
    )
    marked = [row["id"] for row in events if row["id"] in ids]
    assert sorted(marked) == sorted(ids)
    await applied_once(environment, nats_url, CAPACITY)
    breaches = await fetch(
        await environment.database(GATEWAY),
        "SELECT placement_request_id FROM capacity_breach WHERE placement_request_id = ANY($1)",
        list(ids),
    )
    assert len(breaches) == len(ids)


async def test_a_place_filled_through_one_replica_is_never_offered_through_the_other(
    platform, auth
):
    admin = auth("national-admin")
    first, second = platform[CAPACITY].clients
    function = "treatment_high_risk"
    institution = await created(
        await first.post(
            "/v1/institutions",
            json=capacity_bodies.institution(functions=[function]),
            headers=admin,
        )
    )
    await created(
        await first.post(
            f"/v1/institutions/{institution['id']}/place-contracts",
            json=capacity_bodies.contract(function=function, budgeted_places=1),
            headers=admin,
        )
    )
    start = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
    request = await created(
        await first.post(
            "/v1/placement-requests",
            json=capacity_bodies.placement_request(
                urgency="planned", function=function, desired_start_date=start
            ),
            headers=admin,
        )
    )
    candidates = f"/v1/placement-requests/{request['id']}/candidates"

    async def offered_by_first() -> list[str]:
        answer = await first.get(candidates, headers=admin)
        assert answer.status_code == 200, answer.text
        return [item["institution_id"] for item in answer.json()["items"]]

    assert institution["id"] in await offered_by_first()  # ranked, and cached by `first`
    # The other replica fills the last place.
    await created(
        await second.post(
            "/v1/stays",
            json=capacity_bodies.stay(institution["id"], function=function, contract_type="state"),
            headers=admin,
        )
    )
    offer = await first.post(
        f"/v1/placement-requests/{request['id']}/offers",
        json={
            "institution_id": institution["id"],
            "function": function,
            "contract_type": "state",
            "offered_at": datetime.now(UTC).isoformat(),
        },
        headers=admin,
    )
    assert offer.status_code == 409, offer.text
    assert "no free state place" in offer.json()["detail"]


async def test_the_last_foster_home_place_goes_to_one_child_across_replicas(platform, auth):
    admin = auth("national-admin")
    foster_care = platform[FOSTER_CARE]
    for round_ in range(5):
        home = await created(
            await foster_care[round_].post(
                "/v1/foster-homes", json=foster_care_bodies.home(), headers=admin
            )
        )
        for to, at in foster_care_bodies.stages_to_approval(home["inquiry_at"]):
            body: dict[str, Any] = {"to": to, "at": at}
            if to == "training":
                body["training_programme"] = "SOLID"
            moved = await foster_care[round_].post(
                f"/v1/foster-homes/{home['id']}/transitions", json=body, headers=admin
            )
            assert moved.status_code == 200, moved.text
        requests = [
            await created(
                await foster_care[i].post(
                    "/v1/foster-home-requests", json=foster_care_bodies.request(), headers=admin
                )
            )
            for i in range(2)
        ]
        proposals = await asyncio.gather(
            *(
                foster_care[i].post(
                    f"/v1/foster-home-requests/{request['id']}/proposals",
                    json={"foster_home_id": home["id"], "proposed_at": "2024-01-10T10:00:00+01:00"},
                    headers=admin,
                )
                for i, request in enumerate(requests)
            )
        )
        assert sorted(p.status_code for p in proposals) == [201, 409], [p.text for p in proposals]
