"""Dead letters, as the operator's runbook handles them: the gauge shows them waiting, the
gateway's command lists them and, once their cause is fixed, applies them again, once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

import httpx
import pytest

from common import consumer
from devstack.services import GATEWAY
from devstack.testing import eventually, fetch

from .helpers import institutions_in_gateway, publish_raw, registered_event

pytestmark = pytest.mark.fault


@pytest.fixture(scope="module")
async def gateway(start_service):
    # The gauges are read every 15 s in production; often here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(consumer, "_GAUGE_INTERVAL_SECONDS", 0.3)
        yield await start_service(GATEWAY, consumer_max_deliver=2)


async def command(environment, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **await environment.settings_env(GATEWAY)}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "reporting_gateway.dead_letters", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def waiting(metrics_text: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics_text.splitlines()
        if line.startswith("dead_letters_waiting{")
    )


async def test_dead_letters_are_listed_and_applied_again_once_their_cause_is_fixed(
    gateway: httpx.AsyncClient, environment, nats_url
):
    db = await environment.database(GATEWAY)
    subject = f"{environment.namespace}.capacity.institution.registered.v1"
    # A cause outside the event: the read model's table is away (a botched manual change).
    await fetch(db, "ALTER TABLE capacity_institution RENAME TO capacity_institution_away")
    event = registered_event()
    await publish_raw(nats_url, subject, event.to_json(), str(event.id))
    await publish_raw(nats_url, subject, b"not an event", str(uuid.uuid4()))

    async def both_dead() -> None:
        rows = await fetch(db, "SELECT count(*) AS n FROM dead_letter")
        assert rows[0]["n"] == 2

    await eventually(both_dead, within=30)

    async def gauged() -> None:
        assert waiting((await gateway.get("/metrics")).text) == 2

    await eventually(gauged, within=10)
    listed = await command(environment, "list")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 2
    assert "2 dead letters" in listed.stderr

    garbage = await fetch(db, "SELECT attempts FROM dead_letter WHERE event_id IS NULL")
    await fetch(db, "ALTER TABLE capacity_institution_away RENAME TO capacity_institution")
    redriven = await command(environment, "redrive")
    # The garbage cannot be applied by any fix: it stays and the command says so.
    assert redriven.returncode == 1, redriven.stdout + redriven.stderr
    assert "1 applied" in redriven.stdout
    assert "failed again" in redriven.stdout
    assert event.data["institution_id"] in await institutions_in_gateway(environment)
    left = await fetch(db, "SELECT event_id, attempts FROM dead_letter")
    assert [(row["event_id"], row["attempts"]) for row in left] == [
        (None, garbage[0]["attempts"] + 1)
    ]
    inbox = await fetch(db, "SELECT count(*) AS n FROM inbox WHERE event_id = $1", event.id)
    assert inbox[0]["n"] == 1

    # Once more: nothing left to apply, nothing applied twice.
    again = await command(environment, "redrive")
    assert "0 applied" in again.stdout
    assert (await fetch(db, "SELECT count(*) AS n FROM inbox WHERE event_id = $1", event.id))[0][
        "n"
    ] == 1

    async def one_waiting() -> None:
        assert waiting((await gateway.get("/metrics")).text) == 1

    await eventually(one_waiting, within=10)
