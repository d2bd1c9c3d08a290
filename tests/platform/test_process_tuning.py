"""Process-wide tuning belongs to the process entrypoint (`python -m common.serve`), not to
an app's start-up: a served service collects young objects rarely, and starting an app in
a process (as the tests do, many times) leaves the process as it was."""

from __future__ import annotations

import asyncio
import gc
import re

import httpx

from devstack.services import CAPACITY
from devstack.testing import ServedService, build_app, running

from .helpers import institution_body

REQUESTS = 200


def young_collections(metrics: str) -> float:
    found = re.search(r'python_gc_collections_total\{generation="0"\} ([0-9.e+]+)', metrics)
    assert found, "no GC metrics"
    return float(found.group(1))


async def young_collections_during_requests(environment, auth, **settings) -> float:
    """Young-generation collections while a served capacity answers writes and reads."""
    service = ServedService(CAPACITY, await environment.settings_env(CAPACITY, **settings))
    service.start()
    try:
        async with httpx.AsyncClient(base_url=service.url, headers=auth("national-admin")) as c:
            await c.get("/v1/institutions")  # warm up
            before = young_collections((await c.get("/metrics")).text)
            for _ in range(REQUESTS):
                response = await c.post("/v1/institutions", json=institution_body())
                assert response.status_code == 201, response.text
                listed = await c.get("/v1/institutions", params={"limit": 100})
                assert listed.status_code == 200, listed.text
            after = young_collections((await c.get("/metrics")).text)
    finally:
        service.stop()
    return after - before


async def test_a_served_service_collects_young_objects_rarely(environment, auth):
    tuned = await young_collections_during_requests(environment, auth)
    untuned = await young_collections_during_requests(environment, auth, gc_gen0_threshold=700)
    # Measured here over 200 writes and lists: 366 collections at 700, none tuned.
    assert untuned >= 20, untuned  # the measure sees collections when there are many
    assert tuned * 10 <= untuned, (tuned, untuned)


async def test_starting_an_app_leaves_the_process_as_it_was(environment):
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    async with running(build_app(CAPACITY, await environment.settings_env(CAPACITY))):
        assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == frozen


async def test_a_served_service_keeps_an_idle_connection_longer_than_its_clients(environment):
    """The gateway's proxy drops an idle connection after 30 s, so the services keep it
    longer (a connection the server closes just as its client sends on it fails that
    request): still open after uvicorn's default 5 s."""
    service = ServedService(CAPACITY, await environment.settings_env(CAPACITY)).start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", service.port)
        request = b"GET /healthz HTTP/1.1\r\nHost: capacity\r\n\r\n"
        for pause in (6, 0):
            writer.write(request)
            await writer.drain()
            status = await asyncio.wait_for(reader.readline(), 5)
            assert status.startswith(b"HTTP/1.1 200"), status
            await asyncio.wait_for(reader.readuntil(b'{"status":"ok"}'), 5)
            await asyncio.sleep(pause)
        writer.close()
    finally:
        service.stop()
