"""Marks requests breached when their deadline passes with no offer, within
`breach_sweep_interval_seconds`. The state lives in the database, so a restart simply
catches up, and several replicas never mark the same request twice."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from capacity.placement_requests.service import mark_breaches
from common.platform import Platform, Worker

log = logging.getLogger(__name__)


def breach_sweeper(interval_seconds: float, grace_seconds: float) -> Worker:
    grace = timedelta(seconds=grace_seconds)

    async def run(platform: Platform) -> None:
        while True:
            try:
                async with platform.unit_of_work() as uow:
                    marked = await mark_breaches(uow, grace)
                    await uow.commit()
                if marked:
                    log.info("marked %d placement requests breached", marked)
                    continue  # there may be more than one batch
            except Exception as exc:
                log.warning("breach sweep failed: %s", exc)
            await asyncio.sleep(interval_seconds)

    run.__name__ = "breach-sweeper"
    return run
