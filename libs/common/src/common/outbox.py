"""The outbox relay: publishes committed outbox rows to JetStream.

Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several relays (replicas) share the
work without sending a row twice at the same time; each publish carries `Nats-Msg-Id` =
event id and waits for JetStream's ack before the row is marked sent, so a crash between
publish and mark only causes a duplicate that JetStream (and every consumer's inbox) drops.
The relay wakes on `NOTIFY outbox` (sent by a trigger on insert) and polls as a fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import asyncpg
import orjson
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine
from tenacity import AsyncRetrying, before_sleep_log, wait_exponential_jitter

from common import metrics
from common.db import driver_connection, plain_url
from common.messaging import Messaging, StreamSpec
from common.telemetry import extract_context, inject_context, spans_recorded, tracer

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "outbox"

# In SQL on the driver connection: the relay runs a round per commit at low load, and the
# ORM's per-statement cost would be most of it.
_CLAIM = """
    SELECT id, subject, payload, headers::text AS headers FROM outbox
     WHERE sent_at IS NULL
     ORDER BY created_at, id
     LIMIT $1
     FOR UPDATE SKIP LOCKED
"""
_MARK_SENT = "UPDATE outbox SET sent_at = now() WHERE id = ANY($1::uuid[])"
_BACKLOG = """
    SELECT count(*) AS backlog,
           coalesce(extract(epoch FROM now() - min(created_at)), 0) AS oldest_age
      FROM outbox WHERE sent_at IS NULL
"""


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        messaging: Messaging,
        stream: StreamSpec,
        *,
        service: str,
        database_url: str,
        batch_size: int = 200,
        poll_interval: float = 1.0,
        publish_timeout: float = 5.0,
    ) -> None:
        self._engine = engine
        self._messaging = messaging
        self._stream = stream
        self._service = service
        self._database_url = database_url
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._publish_timeout = publish_timeout
        self._wakeup = asyncio.Event()
        self._last_backlog_check = 0.0
        self._tracer = tracer(__name__)

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen(), name="outbox-listen")
        try:
            while True:
                sent = await self._relay_with_retry()
                await self._update_backlog_metrics()
                if sent >= self._batch_size:
                    continue  # more is waiting
                self._wakeup.clear()
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
                # that arrives together with the wake-up, and the relay would never stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_interval):
                        await self._wakeup.wait()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _relay_with_retry(self) -> int:
        async for attempt in AsyncRetrying(
            wait=wait_exponential_jitter(multiplier=0.2, max=5),
            before_sleep=before_sleep_log(log, logging.WARNING),
        ):
            with attempt:
                try:
                    return await self.relay_once()
                except Exception:
                    metrics.OUTBOX_PUBLISH_FAILURES.labels(self._service).inc()
                    self._messaging.forget_streams()
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def relay_once(self) -> int:
        """Publish one batch of unsent rows; the number published."""
        js = await self._messaging.jetstream()
        await self._messaging.ensure_stream(self._stream)
        sent = []
        failure: Exception | None = None
        async with driver_connection(self._engine) as connection, connection.transaction():
            rows = await connection.fetch(_CLAIM, self._batch_size)
            for row in rows:
                stored = orjson.loads(row["headers"] or "{}")
                with self._publish_span(row, stored):
                    # Recorded: the publish span's context; else the request's, as stored.
                    context = inject_context() if spans_recorded() else stored
                    headers = {**context, "Nats-Msg-Id": str(row["id"])}
                    try:
                        await js.publish(
                            self._stream.subject(row["subject"]),
                            bytes(row["payload"]),
                            headers=headers,
                            timeout=self._publish_timeout,
                        )
                    except Exception as exc:
                        failure = exc
                        break
                sent.append(row["id"])
            if sent:
                await connection.execute(_MARK_SENT, sent)
        metrics.OUTBOX_PUBLISHED.labels(self._service).inc(len(sent))
        if failure is not None:
            raise failure
        return len(sent)

    def _publish_span(
        self, row: asyncpg.Record, stored: dict[str, str]
    ) -> contextlib.AbstractContextManager[object]:
        if not spans_recorded():
            return contextlib.nullcontext()
        return self._tracer.start_as_current_span(
            f"{row['subject']} publish",
            context=extract_context(stored),
            kind=SpanKind.PRODUCER,
            attributes={"messaging.system": "nats", "messaging.message.id": str(row["id"])},
        )

    async def _update_backlog_metrics(self) -> None:
        now = time.monotonic()
        if now - self._last_backlog_check < 1.0:
            return
        self._last_backlog_check = now
        try:
            async with driver_connection(self._engine) as connection:
                row = await connection.fetchrow(_BACKLOG)
        except Exception:  # metrics must never stop the relay
            log.debug("outbox backlog query failed", exc_info=True)
            return
        metrics.OUTBOX_BACKLOG.labels(self._service).set(row["backlog"])
        metrics.OUTBOX_OLDEST_UNSENT_AGE.labels(self._service).set(float(row["oldest_age"]))

    async def _listen(self) -> None:
        """Hold a LISTEN connection; reconnect after a database restart."""
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(plain_url(self._database_url))
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _c, lost=lost: lost.set())
                await connection.add_listener(NOTIFY_CHANNEL, lambda *_args: self._wakeup.set())
                self._wakeup.set()  # rows may have arrived while we were not listening
                await lost.wait()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("outbox LISTEN connection failed: %s", exc)
            finally:
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close()
            await asyncio.sleep(1.0)
