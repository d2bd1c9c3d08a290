"""Read models built from another service's events: the pattern every projection follows.

One `Projection` per source stream (one module per stream), one handler per event type,
each reading the event with its own tolerant model (the services share a contract, not
code). Delivery is at least once and not always in order (a failed message is retried
after later ones), so every write is an upsert that an older event can never win: rows keep
the stream sequence of the event that set them (`upsert_newer`). Replaying the stream from
the start into empty tables gives the same rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy.dialects.postgresql import Insert, insert

from common.consumer import Subscription
from common.db import table_of
from common.events import CloudEvent
from common.messaging import StreamSpec
from common.uow import UnitOfWork

SEQUENCE = "source_sequence"
"""The column every read-model row keeps: the stream sequence of the event that set it."""


class Reader(BaseModel):
    """An event's data as a consumer reads it: unknown fields are ignored, so a producer may
    add fields without breaking its consumers."""

    model_config = ConfigDict(extra="ignore", frozen=True)


R = TypeVar("R", bound=Reader)
Apply = Callable[[UnitOfWork, Any, CloudEvent, int], Awaitable[None]]


class Projection:
    """The handlers of one source stream, as one durable consumer."""

    def __init__(self, service: str, *, durable: str) -> None:
        self.stream = StreamSpec.of_service(service)
        self.durable = durable
        self._handlers: dict[str, tuple[type[Reader], Apply]] = {}

    def on(
        self, event_type: str, reader: type[R]
    ) -> Callable[
        [Callable[[UnitOfWork, R, CloudEvent, int], Awaitable[None]]],
        Callable[[UnitOfWork, R, CloudEvent, int], Awaitable[None]],
    ]:
        """Decorator: `handler(uow, data, event, stream_sequence)` applies `event_type`."""

        def register(
            handler: Callable[[UnitOfWork, R, CloudEvent, int], Awaitable[None]],
        ) -> Callable[[UnitOfWork, R, CloudEvent, int], Awaitable[None]]:
            if event_type in self._handlers:
                raise ValueError(f"{event_type} has a handler already")
            self._handlers[event_type] = (reader, handler)
            return handler

        return register

    @property
    def readers(self) -> Mapping[str, type[Reader]]:
        """The event types handled, each with the model it is read with."""
        return {event_type: reader for event_type, (reader, _) in self._handlers.items()}

    async def apply(self, uow: UnitOfWork, event: CloudEvent, stream_sequence: int) -> None:
        """Event types without a handler are skipped (they are still in the inbox)."""
        entry = self._handlers.get(event.type)
        if entry is not None:
            reader, handler = entry
            await handler(uow, reader.model_validate(event.data), event, stream_sequence)

    @property
    def subscription(self) -> Subscription:
        return Subscription(
            durable=self.durable,
            stream=self.stream,
            filter_subject=self.stream.subjects[0],
            handler=self.apply,
        )


def upsert_newer(
    model: type[Any], key: Sequence[str], values: Mapping[str, Any], stream_sequence: int
) -> Insert:
    """Insert the model's row, or update it only if this event is newer than the one that
    set it: an older event delivered late, or a duplicate, changes nothing."""
    table = table_of(model)
    row = {**values, SEQUENCE: stream_sequence}
    statement = insert(table).values(row)
    changed = {name: statement.excluded[name] for name in row if name not in key}
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_=changed,
        where=table.c[SEQUENCE] < statement.excluded[SEQUENCE],
    )
