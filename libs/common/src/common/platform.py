"""The runtime of one service process: database, NATS, token verifier, and the background
work (outbox relay, consumers, housekeeping, the service's own workers)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text

from common.auth import JwksSource, TokenVerifier
from common.consumer import InboxConsumer, Subscription
from common.db import create_engine, create_session_factory
from common.events import CloudEvent
from common.messaging import Messaging, StreamSpec
from common.outbox import OutboxRelay
from common.settings import ServiceSettings
from common.uow import UnitOfWork

log = logging.getLogger(__name__)

Worker = Callable[["Platform"], Awaitable[None]]

HOUSEKEEPING_INTERVAL_SECONDS = 600
SHUTDOWN_STEP_SECONDS = 5.0


def _awaiting(task: asyncio.Task[None]) -> str:
    """Where a task is stuck: the chain of awaits down to the innermost one."""
    frames: list[str] = []
    awaitable: Any = task.get_coro()
    while awaitable is not None and len(frames) < 30:
        frame = getattr(awaitable, "cr_frame", None) or getattr(awaitable, "ag_frame", None)
        if frame is not None:
            frames.append(f"{frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_lineno}")
        awaitable = getattr(awaitable, "cr_await", None) or getattr(awaitable, "ag_await", None)
    return " > ".join(frames) or repr(task)


class Platform:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        stream: StreamSpec | None = None,
        subscriptions: Sequence[Subscription] = (),
        workers: Sequence[Worker] = (),
        jwks: JwksSource | None = None,
        conflicts: Mapping[str, str] | None = None,
    ) -> None:
        """`stream`: where this service publishes its outbox (none: it publishes nothing);
        `conflicts`: constraint names whose violation is a 409, with its detail."""
        self.settings = settings
        self.service = settings.service_name
        self.engine = create_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            application_name=settings.service_name,
        )
        self.conflicts = dict(conflicts or {})
        self.session_factory = create_session_factory(self.engine)
        # Reads without BEGIN/COMMIT round trips; each statement sees committed data.
        self.read_session_factory = create_session_factory(
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self.messaging = Messaging(
            settings.nats_url,
            name=settings.service_name,
            stream_replicas=settings.nats_stream_replicas,
        )
        self.verifier = TokenVerifier(
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            jwks=jwks or JwksSource(settings.auth_jwks_url),
        )
        namespace = settings.nats_namespace
        stream = stream.namespaced(namespace) if stream is not None else None
        subscriptions = [subscription.namespaced(namespace) for subscription in subscriptions]
        self.stream = stream
        self.relay = (
            OutboxRelay(
                self.engine,
                self.messaging,
                stream,
                service=self.service,
                database_url=settings.database_url,
                batch_size=settings.outbox_batch_size,
                poll_interval=settings.outbox_poll_interval_seconds,
            )
            if stream is not None
            else None
        )
        self.consumers = [
            InboxConsumer(
                subscription,
                self.messaging,
                self.unit_of_work,
                self.session_factory,
                service=self.service,
                max_deliver=settings.consumer_max_deliver,
                ack_wait=settings.consumer_ack_wait_seconds,
                batch_size=settings.consumer_batch_size,
            )
            for subscription in subscriptions
        ]
        self._workers = list(workers)
        # Called with the events of every committed unit of work (e.g. to drop local caches).
        self.commit_listeners: list[Callable[[list[CloudEvent]], None]] = []
        self._tasks: list[asyncio.Task[None]] = []

    @asynccontextmanager
    async def unit_of_work(self, *, read_only: bool = False) -> AsyncIterator[UnitOfWork]:
        """A transaction; nothing is kept unless `commit()` is called."""
        factory = self.read_session_factory if read_only else self.session_factory
        uow = UnitOfWork(
            factory,
            self.engine,
            self.service,
            read_only=read_only,
            commit_listeners=self.commit_listeners,
            conflicts=self.conflicts,
        )
        try:
            yield uow
        finally:
            await uow.close()

    async def start(self) -> None:
        self.messaging.start()
        if self.relay is not None and self.settings.outbox_relay_enabled:
            self._spawn(self.relay.run(), "outbox-relay")
        for consumer in self.consumers:
            self._spawn(consumer.run(), f"consumer-{consumer.subscription.durable}")
        self._spawn(self._housekeeping(), "housekeeping")
        for worker in self._workers:
            self._spawn(worker(self), getattr(worker, "__name__", "worker"))

    def _spawn(self, coroutine: Awaitable[None], name: str) -> None:
        async def supervised() -> None:
            try:
                await coroutine
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background task %s stopped", name)
                raise

        self._tasks.append(asyncio.create_task(supervised(), name=name))

    async def stop(self) -> None:
        """Cancel the background work and close the connections, each step bounded in time
        so that a stuck peer never keeps the process from exiting."""
        # Cancel again until they stop: on Python 3.11 a cancellation that coincides with a
        # timeout or a wake-up can be swallowed by asyncio.
        pending = set(self._tasks)
        deadline = asyncio.get_running_loop().time() + SHUTDOWN_STEP_SECONDS
        while pending and asyncio.get_running_loop().time() < deadline:
            for task in pending:
                task.cancel()
            _done, pending = await asyncio.wait(pending, timeout=0.2)
        for task in pending:
            log.warning(
                "background task %s did not stop in time: %s", task.get_name(), _awaiting(task)
            )
        self._tasks.clear()
        closings = (("nats", self.messaging.close()), ("database", self.engine.dispose()))
        for name, closing in closings:
            try:
                async with asyncio.timeout(SHUTDOWN_STEP_SECONDS):
                    await closing
            except (TimeoutError, Exception) as exc:
                log.warning("closing %s failed: %r", name, exc)

    async def _housekeeping(self) -> None:
        """Forget what is no longer needed: sent outbox rows, expired idempotency keys."""
        settings = self.settings
        while True:
            try:
                async with self.engine.begin() as connection:
                    await connection.execute(
                        text(
                            "DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => :s)"
                        ),
                        {"s": settings.outbox_retention_hours * 3600},
                    )
                    await connection.execute(
                        text(
                            "DELETE FROM idempotency_key "
                            "WHERE created_at < now() - make_interval(secs => :s)"
                        ),
                        {"s": settings.idempotency_ttl_hours * 3600},
                    )
            except Exception as exc:
                log.warning("housekeeping failed: %s", exc)
            await asyncio.sleep(HOUSEKEEPING_INTERVAL_SECONDS)
