"""The read-model pattern every projection follows: every event adds the facts it states and
never rewrites another's, so an older event delivered late never replaces a newer fact, a
duplicate changes nothing, and replaying a stream from its start into an empty database
gives the same rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import nats

from common.events import CloudEvent
from devstack.databases import database_url, ensure_database
from devstack.services import CAPACITY, GATEWAY
from devstack.testing import build_app, eventually, fetch, running, template_name
from reporting_gateway.db import Base
from reporting_gateway.projections.capacity import projection

from .helpers import institution_body

ROWS = {
    table.name: f"SELECT * FROM {table.name} ORDER BY "
    + ", ".join(column.name for column in table.primary_key.columns)
    for table in Base.metadata.sorted_tables
    if table.name.startswith("capacity_") or table.name == "recorded_event"
}


def contract_changed(contract_id: uuid.UUID, places: int) -> CloudEvent:
    return CloudEvent(
        id=uuid.uuid4(),
        source="/capacity",
        type="capacity.place_contract.changed.v1",
        subject=str(contract_id),
        time=datetime.now(UTC),
        data={
            "contract_id": str(contract_id),
            "change": "updated",
            "institution_id": str(uuid.uuid4()),
            "region": "vest",
            "ownership": "state",
            "function": "acute",
            "contract_type": "state",
            "budgeted_places": places,
            "valid_from": "2024-01-01",
            "valid_to": None,
            "day_price_nok": "15200.00",
        },
    )


async def test_an_older_event_never_overwrites_a_newer_fact(environment, auth):
    app = build_app(GATEWAY, await environment.settings_env(GATEWAY))
    async with running(app) as gateway:
        await older_and_newer(environment, app.state.platform, gateway, auth("national-admin"))


async def older_and_newer(environment, platform, gateway, headers) -> None:
    contract_id = uuid.uuid4()

    async def apply(places: int, sequence: int) -> None:
        async with platform.unit_of_work() as uow:
            await projection.apply(uow, contract_changed(contract_id, places), sequence)
            await uow.commit()

    async def versions() -> list[tuple[int, int]]:
        rows = await fetch(
            await environment.database(GATEWAY),
            "SELECT source_sequence, budgeted_places FROM capacity_place_contract_version "
            "WHERE contract_id = $1 ORDER BY source_sequence",
            contract_id,
        )
        return [(row["source_sequence"], row["budgeted_places"]) for row in rows]

    async def places() -> int:
        response = await gateway.get(
            "/v1/kpis/cap.places", params={"period": "2024", "region": "vest"}, headers=headers
        )
        assert response.status_code == 200, response.text
        value: int = response.json()["value"]
        return value

    await apply(5, sequence=7)
    await apply(3, sequence=5)  # delivered late: older than the version there
    assert await versions() == [(5, 3), (7, 5)]
    assert await places() == 5
    await apply(4, sequence=7)  # the same position again changes nothing either
    assert await versions() == [(5, 3), (7, 5)]
    await apply(8, sequence=9)
    assert await places() == 8


async def test_a_replay_from_the_start_rebuilds_the_same_rows(environment, auth, nats_url):
    headers = auth("national-admin")
    capacity_app = build_app(CAPACITY, await environment.settings_env(CAPACITY))
    first_gateway = await environment.settings_env(
        GATEWAY, database_url=await fresh_gateway_database(environment, "first")
    )
    async with running(capacity_app) as capacity, running(build_app(GATEWAY, first_gateway)):
        for _ in range(3):
            created = await capacity.post(
                "/v1/institutions", json=institution_body(), headers=headers
            )
            assert created.status_code == 201, created.text
            contract = await capacity.post(
                f"/v1/institutions/{created.json()['id']}/place-contracts",
                headers=headers,
                json={
                    "function": "acute",
                    "contract_type": "state",
                    "budgeted_places": 2,
                    "valid_from": "2024-01-01",
                    "valid_to": None,
                    "day_price_nok": "15200.00",
                },
            )
            assert contract.status_code == 201, contract.text
        changed = await capacity.patch(
            contract.headers["location"],
            headers={**headers, "If-Match": contract.headers["etag"]},
            json={"budgeted_places": 4, "valid_to": "2030-12-31"},
        )
        assert changed.status_code == 200, changed.text

        async def all_applied() -> dict[str, list[dict]]:
            rows = {
                table: [dict(row) for row in await fetch(first_gateway["DATABASE_URL"], query)]
                for table, query in ROWS.items()
            }
            assert len(rows["capacity_institution"]) == 3
            versions = rows["capacity_place_contract_version"]
            assert [row["budgeted_places"] for row in versions].count(4)
            return rows

        before = await eventually(all_applied)

    # The durable consumer forgotten, a gateway on an empty database reads the stream again.
    stream = f"{environment.namespace.upper()}_CAPACITY"
    client = await nats.connect(nats_url)
    try:
        await client.jetstream().delete_consumer(stream, projection.durable)
    finally:
        await client.close()
    rebuilt_url = await fresh_gateway_database(environment, "rebuilt")
    rebuilt = await environment.settings_env(GATEWAY, database_url=rebuilt_url)
    async with running(build_app(GATEWAY, rebuilt)):

        async def replayed() -> dict[str, list[dict]]:
            rows = {
                table: [dict(row) for row in await fetch(rebuilt_url, query)]
                for table, query in ROWS.items()
            }
            assert rows == before
            return rows

        await eventually(replayed)


async def fresh_gateway_database(environment, label: str) -> str:
    """An empty, migrated gateway database (dropped with the module's databases)."""
    name = f"reporting_gateway_{environment.namespace}_{label}"
    await ensure_database(environment.database_server, name, template=template_name(GATEWAY))
    url = database_url(environment.database_server, name)
    environment.databases[f"gateway-{label}"] = url
    return url
