"""The NATS connection and the JetStream streams, one per producing service (its
`EventRegistry` says which; see `StreamSpec.of_service`).

The connection is made in the background with retries, so a service starts (and takes
writes into its outbox) while NATS is down; once connected, nats-py reconnects by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace

import nats
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError
from tenacity import AsyncRetrying, before_sleep_log, wait_exponential_jitter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    description: str
    # JetStream drops a second publish with the same Nats-Msg-Id inside this window.
    duplicate_window_seconds: float = 600.0
    # Put before every subject when several environments share one NATS (see `namespaced`).
    subject_prefix: str = ""

    @classmethod
    def of_service(cls, service: str) -> StreamSpec:
        """The stream a producing service publishes to: `CAPACITY` on `capacity.>`. A
        consumer names it by the service; no list of services is kept here."""
        return cls(service.upper(), (f"{service}.>",), f"Events of the {service} service.")

    def subject(self, event_type: str) -> str:
        """The NATS subject an event of `event_type` is published on."""
        return self.subject_prefix + event_type

    def namespaced(self, namespace: str) -> StreamSpec:
        """The same stream for one environment: `STAGING_CAPACITY` on `staging.capacity.>`."""
        if not namespace:
            return self
        prefix = f"{namespace}."
        return replace(
            self,
            name=f"{namespace.upper()}_{self.name}",
            subjects=tuple(prefix + subject for subject in self.subjects),
            subject_prefix=prefix,
        )

    def config(self, replicas: int = 1) -> StreamConfig:
        """`replicas`: copies kept on a cluster's servers (`NATS_STREAM_REPLICAS`), 1 on a
        single server."""
        # No max_age: history is kept so read models can be rebuilt by replay.
        return StreamConfig(
            name=self.name,
            subjects=list(self.subjects),
            description=self.description,
            storage=StorageType.FILE,
            duplicate_window=self.duplicate_window_seconds,
            num_replicas=replicas,
        )


class Messaging:
    def __init__(self, url: str, name: str, *, stream_replicas: int = 1) -> None:
        self._servers = [server.strip() for server in url.split(",") if server.strip()]
        self._name = name
        self._stream_replicas = stream_replicas
        self._client: NatsClient | None = None
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._ensured: set[str] = set()

    @property
    def is_connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect(), name="nats-connect")

    async def _connect(self) -> None:
        async for attempt in AsyncRetrying(
            wait=wait_exponential_jitter(multiplier=0.2, max=5),
            before_sleep=before_sleep_log(log, logging.WARNING),
        ):
            with attempt:
                self._client = await nats.connect(
                    servers=self._servers,
                    name=self._name,
                    connect_timeout=2,
                    reconnect_time_wait=0.5,
                    max_reconnect_attempts=-1,
                    allow_reconnect=True,
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                )
        self._connected.set()
        log.info("connected to NATS", extra={"servers": self._servers})

    async def _on_error(self, exc: Exception) -> None:
        log.warning("NATS error: %s", exc)

    async def _on_disconnected(self) -> None:
        log.warning("disconnected from NATS")

    async def _on_reconnected(self) -> None:
        log.info("reconnected to NATS")

    async def jetstream(self) -> JetStreamContext:
        await self._connected.wait()
        assert self._client is not None
        return self._client.jetstream()

    async def ensure_stream(self, spec: StreamSpec) -> None:
        """Create the stream, or bring its configuration up to date (idempotent). A stream
        kept in another number of copies than `stream_replicas` is scaled to it: the cluster
        copies it to the new servers (or drops the extra copies), and its durable consumers,
        which do not set their own count, follow it."""
        if spec.name in self._ensured:
            return
        js = await self.jetstream()
        config = spec.config(replicas=self._stream_replicas)
        try:
            await js.add_stream(config)
        except BadRequestError:
            # It exists with another configuration: the server refuses a create then.
            info = await js.update_stream(config)
            log.info("stream %s updated (%s replicas)", spec.name, info.config.num_replicas)
        self._ensured.add(spec.name)

    def forget_streams(self) -> None:
        """After a failure, check the streams again before the next use."""
        self._ensured.clear()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._client is not None and not self._client.is_closed:
            with contextlib.suppress(Exception):
                await self._client.close()
