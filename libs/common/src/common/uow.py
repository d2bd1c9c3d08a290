"""The unit of work: one database transaction per request or message, committed once.

Repositories read through `session` (the ORM) or, for the hot reads the benchmark names,
through `fetch` on the driver connection; they add new entities with `add`. Services add
events with `emit` and audit entries with `audit`. Added rows wait until commit, so the
change, its outbox events and its audit entries are written together or not at all. When a
unit only added rows (the common write: a new record with its event and audit
entry) they go to the database as one statement, a single round trip that is its own
transaction. A constraint marked as a conflict (`common.db.CONFLICT`) that a write breaks,
whenever the database notices, becomes a 409 problem.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg
from opentelemetry.trace import SpanKind
from sqlalchemy import Table, bindparam, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import PoolProxiedConnection

from common.auth import Principal
from common.db import (
    DriverStatement,
    checkout_driver,
    fill_defaults,
    is_transient,
    release,
    row_of,
    table_of,
    violated_constraint,
)
from common.errors import Conflict
from common.events import CloudEvent, D, EventType
from common.ids import new_id
from common.platform_tables import audit_event, outbox
from common.telemetry import current_trace_id, inject_context, spans_recorded, tracer

_tracer = tracer(__name__)
# A one-statement write per shape (tables, columns and rows in order), compiled once, with
# its parameters' names in the order the rows' values come.
_statements: dict[tuple[Any, ...], tuple[DriverStatement, list[str]]] = {}

Outcome = Literal["granted", "forbidden", "not_found"]
Pending = tuple[Table, Any]  # a table and its row: a dict, or an entity mapped to the table


class UnitOfWork:
    """`read_only` units (GET requests) read without a transaction; what they add (audit
    entries) is written at the end in one statement. Services never need to know which."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        engine: AsyncEngine,
        service: str,
        *,
        read_only: bool = False,
        commit_listeners: Sequence[Callable[[list[CloudEvent]], None]] = (),
        conflicts: Mapping[str, str] | None = None,
    ) -> None:
        self._commit_listeners = commit_listeners
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._pooled: PoolProxiedConnection | None = None
        # Driver connections done with, given back at close: returning one may close it,
        # which awaits (see common.db.release), and they are let go of in sync code.
        self._retired: list[tuple[PoolProxiedConnection, bool]] = []
        self._engine = engine
        self._conflicts = conflicts or {}
        self.read_only = read_only
        self.service = service
        self.actor: Principal | None = None
        self.events: list[CloudEvent] = []
        self._pending: list[Pending] = []
        self._denials: list[dict[str, Any]] = []

    @property
    def session(self) -> AsyncSession:
        """The session, opened on first use (a unit that only adds rows never needs one)."""
        if self._session is None:
            # One connection per unit at a time: the session takes over from the driver's.
            self._release_pooled()
            self._session = self._session_factory()
        return self._session

    async def _driver(self) -> asyncpg.Connection:
        """The unit's asyncpg connection. A writing unit's is its session's (one transaction,
        its locks); a reading unit's comes straight from the pool, in autocommit."""
        if not self.read_only or (self._session is not None and self._session.in_transaction()):
            connection = await self.session.connection()
            raw = await connection.get_raw_connection()
            return raw.driver_connection
        return await self._autocommit_connection()

    async def _autocommit_connection(self) -> asyncpg.Connection:
        if self._pooled is None:
            self._pooled = await checkout_driver(self._engine)
        return self._pooled.driver_connection

    async def fetch(self, statement: DriverStatement, **parameters: Any) -> list[dict[str, Any]]:
        """Rows of a statement run on the driver connection, converted by the columns' types."""
        connection = await self._driver()
        with _statement_span("SELECT", statement.sql), self._discarded_if_broken():
            records = await connection.fetch(statement.sql, *statement.arguments(parameters))
        return [statement.values(record) for record in records]

    async def fetch_one(
        self, statement: DriverStatement, **parameters: Any
    ) -> dict[str, Any] | None:
        rows = await self.fetch(statement, **parameters)
        return rows[0] if rows else None

    @contextlib.contextmanager
    def _discarded_if_broken(self) -> Iterator[None]:
        """A pooled connection that failed (database restart, network) never goes back; a
        constraint marked as a conflict is answered as one."""
        try:
            yield
        except Exception as exc:
            if self._pooled is not None and is_transient(exc):
                self._retired.append((self._pooled, True))
                self._pooled = None
            self._raise_conflict(exc)
            raise

    def _raise_conflict(self, exc: Exception) -> None:
        detail = self._conflicts.get(violated_constraint(exc) or "")
        if detail is not None:
            raise Conflict(detail) from None

    def _release_pooled(self) -> None:
        if self._pooled is not None:
            self._retired.append((self._pooled, False))
            self._pooled = None

    async def close(self) -> None:
        self._release_pooled()
        retired, self._retired = self._retired, []
        for pooled, broken in retired:
            await release(pooled, invalidate=broken)
        if self._session is not None:
            await self._session.close()

    def add(self, entity: Any) -> None:
        """Add a new entity, written at commit with everything else (for repositories:
        services add through them). Its Python-side defaults are filled in now, so it can be
        answered at once; its row is taken at commit, so later changes to it count."""
        fill_defaults(entity)
        self._pending.append((table_of(type(entity)), entity))

    def _add_row(self, table: Table, row: dict[str, Any]) -> None:
        self._pending.append((table, row))

    def emit(
        self,
        event_type: EventType[D],
        *,
        subject: UUID | str,
        data: D,
        time: datetime | None = None,
    ) -> CloudEvent:
        """Record an event to be published after commit (through the outbox)."""
        headers = inject_context()
        event = event_type.build(
            subject=str(subject), data=data, time=time, traceparent=headers.get("traceparent")
        )
        self.events.append(event)
        self._add_row(
            outbox,
            {"id": event.id, "subject": event.type, "payload": event.to_json(), "headers": headers},
        )
        return event

    def audit(
        self,
        action: str,
        resource_type: str,
        resource_id: UUID | str | None = None,
        purpose: str | None = None,
        *,
        outcome: Outcome = "granted",
        listed: Sequence[UUID] = (),
    ) -> None:
        """Record who touched (or tried to touch) which child-level record. A granted access
        is written with the unit's change; a denied one (`forbidden`, `not_found`) even
        though the unit is rolled back, so the trail shows who tried to see what they may
        not. A list's answer is one entry naming every record it showed (`listed`)."""
        actor = self.actor
        entry = {
            "id": new_id(),
            "client_id": actor.client_id if actor else self.service,
            "subject": actor.subject if actor else self.service,
            "action": action,
            "outcome": outcome,
            "resource_type": resource_type,
            "resource_id": str(resource_id) if resource_id is not None else None,
            "purpose": purpose,
            "trace_id": current_trace_id(),
            "resource_ids": [str(record) for record in listed] if listed else None,
        }
        if outcome != "granted":
            self._denials.append(entry)
        else:
            self._add_row(audit_event, entry)

    async def flush(self) -> None:
        """Write the added rows inside the session's transaction (in the order added)."""
        try:
            for table, rows in _grouped(self._pending):
                await self.session.execute(insert(table), rows)
        except IntegrityError as exc:
            self._raise_conflict(exc)
            raise
        self._pending = []

    async def commit(self) -> None:
        untouched = self._session is None or not self._session.in_transaction()
        if self._pending and (self.read_only or untouched):
            await self._write_in_one_statement()
        if self._session is not None:
            await self.flush()
            try:
                await self._session.commit()
            except IntegrityError as exc:
                self._raise_conflict(exc)
                raise
        if self.events:
            for listener in self._commit_listeners:
                listener(self.events)

    async def rollback(self) -> None:
        self._pending = []
        self.events = []
        if self._session is not None:
            await self._session.rollback()

    async def write_denials(self) -> None:
        """After a rollback: the denied attempts, which outlive the unit's change."""
        if self._denials:
            self._pending = [(audit_event, entry) for entry in self._denials]
            self._denials = []
            await self.commit()

    async def _write_in_one_statement(self) -> None:
        """Nothing was read or written in a transaction before: every added row goes in one
        INSERT … CTE, which PostgreSQL runs as its own transaction."""
        groups = _grouped(self._pending)
        shape = tuple((table.name, tuple(rows[0]), len(rows)) for table, rows in groups)
        compiled = _statements.get(shape)
        if compiled is None:
            names = [
                _parameter(number, index, column)
                for number, (_table, rows) in enumerate(groups)
                for index, row in enumerate(rows)
                for column in row
            ]
            compiled = _statements[shape] = (DriverStatement(_insert_all(groups)), names)
        statement, names = compiled
        values = [value for _table, rows in groups for row in rows for value in row.values()]
        parameters = dict(zip(names, values, strict=True))
        # A reading unit that has read reuses its connection (autocommit): never hold one
        # connection while waiting for a second.
        connection = await self._driver() if self.read_only else await self._autocommit_connection()
        with _statement_span("INSERT unit of work", statement.sql), self._discarded_if_broken():
            await connection.execute(statement.sql, *statement.arguments(parameters))
        self._pending = []


