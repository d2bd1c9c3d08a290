"""Durable pull consumers with an inbox: each event is applied exactly once.

For each message, in one transaction: insert the event id into `inbox` (already there → a
duplicate, skip), apply the handler, commit; only then ack. A failing handler is retried
with backoff (nak with delay) without holding back the messages behind it; after
`max_deliver` attempts the message is written to `dead_letter` and terminated; once its
cause is fixed, `redrive` applies the dead letters again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from typing import Any

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from opentelemetry.trace import SpanKind
from pydantic import ValidationError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, before_sleep_log, wait_exponential_jitter

from common import metrics
from common.db import is_transient
from common.events import CloudEvent
from common.messaging import Messaging, StreamSpec
from common.platform_tables import dead_letter, inbox
from common.telemetry import current_trace_id, extract_context, tracer
from common.uow import UnitOfWork

log = logging.getLogger(__name__)

_DATABASE_PAUSE_SECONDS = 0.2
_DATABASE_PAUSE_MAX_SECONDS = 5.0
# How often an idle consumer reads its lag from the server and counts its dead letters (a
# busy one learns its lag from every message).
_GAUGE_INTERVAL_SECONDS = 15.0

Handler = Callable[[UnitOfWork, CloudEvent, int], Awaitable[None]]
"""Applies one event (with its stream sequence, which orders the stream's facts)."""


def inbox_row(
    consumer: str, stream: str, event: CloudEvent, stream_sequence: int, trace_id: str | None
) -> dict[str, Any]:
    """The inbox's note that `consumer` applied `event` (what makes a duplicate a no-op)."""
    return {
        "consumer": consumer,
        "event_id": event.id,
        "type": event.type,
        "stream": stream,
        "stream_sequence": stream_sequence,
        "event_time": event.time,
        "trace_id": trace_id,
    }


@dataclass(frozen=True)
class Subscription:
    """`durable` consumes `filter_subject` from `stream` and applies `handler` to each event."""

    durable: str
    stream: StreamSpec
    filter_subject: str
    handler: Handler

    def namespaced(self, namespace: str) -> Subscription:
        stream = self.stream.namespaced(namespace)
        return replace(self, stream=stream, filter_subject=stream.subject(self.filter_subject))


@dataclass
class Redriven:
    """What `InboxConsumer.redrive` did with the dead letters of one consumer."""

    consumer: str
    applied: int = 0
    duplicates: int = 0  # applied already (e.g. by a replay): only the dead letter removed
    failed: list[tuple[int, str]] = field(default_factory=list)  # (dead_letter id, error)

    def __str__(self) -> str:
        text = f"{self.consumer}: {self.applied} applied, {self.duplicates} already applied"
        return text + "".join(f"\n  dead letter {id_} failed again: {e}" for id_, e in self.failed)


class InboxConsumer:
    def __init__(
        self,
        subscription: Subscription,
        messaging: Messaging,
        unit_of_work: Callable[[], AbstractAsyncContextManager[UnitOfWork]],
        session_factory: async_sessionmaker[AsyncSession],
        *,
        service: str,
        max_deliver: int = 5,
        ack_wait: float = 30.0,
        batch_size: int = 100,
    ) -> None:
        self.subscription = subscription
        self._messaging = messaging
        self._unit_of_work = unit_of_work
        self._session_factory = session_factory
        self._service = service
        self._max_deliver = max_deliver
        self._ack_wait = ack_wait
        self._batch_size = batch_size
        self._tracer = tracer(__name__)
        self._labels = (service, subscription.durable)

    async def run(self) -> None:
        async for attempt in AsyncRetrying(
            wait=wait_exponential_jitter(multiplier=0.2, max=5),
            before_sleep=before_sleep_log(log, logging.WARNING),
        ):
            with attempt:
                try:
                    await self._consume()
                except Exception:
                    self._messaging.forget_streams()
                    raise

    async def _consume(self) -> None:
        js = await self._messaging.jetstream()
        spec = self.subscription
        await self._messaging.ensure_stream(spec.stream)
        pull = await js.pull_subscribe(
            spec.filter_subject,
            durable=spec.durable,
            stream=spec.stream.name,
            config=ConsumerConfig(
                durable_name=spec.durable,
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=self._ack_wait,
                # Unlimited on the server: we dead-letter a failing handler ourselves, and a
                # database outage must never make the server drop a message.
                max_deliver=-1,
                max_ack_pending=10_000,
            ),
        )
        # One subscription for as long as NATS serves it, through database outages: a pull
        # request outlives the fetch that made it, and what it brings in later is fetched
        # by the next fetch of the same subscription; a new subscription would leave it
        # unacknowledged until the server's ack_wait passed.
        pause = _DATABASE_PAUSE_SECONDS
        gauged = 0.0
        try:
            while True:
                if time.monotonic() - gauged > _GAUGE_INTERVAL_SECONDS:
                    gauged = time.monotonic()
                    await self._gauge(pull)
                try:
                    messages = await pull.fetch(self._batch_size, timeout=1.0)
                except (TimeoutError, NatsTimeoutError):
                    continue
                done = 0  # messages acknowledged, retried or dead-lettered
                try:
                    if len(messages) > 1 and await self.handle_batch(messages):
                        done = len(messages)
                    while done < len(messages):
                        await self.handle(messages[done])
                        done += 1
                except Exception as exc:
                    if not is_transient(exc):
                        raise
                    # The database is away: hand the rest back and try again later.
                    for pending in messages[done:]:
                        await pending.nak(delay=1.0)
                    log.warning("database unavailable; consuming again in %.1f s", pause)
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, _DATABASE_PAUSE_MAX_SECONDS)
                else:
                    pause = _DATABASE_PAUSE_SECONDS
        finally:
            with contextlib.suppress(Exception):
                await pull.unsubscribe()

    async def _gauge(self, pull: JetStreamContext.PullSubscription) -> None:
        """The lag as the server counts it and the dead letters waiting; metrics must never
        stop the consumer."""
        try:
            info = await pull.consumer_info()
            metrics.CONSUMER_LAG.labels(*self._labels).set(info.num_pending or 0)
            async with self._session_factory() as session:
                waiting = await session.scalar(
                    select(func.count())
                    .select_from(dead_letter)
                    .where(dead_letter.c.consumer == self.subscription.durable)
                )
            metrics.DEAD_LETTERS_WAITING.labels(*self._labels).set(waiting or 0)
        except Exception:
            log.debug("consumer gauges not read", exc_info=True)

    async def handle_batch(self, messages: Sequence[Msg]) -> bool:
        """Apply a fetched batch in one transaction (one commit, not one per event: what
        keeps the gateway up with the services under load), then acknowledge it. False,
        with nothing kept, when any of it cannot be applied: then each message is handled
        on its own, so that only the failing one is retried or dead-lettered."""
        events: list[tuple[CloudEvent, int, dict[str, str]]] = []
        for message in messages:
            try:
                event = CloudEvent.from_json(message.data)
            except ValidationError:
                return False
            events.append((event, message.metadata.sequence.stream, dict(message.headers or {})))
        applied = 0
        try:
            async with self._unit_of_work() as uow:
                for event, sequence, headers in events:
                    with self._span(event, headers):
                        if await self._claim(uow, event, sequence):
                            await self.subscription.handler(uow, event, sequence)
                            applied += 1
                await uow.commit()
        except Exception as exc:
            if is_transient(exc):
                raise
            log.info("a batch of %d could not be applied at once; one by one", len(messages))
            return False
        for message in messages:
            await message.ack()
        metrics.CONSUMER_LAG.labels(*self._labels).set(messages[-1].metadata.num_pending)
        metrics.CONSUMER_APPLIED.labels(*self._labels).inc(applied)
        metrics.CONSUMER_DUPLICATES.labels(*self._labels).inc(len(messages) - applied)
        return True

    def _span(self, event: CloudEvent, headers: dict[str, str]) -> Any:
        return self._tracer.start_as_current_span(
            f"{event.type} process",
            context=extract_context(headers),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.message.id": str(event.id),
                "messaging.consumer.group.name": self.subscription.durable,
            },
        )

    async def handle(self, message: Msg) -> None:
        metadata = message.metadata
        metrics.CONSUMER_LAG.labels(*self._labels).set(metadata.num_pending)
        try:
            event = CloudEvent.from_json(message.data)
        except ValidationError as exc:
            # Not an event at all: retrying cannot help.
            await self._dead_letter(
                message, None, f"not a CloudEvent: {exc}", metadata.num_delivered
            )
            await message.term()
            return
        with self._span(event, dict(message.headers or {})):
            try:
                applied = await self._apply(event, metadata.sequence.stream)
            except Exception as exc:
                if is_transient(exc):
                    raise
                metrics.CONSUMER_FAILURES.labels(*self._labels).inc()
                attempts = metadata.num_delivered
                if attempts >= self._max_deliver:
                    log.error(
                        "event %s failed %d times; dead-lettered", event.id, attempts, exc_info=True
                    )
                    await self._dead_letter(message, event, repr(exc), attempts)
                    await message.term()
                else:
                    log.warning("event %s failed (attempt %d): %r", event.id, attempts, exc)
                    await message.nak(delay=min(0.5 * 2 ** (attempts - 1), 30.0))
                return
        await message.ack()
        counter = metrics.CONSUMER_APPLIED if applied else metrics.CONSUMER_DUPLICATES
        counter.labels(*self._labels).inc()

    async def _apply(self, event: CloudEvent, stream_sequence: int) -> bool:
        """Apply the event unless the inbox has it; False for a duplicate."""
        async with self._unit_of_work() as uow:
            if not await self._claim(uow, event, stream_sequence):
                await uow.rollback()
                return False
            await self.subscription.handler(uow, event, stream_sequence)
            await uow.commit()
            return True

    async def _claim(self, uow: UnitOfWork, event: CloudEvent, sequence: int) -> bool:
        """Note in the inbox that this consumer applies `event`; False when it was noted
        already (a duplicate)."""
        row = inbox_row(
            self.subscription.durable,
            self.subscription.stream.name,
            event,
            sequence,
            current_trace_id(),
        )
        claimed = await uow.session.execute(
            pg_insert(inbox).values(row).on_conflict_do_nothing().returning(inbox.c.event_id)
        )
        return claimed.first() is not None

    async def _dead_letter(
        self, message: Msg, event: CloudEvent | None, error: str, attempts: int
    ) -> None:
        async with self._session_factory() as session:
            await session.execute(
                insert(dead_letter).values(
                    consumer=self.subscription.durable,
                    event_id=event.id if event else None,
                    subject=message.subject,
                    stream_sequence=message.metadata.sequence.stream,
                    payload=message.data,
                    headers=dict(message.headers or {}),
                    error=error[:4000],
                    attempts=attempts,
                )
            )
            await session.commit()
        metrics.CONSUMER_DEAD_LETTERS.labels(*self._labels).inc()

    async def redrive(self, ids: Sequence[int] = ()) -> Redriven:
        """Apply this consumer's dead letters again (all, or those with `ids`), oldest first,
        each in its own transaction that also removes it; one that fails again stays, with
        its new error and one more attempt. Safe beside the running consumer and a replay:
        the inbox decides who applies an event."""
        durable = self.subscription.durable
        result = Redriven(durable)
        async with self._session_factory() as session:
            query = select(dead_letter).where(dead_letter.c.consumer == durable)
            if ids:
                query = query.where(dead_letter.c.id.in_(ids))
            rows = (await session.execute(query.order_by(dead_letter.c.id))).mappings().all()
        for row in rows:
            try:
                event = CloudEvent.from_json(row["payload"])
                async with self._unit_of_work() as uow:
                    if await self._claim(uow, event, row["stream_sequence"]):
                        await self.subscription.handler(uow, event, row["stream_sequence"])
                        result.applied += 1
                    else:
                        result.duplicates += 1
                    await uow.session.execute(
                        delete(dead_letter).where(dead_letter.c.id == row["id"])
                    )
                    await uow.commit()
            except Exception as exc:
                if is_transient(exc):
                    raise
                result.failed.append((row["id"], repr(exc)))
                async with self._session_factory() as session:
                    await session.execute(
                        update(dead_letter)
                        .where(dead_letter.c.id == row["id"])
                        .values(
                            error=repr(exc)[:4000],
                            attempts=dead_letter.c.attempts + 1,
                            dead_at=func.now(),
                        )
                    )
                    await session.commit()
        return result
