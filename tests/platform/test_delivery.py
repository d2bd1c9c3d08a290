"""Nothing is lost and nothing is applied twice: crash between commit and publish,
duplicated messages, poison messages, two relays at once."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest

from common.messaging import StreamSpec
from devstack.services import CAPACITY, GATEWAY
from devstack.testing import build_app, eventually, fetch, running, stream_info

from .helpers import institution_body, institutions_in_gateway, publish_raw, registered_event

pytestmark = pytest.mark.fault


@pytest.fixture(scope="module")
async def gateway(start_service):
    return await start_service(GATEWAY, consumer_max_deliver=3)


async def test_crash_between_commit_and_publish_loses_nothing(gateway, environment, auth, nats_url):
    stream = f"{environment.namespace.upper()}_CAPACITY"
    env = await environment.settings_env(CAPACITY)
    # A capacity process whose relay never ran: the state right after a crash that came
    # between the commit and the publish.
    crashed = build_app(CAPACITY, {**env, "OUTBOX_RELAY_ENABLED": "false"})
    async with running(crashed) as client:
        ids = []
        for _ in range(3):
            response = await client.post(
                "/v1/institutions", json=institution_body(), headers=auth("national-admin")
            )
            assert response.status_code == 201
            ids.append(response.json()["id"])
    capacity_db = await environment.database(CAPACITY)
    unsent = await fetch(
        capacity_db,
        "SELECT id, subject, payload FROM outbox WHERE sent_at IS NULL ORDER BY created_at",
    )
    assert len(unsent) == 3
    # The worst moment: the first event reached NATS, the process died before marking it.
    first = unsent[0]
    await publish_raw(
        nats_url,
        f"{environment.namespace}.{first['subject']}",
        bytes(first["payload"]),
        str(first["id"]),
    )

    restarted = build_app(CAPACITY, env)
    async with running(restarted):

        async def all_applied():
            assert await institutions_in_gateway(environment) >= set(ids)

        await eventually(all_applied)
        left = await fetch(capacity_db, "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL")
        assert left[0]["n"] == 0
    info = await stream_info(nats_url, stream)
    assert info.state.messages == 3  # JetStream dropped the re-publish of the first event
    inbox = await fetch(
        await environment.database(GATEWAY),
        "SELECT event_id FROM inbox WHERE event_id = ANY($1::uuid[])",
        [row["id"] for row in unsent],
    )
    assert len(inbox) == 3


async def test_duplicated_message_is_applied_once(gateway, environment, nats_url):
    event = registered_event()
    subject = f"{environment.namespace}.{event.type}"
    # Different message ids defeat JetStream's de-duplication: the consumer must cope.
    for _ in range(3):
        await publish_raw(nats_url, subject, event.to_json(), str(uuid.uuid4()))
    marker = registered_event()
    await publish_raw(nats_url, subject, marker.to_json(), str(uuid.uuid4()))

    async def marker_applied():
        assert marker.data["institution_id"] in await institutions_in_gateway(environment)

    await eventually(marker_applied)
    gateway_db = await environment.database(GATEWAY)
    inbox = await fetch(gateway_db, "SELECT count(*) AS n FROM inbox WHERE event_id = $1", event.id)
    assert inbox[0]["n"] == 1
    rows = await fetch(
        gateway_db,
        "SELECT count(*) AS n FROM capacity_institution WHERE id = $1",
        uuid.UUID(event.data["institution_id"]),
    )
    assert rows[0]["n"] == 1


async def test_poison_message_goes_to_dead_letter_without_holding_back_others(
    gateway, environment, nats_url
):
    subject = f"{environment.namespace}.capacity.institution.registered.v1"
    poison = registered_event(functions="not a list")  # the handler cannot apply it
    garbage = b"this is not a CloudEvent"
    await publish_raw(nats_url, subject, poison.to_json(), str(poison.id))
    await publish_raw(nats_url, subject, garbage, str(uuid.uuid4()))
    good = [registered_event() for _ in range(3)]
    for event in good:
        await publish_raw(nats_url, subject, event.to_json(), str(event.id))

    async def good_applied():
        applied = await institutions_in_gateway(environment)
        assert {event.data["institution_id"] for event in good} <= applied

    await eventually(good_applied, within=5)  # well before the poison's retries end
    gateway_db = await environment.database(GATEWAY)

    async def dead_lettered():
        rows = await fetch(
            gateway_db, "SELECT event_id, attempts, error, payload FROM dead_letter ORDER BY id"
        )
        assert len(rows) == 2
        return rows

    rows = await eventually(dead_lettered, within=20)
    by_event = {row["event_id"]: row for row in rows}
    assert by_event[poison.id]["attempts"] == 3  # consumer_max_deliver
    assert "functions" in by_event[poison.id]["error"]
    assert bytes(by_event[None]["payload"]) == garbage
    inbox = await fetch(
        gateway_db, "SELECT count(*) AS n FROM inbox WHERE event_id = $1", poison.id
    )
    assert inbox[0]["n"] == 0  # a failed attempt leaves nothing behind


async def test_two_relays_never_get_an_event_applied_twice(gateway, environment, auth, nats_url):
    env = await environment.settings_env(CAPACITY, outbox_batch_size=5)
    async with (
        running(build_app(CAPACITY, env)) as first,
        running(build_app(CAPACITY, env)) as second,
    ):
        before = await stream_info(nats_url, f"{environment.namespace.upper()}_CAPACITY")

        async def create(index: int) -> str:
            client = first if index % 2 else second
            response = await client.post(
                "/v1/institutions", json=institution_body(), headers=auth("national-admin")
            )
            assert response.status_code == 201
            return str(response.json()["id"])

        ids = set(await asyncio.gather(*(create(i) for i in range(60))))

        async def all_applied():
            assert ids <= await institutions_in_gateway(environment)

        await eventually(all_applied, within=30)
    after = await stream_info(nats_url, f"{environment.namespace.upper()}_CAPACITY")
    assert after.state.messages - before.state.messages == 60
    inbox = await fetch(
        await environment.database(GATEWAY),
        "SELECT event_id FROM inbox WHERE type = $1",
        "capacity.institution.registered.v1",
    )
    event_ids = [row["event_id"] for row in inbox]
    assert len(event_ids) == len(set(event_ids))


async def test_events_published_during_a_database_outage_arrive_at_once(
    gateway, environment, nats_url
):
    """While the database is away the consumer hands its messages back and keeps its pull
    subscription: what a pull request brings in afterwards is applied as soon as the database
    answers, not after the server's ack_wait (a minute here)."""
    from common.consumer import InboxConsumer, Subscription

    platform = gateway.app.state.platform
    applied: list[str] = []
    failed = asyncio.Event()

    async def flaky(uow, event, _sequence) -> None:
        if not failed.is_set():
            failed.set()
            raise ConnectionRefusedError(111, "the database is away")
        applied.append(str(event.id))

    stream = StreamSpec.of_service("capacity").namespaced(environment.namespace)
    consumer = InboxConsumer(
        Subscription(
            durable="outage-probe",
            stream=stream,
            filter_subject=stream.subjects[0],
            handler=flaky,
        ),
        platform.messaging,
        platform.unit_of_work,
        platform.session_factory,
        service="test",
        ack_wait=60,
    )
    running_consumer = asyncio.create_task(consumer.run())
    try:
        await asyncio.sleep(0.5)  # subscribed, a pull request waiting
        events = [registered_event() for _ in range(4)]
        subject = f"{environment.namespace}.{events[0].type}"
        await publish_raw(nats_url, subject, events[0].to_json(), str(events[0].id))
        await asyncio.wait_for(failed.wait(), timeout=10)
        for event in events[1:]:  # at once, while the consumer recovers from the outage
            await publish_raw(nats_url, subject, event.to_json(), str(event.id))

        async def all_applied():
            assert set(applied) >= {str(event.id) for event in events}

        await eventually(all_applied, within=15)
    finally:
        running_consumer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running_consumer