def _parameter(group: int, row: int, column: str) -> str:
    return f"g{group}_r{row}_{column}"


def _insert_all(groups: list[tuple[Table, list[dict[str, Any]]]]) -> Any:
    """`WITH w0 AS (INSERT …), w1 AS (INSERT …) INSERT …`: every group in one statement."""
    inserts = [
        insert(table).values(
            [
                {
                    column: bindparam(_parameter(number, index, column), type_=table.c[column].type)
                    for column in rows[0]
                }
                for index in range(len(rows))
            ]
        )
        for number, (table, rows) in enumerate(groups)
    ]
    *first, last = inserts
    for number, statement in enumerate(first):
        last = last.add_cte(statement.cte(f"w{number}"))
    return last


def _statement_span(name: str, sql: str) -> contextlib.AbstractContextManager[object]:
    """A client span for SQL sent past SQLAlchemy (whose statements its instrumentation
    traces), when spans are recorded at all."""
    if not spans_recorded():
        return contextlib.nullcontext()
    return _tracer.start_as_current_span(
        name,
        kind=SpanKind.CLIENT,
        attributes={"db.system": "postgresql", "db.statement": sql[:2000]},
    )


def _grouped(pending: Sequence[Pending]) -> list[tuple[Table, list[dict[str, Any]]]]:
    """Rows as dicts (an entity's with its defaults filled in); consecutive rows of the same
    table and columns become one multi-row insert."""
    groups: list[tuple[Table, list[dict[str, Any]]]] = []
    for table, item in pending:
        row = item if isinstance(item, dict) else row_of(item)
        if groups and groups[-1][0] is table and groups[-1][1][0].keys() == row.keys():
            groups[-1][1].append(row)
        else:
            groups.append((table, [row]))
    return groups
