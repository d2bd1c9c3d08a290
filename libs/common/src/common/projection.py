"""Read models built from another service's events: the pattern every projection follows.

One `Projection` per source stream (one module per stream), one handler per event type,
each reading the event with its own tolerant model (the services share a contract, not
code) and returning the facts it states (`Fact`: a row of a read-model table). A fact is
never updated: a later event adds its own row (a discharge beside its admission, a new
version of a contract beside the old one). So delivery order does not matter (a failed
message is retried after later ones), a duplicate changes nothing (`ON CONFLICT DO
NOTHING`), replaying the stream into empty tables gives the same rows, and every row keeps
when its event was recorded (`recorded_at`): the read models can be read as they were
known at any instant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert

from common.consumer import Subscription
from common.db import table_of
from common.events import CloudEvent
from common.messaging import StreamSpec
from common.uow import UnitOfWork

SEQUENCE = "source_sequence"
"""The stream sequence of the event behind a row."""
RECORDED_AT = "recorded_at"
"""When the source service recorded the event behind a row (the event's time): what an
answer "as known at" an instant filters on."""
EVENT_ID = "event_id"


class Reader(BaseModel):
    """An event's data as a consumer reads it: unknown fields are ignored, so a producer may
    add fields without breaking its consumers."""

    model_config = ConfigDict(extra="ignore", frozen=True)


@dataclass(frozen=True)
class Fact:
    """A row an event states, for `model`'s table; the projection adds the event's id,
    stream sequence and recorded time where the table keeps them."""

    model: type[Any]
    values: Mapping[str, Any]


R = TypeVar("R", bound=Reader)
Handler = Callable[[R, CloudEvent], Iterable[Fact]]


class Projection:
    """The handlers of one source stream, as one durable consumer."""

    def __init__(self, service: str, *, durable: str, version: int = 1) -> None:
        """`version`: raise it when the facts the handlers write change shape or meaning;
        read models built by another version are rebuilt from the stream."""
        self.stream = StreamSpec.of_service(service)
        self.durable = durable
        self.version = version
        self._handlers: dict[str, tuple[type[Reader], Handler[Any]]] = {}

    def on(self, event_type: str, reader: type[R]) -> Callable[[Handler[R]], Handler[R]]:
        """Decorator: `handler(data, event)` returns the facts `event_type` states."""

        def register(handler: Handler[R]) -> Handler[R]:
            if event_type in self._handlers:
                raise ValueError(f"{event_type} has a handler already")
            self._handlers[event_type] = (reader, handler)
            return handler

        return register

    @property
    def readers(self) -> Mapping[str, type[Reader]]:
        """The event types handled, each with the model it is read with."""
        return {event_type: reader for event_type, (reader, _) in self._handlers.items()}

    def rows(self, event: CloudEvent, stream_sequence: int) -> list[tuple[Table, dict[str, Any]]]:
        """The rows `event` adds (none for a type without a handler: it is still in the
        inbox)."""
        entry = self._handlers.get(event.type)
        if entry is None:
            return []
        reader, handler = entry
        stamps = {EVENT_ID: event.id, SEQUENCE: stream_sequence, RECORDED_AT: event.time}
        rows = []
        for fact in handler(reader.model_validate(event.data), event):
            table = table_of(fact.model)
            extra = {name: value for name, value in stamps.items() if name in table.c}
            rows.append((table, {**extra, **fact.values}))
        return rows

    async def apply(self, uow: UnitOfWork, event: CloudEvent, stream_sequence: int) -> None:
        await write(uow, self.rows(event, stream_sequence))

    @property
    def subscription(self) -> Subscription:
        return Subscription(
            durable=self.durable,
            stream=self.stream,
            filter_subject=self.stream.subjects[0],
            handler=self.apply,
        )


async def write(uow: UnitOfWork, rows: Sequence[tuple[Table, dict[str, Any]]]) -> None:
    """Insert the rows, one execute-many per table (a statement compiled once, not a
    VALUES list compiled for each batch: that was three quarters of a replay's time); a
    row already there (a duplicate) is left as it is."""
    grouped: dict[str, tuple[Table, list[dict[str, Any]]]] = {}
    for table, row in rows:
        grouped.setdefault(table.name, (table, []))[1].append(row)
    for table, table_rows in grouped.values():
        await uow.session.execute(insert(table).on_conflict_do_nothing(), table_rows)
