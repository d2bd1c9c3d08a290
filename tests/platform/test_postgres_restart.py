"""A restart of PostgreSQL loses nothing and applies nothing twice: requests during the
outage answer 503 (retry-safe with Idempotency-Key), the relay and the consumer carry on."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from devstack.databases import database_url, ensure_database, migrate
from devstack.postgres import TEST_SETTINGS, EmbeddedPostgres
from devstack.services import CAPACITY, GATEWAY
from devstack.testing import ServedService, build_app, eventually, fetch, running

from .helpers import institution_body, placement_request_body

pytestmark = pytest.mark.fault


@pytest.fixture
async def own_postgres(scratch_dir):
    """A PostgreSQL of this test's own, which it may stop and start."""
    server = EmbeddedPostgres(scratch_dir / "pg-restart", settings=TEST_SETTINGS)
    url = server.start()
    urls = {}
    for service in (CAPACITY, GATEWAY):
        await ensure_database(url, service.name)
        urls[service.name] = database_url(url, service.name)
        await asyncio.to_thread(migrate, service, urls[service.name])
    yield server, urls
    server.destroy()


async def post_until_recorded(client, headers, body, key: str) -> str:
    """What a well-behaved integrating system does: retry with the same key on 503."""
    for _ in range(100):
        response = await client.post(
            "/v1/institutions", json=body, headers={**headers, "Idempotency-Key": key}
        )
        if response.status_code == 201:
            return str(response.json()["id"])
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        await asyncio.sleep(0.1)
    raise AssertionError("never recorded")


async def test_a_postgres_restart_loses_nothing(environment, own_postgres, auth):
    server, urls = own_postgres
    capacity_env = await environment.settings_env(CAPACITY, database_url=urls["capacity"])
    # A message the consumer was handed but lost track of would come back only after
    # ack_wait: longer than the test waits, so nothing may depend on it.
    gateway_env = await environment.settings_env(
        GATEWAY, database_url=urls["reporting_gateway"], consumer_ack_wait_seconds=120
    )
    headers = auth("national-admin")
    async with (
        running(build_app(CAPACITY, capacity_env)) as capacity,
        running(build_app(GATEWAY, gateway_env)),
    ):
        ids = {
            await post_until_recorded(capacity, headers, institution_body(), f"before-{i}")
            for i in range(3)
        }
        created = await capacity.post(
            "/v1/placement-requests", json=placement_request_body(), headers=headers
        )
        assert created.status_code == 201, created.text
        request_path = f"/v1/placement-requests/{created.json()['id']}"
        await asyncio.to_thread(server.stop)
        down = await capacity.post("/v1/institutions", json=institution_body(), headers=headers)
        assert down.status_code == 503
        assert down.headers["retry-after"] == "1"
        await asyncio.to_thread(server.start)
        # Reads and one-statement writes on driver connections (no ORM) recover first:
        # every pooled connection the restart broke is replaced, none answers 500.
        statuses = [
            (await capacity.get(request_path, headers=headers)).status_code for _ in range(30)
        ] + [
            (
                await capacity.post(
                    "/v1/placement-requests", json=placement_request_body(), headers=headers
                )
            ).status_code
            for _ in range(30)
        ]
        assert set(statuses) <= {200, 201, 503}, statuses
        assert 503 not in statuses[10:], statuses
        ids |= {
            await post_until_recorded(capacity, headers, institution_body(), f"after-{i}")
            for i in range(3)
        }

        async def all_applied_once():
            rows = await fetch(urls["reporting_gateway"], "SELECT id FROM capacity_institution")
            assert {str(row["id"]) for row in rows} == ids
            inbox = await fetch(
                urls["reporting_gateway"],
                "SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM inbox",
            )
            # Every event once: six institutions and every placement request recorded.
            assert inbox[0]["n"] == inbox[0]["d"] == 6 + 1 + statuses.count(201)

        await eventually(all_applied_once, within=30)
        unsent = await fetch(
            urls["capacity"], "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL"
        )
        assert unsent[0]["n"] == 0


async def test_a_restart_seen_through_the_unix_socket_is_503_never_500(
    environment, scratch_dir, auth
):
    """Over a Unix socket a restart shows as the server shutting down (57P01, 57P03) and then
    as a socket file that is gone: each is 503 + Retry-After, and no traceback is logged."""
    server = EmbeddedPostgres(
        scratch_dir / "pg-unix", settings=TEST_SETTINGS, socket_dir=scratch_dir / "pg-sockets"
    )
    server.start()
    try:
        await ensure_database(server.url, CAPACITY.name)
        await asyncio.to_thread(migrate, CAPACITY, database_url(server.url, CAPACITY.name))
        env = await environment.settings_env(
            CAPACITY, database_url=database_url(server.socket_url, CAPACITY.name)
        )
        served = ServedService(CAPACITY, env).start()
        headers = auth("national-admin")
        statuses: list[int] = []
        try:
            async with httpx.AsyncClient(base_url=served.url, headers=headers) as client:
                created = await client.post("/v1/placement-requests", json=placement_request_body())
                assert created.status_code == 201, created.text
                path = f"/v1/placement-requests/{created.json()['id']}"
                stopping = asyncio.Event()

                async def traffic() -> None:
                    while not stopping.is_set():
                        for response in await asyncio.gather(
                            client.get(path),
                            client.post("/v1/placement-requests", json=placement_request_body()),
                            client.get("/v1/institutions"),
                        ):
                            statuses.append(response.status_code)
                            if response.status_code == 503:
                                assert response.headers["retry-after"] == "1"

                running_traffic = asyncio.create_task(traffic())
                await asyncio.sleep(0.5)
                await asyncio.to_thread(server.stop)
                await asyncio.sleep(1.0)
                await asyncio.to_thread(server.start)
                await asyncio.sleep(2.0)
                stopping.set()
                await running_traffic
                after = [(await client.get(path)).status_code for _ in range(5)]
        finally:
            served.stop()
        assert set(statuses) <= {200, 201, 503}, statuses
        assert 503 in statuses
        assert after == [200] * 5
        log = served.log_path.read_text()
        assert "Traceback" not in log, log[-3000:]
    finally:
        server.destroy()
