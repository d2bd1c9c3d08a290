"""Rebuild the read models: replay every stream from its first event into emptied tables.

`make rebuild-reports` (or `python -m reporting_gateway.rebuild` with the gateway's
settings in the environment). Each stream is replayed in one transaction: readers see the
old figures until the new ones are complete, never a half-built read model. The gateway
may keep running: its consumer goes on from where it was, and an event it applies meanwhile
is either in the replay (the inbox then skips it) or after it.

Each projection has a version (`Projection(version=…)`), raised when its handlers write
other facts; `read_model_version` records which version built the read models, and the
gateway rebuilds at start what another version built (one replica at a time: an advisory
lock), so an upgrade never leaves figures counted from half-shaped read models.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from dataclasses import dataclass

from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from tenacity import AsyncRetrying, before_sleep_log, wait_exponential_jitter

from common.consumer import inbox_row
from common.db import is_transient
from common.events import CloudEvent
from common.platform import Platform
from common.projection import Projection, write
from common.uow import UnitOfWork
from reporting_gateway.projections import PROJECTIONS, TABLES
from reporting_gateway.projections.repository import ReadModelRepository
from reporting_gateway.settings import GatewaySettings

log = logging.getLogger(__name__)
BATCH = 2_000


@dataclass(frozen=True)
class Replayed:
    stream: str
    events: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        return (
            f"{self.stream}: {self.events} events replayed in {self.seconds:.2f} s "
            f"({self.per_second:.0f}/s)"
        )


async def rebuild(platform: Platform, *, outdated_only: bool = False) -> list[Replayed]:
    """Replay every stream (with `outdated_only`, those whose read models another version
    of the handlers built) into emptied read models, over the platform's NATS connection."""
    namespace = platform.settings.nats_namespace
    replayed = []
    for projection in PROJECTIONS:
        async with platform.unit_of_work() as uow:
            repository = ReadModelRepository(uow)
            await repository.lock(projection)  # one rebuild at a time, across replicas
            if outdated_only and not await _outdated(repository, projection):
                await uow.commit()
                continue
            js = await platform.messaging.jetstream()
            replayed.append(await _replay(uow, js, projection, namespace))
            await repository.analyze(TABLES[projection.durable])
            await repository.set_version(projection)
            await uow.commit()
        log.info("%s", replayed[-1])
    return replayed


async def mark_new_read_models(platform: Platform) -> None:
    """Before the consumers start: read models nothing has been applied to yet are built by
    this version (so what the consumers apply next is not taken for an older build)."""
    try:
        for projection in PROJECTIONS:
            async with platform.unit_of_work() as uow:
                repository = ReadModelRepository(uow)
                await repository.lock(projection)
                await _outdated(repository, projection)
                await uow.commit()
    except Exception as exc:
        if not is_transient(exc):
            raise
        # The database is away: the worker decides later (at worst a needless rebuild).
        log.warning("read model versions not checked at start: %s", exc)


async def _outdated(repository: ReadModelRepository, projection: Projection) -> bool:
    version = await repository.get_version(projection)
    if version is None and not await repository.has_applied(projection):
        await repository.set_version(projection)  # nothing built yet: built by this version
        return False
    return version != projection.version


async def rebuild_when_outdated(platform: Platform) -> None:
    """At start: rebuild the read models another version of the handlers built (after an
    upgrade), while the consumers go on; readers see the old figures until it is done."""
    async for attempt in AsyncRetrying(
        wait=wait_exponential_jitter(multiplier=0.5, max=30),
        before_sleep=before_sleep_log(log, logging.WARNING),
    ):
        with attempt:
            await rebuild(platform, outdated_only=True)


async def _replay(
    uow: UnitOfWork, js: JetStreamContext, projection: Projection, namespace: str
) -> Replayed:
    started = time.perf_counter()
    stream = projection.stream.namespaced(namespace)
    try:
        last = (await js.stream_info(stream.name)).state.last_seq
    except NotFoundError:
        last = 0  # nothing published yet: the read models are empty
    applied = 0
    repository = ReadModelRepository(uow)
    await repository.clear(projection, TABLES[projection.durable])
    if last:
        pull = await js.pull_subscribe(
            stream.subjects[0],
            stream=stream.name,
            config=ConsumerConfig(
                ack_policy=AckPolicy.NONE,
                deliver_policy=DeliverPolicy.ALL,
                inactive_threshold=60.0,
            ),
        )
        # The next batch is fetched while the current one is written.
        fetching = asyncio.ensure_future(pull.fetch(min(BATCH, last), timeout=10.0))
        try:
            sequence = 0
            while sequence < last:
                try:
                    messages = await fetching
                except (TimeoutError, NatsTimeoutError):
                    break  # fewer messages than sequences: some were deleted from the stream
                rows, inbox = [], []
                for message in messages:
                    if message.metadata.sequence.stream > last:
                        break
                    sequence = message.metadata.sequence.stream
                    event = CloudEvent.from_json(message.data)
                    rows.extend(projection.rows(event, sequence))
                    inbox.append(inbox_row(projection.durable, stream.name, event, sequence, None))
                if sequence < last:
                    batch = min(BATCH, last - sequence)
                    fetching = asyncio.ensure_future(pull.fetch(batch, timeout=10.0))
                await write(uow, rows)
                await repository.add_inbox(inbox)
                applied += len(inbox)
        finally:
            fetching.cancel()
            await pull.unsubscribe()
    return Replayed(stream.name, applied, time.perf_counter() - started)


async def _main() -> None:
    platform = Platform(GatewaySettings())
    platform.messaging.start()
    try:
        await rebuild(platform)  # each stream's replay is logged
    finally:
        await platform.messaging.close()
        await platform.engine.dispose()


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    asyncio.run(_main())


if __name__ == "__main__":
    main()
