"""With NATS stopped, writes still succeed; every event arrives once NATS is back."""

from __future__ import annotations

import pytest

from devstack.nats import EmbeddedNats
from devstack.services import CAPACITY, GATEWAY
from devstack.testing import build_app, eventually, fetch, running

from .helpers import institution_body

pytestmark = pytest.mark.fault


@pytest.fixture
def own_nats(scratch_dir):
    """A NATS server of this test's own, which it may stop and start."""
    server = EmbeddedNats(scratch_dir / "nats-outage")
    server.start()
    yield server
    server.destroy()


async def test_writes_survive_a_nats_outage(environment, own_nats, auth):
    capacity_env = await environment.settings_env(CAPACITY, nats_url=own_nats.url)
    gateway_env = await environment.settings_env(GATEWAY, nats_url=own_nats.url)
    async with (
        running(build_app(CAPACITY, capacity_env)) as capacity,
        running(build_app(GATEWAY, gateway_env)) as gateway,
    ):

        async def ready():
            assert (await capacity.get("/readyz")).status_code == 200

        await eventually(ready)
        own_nats.stop()

        async def not_ready():
            response = await capacity.get("/readyz")
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["checks"]["nats"] == "unavailable"

        await eventually(not_ready)
        ids = set()
        for _ in range(5):
            response = await capacity.post(
                "/v1/institutions", json=institution_body(), headers=auth("national-admin")
            )
            assert response.status_code == 201, response.text
            ids.add(response.json()["id"])
        unsent = await fetch(
            await environment.database(CAPACITY),
            "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL",
        )
        assert unsent[0]["n"] == 5

        own_nats.start()  # same port, same storage

        async def all_arrived():
            rows = await fetch(
                await environment.database(GATEWAY), "SELECT id FROM capacity_institution"
            )
            assert {str(row["id"]) for row in rows} == ids

        await eventually(all_arrived, within=30)
        assert (await gateway.get("/readyz")).status_code == 200
