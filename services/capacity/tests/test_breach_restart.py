"""Breaches are marked by the service itself, also when the deadline passed while no
capacity process was running (its own module: no other app here sweeps the database)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from devstack.services import CAPACITY
from devstack.testing import eventually, fetch

from . import factories


async def test_breaches_are_marked_after_a_restart(environment, auth):
    """The deadline passes while no capacity process runs; the next one marks it."""
    from devstack.testing import build_app, running

    env = await environment.settings_env(CAPACITY, breach_sweep_interval_seconds=60)
    need = datetime.now(UTC) - timedelta(hours=2, seconds=-1)  # deadline in one second
    async with running(build_app(CAPACITY, env)) as first:
        await asyncio.sleep(0.5)  # let the first process's sweep run now, not later
        created = await first.post(
            "/v1/placement-requests",
            headers=auth("national-admin"),
            json=factories.placement_request(
                need_concluded_at=need.isoformat(),
                desired_start_date=factories.oslo_day(need),
            ),
        )
        assert created.status_code == 201
        request_id = created.json()["id"]
    await asyncio.sleep(1.5)  # the deadline passes with nobody running
    db = await environment.database(CAPACITY)
    before = await fetch(db, "SELECT status FROM placement_request WHERE id = $1", request_id)
    assert before[0]["status"] == "open"
    restarted = {**env, "BREACH_SWEEP_INTERVAL_SECONDS": "0.2"}
    async with running(build_app(CAPACITY, restarted)):

        async def marked():
            rows = await fetch(db, "SELECT status FROM placement_request WHERE id = $1", request_id)
            assert rows[0]["status"] == "breached"

        await eventually(marked, within=10)
    events = await fetch(
        db,
        "SELECT count(*) AS n FROM outbox WHERE subject = $1 AND "
        "convert_from(payload, 'UTF8') LIKE $2",
        "capacity.placement_request.breached.v1",
        f"%{request_id}%",
    )
    assert events[0]["n"] == 1
