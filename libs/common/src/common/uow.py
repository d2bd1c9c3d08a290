"""The unit of work: one database transaction per request or message, committed once.

Services read and change rows through `session`, add rows with `insert`, events with `emit`
and audit entries with `audit`. Hot reads written in SQL go through `fetch`/`fetchrow` on the
driver connection, skipping the ORM's per-statement cost (most of a small request's CPU).
Added rows wait until commit, so the change, its outbox events and its audit entries are
written together or not at all. When the unit of work only adds rows (the common write: a new
request with its event and audit entry) they go to the database as one statement, a single
round trip that is its own transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from opentelemetry.trace import SpanKind
from sqlalchemy import Table, insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import PoolProxiedConnection

from common.auth import Principal
from common.db import checkout_driver, is_transient
from common.events import CloudEvent, D, EventType
from common.ids import new_id
from common.platform_tables import audit_event, outbox
from common.telemetry import current_trace_id, inject_context, spans_recorded, tracer

_tracer = tracer(__name__)
# Per shape of a one-statement write: its SQL and which parameters are JSON.
_statements: dict[tuple[Any, ...], tuple[str, frozenset[int]]] = {}


class UnitOfWork:
    """`read_only` units (GET requests) read without a transaction; what they add (audit
    entries) is written at the end in one statement."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        engine: AsyncEngine,
        service: str,
        *,
        read_only: bool = False,
        commit_listeners: Sequence[Callable[[list[CloudEvent]], None]] = (),
    ) -> None:
        self._commit_listeners = commit_listeners
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._pooled: PoolProxiedConnection | None = None
        self._engine = engine
        self.read_only = read_only
        self.service = service
        self.actor: Principal | None = None
        self.events: list[CloudEvent] = []
        self._pending: list[tuple[Table, dict[str, Any]]] = []

    @property
    def session(self) -> AsyncSession:
        """The session, opened on first use (a unit that only adds rows never needs one)."""
        if self._session is None:
            # One connection per unit at a time: the session takes over from `driver()`'s.
            self._release_pooled()
            self._session = self._session_factory()
        return self._session

    async def driver(self) -> asyncpg.Connection:
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

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        connection = await self.driver()
        with _statement_span("SELECT", sql), self._discarded_if_broken():
            rows: list[asyncpg.Record] = await connection.fetch(sql, *args)
        return rows

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        connection = await self.driver()
        with _statement_span("SELECT", sql), self._discarded_if_broken():
            row: asyncpg.Record | None = await connection.fetchrow(sql, *args)
        return row

    @contextlib.contextmanager
    def _discarded_if_broken(self) -> Iterator[None]:
        """A pooled connection that failed (database restart, network) never goes back."""
        try:
            yield
        except Exception as exc:
            if self._pooled is not None and is_transient(exc):
                self._pooled.invalidate()
                self._pooled = None
            raise

    def _release_pooled(self) -> None:
        if self._pooled is not None:
            self._pooled.close()
            self._pooled = None

    async def close(self) -> None:
        self._release_pooled()
        if self._session is not None:
            await self._session.close()

    def insert(self, table: Table, values: dict[str, Any]) -> None:
        """Add a row, written at commit with everything else."""
        self._pending.append((table, values))

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
        self.insert(
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
    ) -> None:
        """Record who touched which child-level record, in the same transaction."""
        actor = self.actor
        self.insert(
            audit_event,
            {
                "id": new_id(),
                "client_id": actor.client_id if actor else self.service,
                "subject": actor.subject if actor else self.service,
                "action": action,
                "resource_type": resource_type,
                "resource_id": str(resource_id) if resource_id is not None else None,
                "purpose": purpose,
                "trace_id": current_trace_id(),
            },
        )

    async def flush(self) -> None:
        """Write the added rows inside the session's transaction (in the order added)."""
        for table, rows in _grouped(self._pending):
            await self.session.execute(insert(table), rows)
        self._pending = []

    async def commit(self) -> None:
        untouched = self._session is None or not self._session.in_transaction()
        if self._pending and (self.read_only or untouched):
            await self._write_in_one_statement()
        if self._session is not None:
            await self.flush()
            await self._session.commit()
        if self.events:
            for listener in self._commit_listeners:
                listener(self.events)

    async def rollback(self) -> None:
        self._pending = []
        self.events = []
        if self._session is not None:
            await self._session.rollback()

    async def _write_in_one_statement(self) -> None:
        """Nothing was read or written before: every added row goes in one INSERT … CTE,
        which PostgreSQL runs as its own transaction."""
        groups = _grouped(self._pending)
        shape = tuple((table.name, tuple(rows[0]), len(rows)) for table, rows in groups)
        statement = _statements.get(shape)
        if statement is None:
            statement = _statements[shape] = (_cte_sql(groups), _json_parameters(groups))
        sql, json_parameters = statement
        args = [row[column] for _table, rows in groups for row in rows for column in rows[0]]
        for index in json_parameters:
            if args[index] is not None:
                args[index] = orjson.dumps(args[index]).decode()
        # A reading unit that has read reuses its connection (autocommit): never hold one
        # connection while waiting for a second.
        connection = await self.driver() if self.read_only else await self._autocommit_connection()
        with _statement_span("INSERT unit of work", sql), self._discarded_if_broken():
            await connection.execute(sql, *args)
        self._pending = []


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


def _grouped(
    pending: Sequence[tuple[Table, dict[str, Any]]],
) -> list[tuple[Table, list[dict[str, Any]]]]:
    """Consecutive rows of the same table and columns become one multi-row insert."""
    groups: list[tuple[Table, list[dict[str, Any]]]] = []
    for table, row in pending:
        if groups and groups[-1][0] is table and groups[-1][1][0].keys() == row.keys():
            groups[-1][1].append(row)
        else:
            groups.append((table, [row]))
    return groups


def _cte_sql(groups: list[tuple[Table, list[dict[str, Any]]]]) -> str:
    parts = []
    number = 0
    for table, rows in groups:
        columns = list(rows[0])
        values = []
        for _row in rows:
            placeholders = []
            for _column in columns:
                number += 1
                placeholders.append(f"${number}")
            values.append(f"({', '.join(placeholders)})")
        column_list = ", ".join(f'"{column}"' for column in columns)
        # Identifiers come from our own table definitions; every value is a bound parameter.
        parts.append(f'INSERT INTO "{table.name}" ({column_list}) VALUES {", ".join(values)}')  # noqa: S608
    *first, last = parts
    if not first:
        return last
    ctes = ", ".join(f"w{index} AS ({part})" for index, part in enumerate(first))
    return f"WITH {ctes} {last}"


def _json_parameters(groups: list[tuple[Table, list[dict[str, Any]]]]) -> frozenset[int]:
    """The parameters asyncpg takes as JSON text (the one conversion SQLAlchemy would make)."""
    columns = [
        isinstance(table.c[column].type, JSONB)
        for table, rows in groups
        for _row in rows
        for column in rows[0]
    ]
    return frozenset(index for index, is_json in enumerate(columns) if is_json)
