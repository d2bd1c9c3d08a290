"""Async SQLAlchemy 2 on asyncpg: engine, sessions, the constraint naming convention, the
enum column, statements compiled once for the driver, and what a failed statement means.

PostgreSQL only; there is deliberately no other code path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from enum import Enum as PyEnum
from typing import Any, cast

import asyncpg
import orjson
from sqlalchemy import Constraint, Enum, Float, Index, MetaData, Numeric, Table, inspect
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.util import greenlet_spawn

# Named constraints make Alembic migrations stable and error messages readable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
CONFLICT = "conflict"
"""The `info` key of a constraint or unique index whose violation is a 409, not a bug: its
value is the problem's detail, e.g. `UniqueConstraint(..., info={CONFLICT: "…"})`."""


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum: type[PyEnum], name: str) -> Enum:
    """Enums are stored as text with a CHECK, so adding a value is a plain migration."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# The dialect the engines use, for statements sent straight to the driver.
DIALECT: PGDialect_asyncpg = PGDialect_asyncpg(  # type: ignore[no-untyped-call]
    json_serializer=_json_dumps, json_deserializer=orjson.loads
)


class DriverStatement:
    """A SQLAlchemy Core statement compiled once and run on the asyncpg connection itself:
    the same SQL and the same type conversions (enums, JSON, …) SQLAlchemy would apply, in
    both directions, without its per-statement cost (for hot paths the benchmark names).
    Parameters are `bindparam`s, given by name."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=DIALECT))
        self.sql = str(compiled)
        if "POSTCOMPILE" in self.sql:
            raise ValueError("`in_()` expands at execution; compare with `or_()` or `any_()`")
        self._binds = []
        self._constants: dict[str, Any] = {}
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            self._binds.append((name, _bind_processor(bind.type)))
            if not bind.required:  # a constant of the statement itself
                self._constants[name] = compiled.params[name]
        columns: list[ColumnElement[Any]] = list(getattr(statement, "selected_columns", ()))
        self._keys = [str(column.key) for column in columns]
        self._processed = [
            (str(column.key), processor)
            for column in columns
            if (processor := _result_processor(column.type)) is not None
        ]

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        parameters = {**self._constants, **parameters}
        missing = [name for name, _ in self._binds if name not in parameters]
        if missing:
            raise TypeError(f"parameters {missing} not given")
        return [
            process(parameters[name]) if process is not None else parameters[name]
            for name, process in self._binds
        ]

    def values(self, record: asyncpg.Record) -> dict[str, Any]:
        """One row as `{column key: value}`, converted as SQLAlchemy would."""
        values = dict(zip(self._keys, record, strict=True))
        for key, process in self._processed:
            if values[key] is not None:
                values[key] = process(values[key])
        return values


def _bind_processor(type_: Any) -> Callable[[Any], Any] | None:
    processor: Callable[[Any], Any] | None = type_.dialect_impl(DIALECT).bind_processor(DIALECT)
    return processor


def _result_processor(type_: Any) -> Callable[[Any], Any] | None:
    # Numbers are converted by what the database reported (SQLAlchemy passes the driver's
    # type code): what PostgreSQL reports for a column of that type (float8, numeric).
    reported = 701 if isinstance(type_, Float) else 1700 if isinstance(type_, Numeric) else None
    processor: Callable[[Any], Any] | None = type_.dialect_impl(DIALECT).result_processor(
        DIALECT, reported
    )
    return processor


_MAPPED: dict[type[Any], tuple[tuple[tuple[str, str], ...], tuple[tuple[str, Any], ...]]] = {}


def _mapped(model: type[Any]) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, Any], ...]]:
    """A model's (attribute, column name) pairs, and the attributes with a Python-side
    default."""
    found = _MAPPED.get(model)
    if found is None:
        attributes = inspect(model).column_attrs
        found = _MAPPED[model] = (
            tuple((attribute.key, attribute.columns[0].name) for attribute in attributes),
            tuple(
                (attribute.key, attribute.columns[0].default)
                for attribute in attributes
                if attribute.columns[0].default is not None
            ),
        )
    return found


def table_of(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def detached(model: type[Any], row: dict[str, Any]) -> Any:
    """An instance of `model` holding a row (`{column name: value}`), in no session: for
    reads that change nothing (the constructor's attribute events cost fifteen times as
    much as this)."""
    entity = inspect(model).class_manager.new_instance()
    entity.__dict__.update(
        {attribute: row[column] for attribute, column in _mapped(model)[0] if column in row}
    )
    return entity


def fill_defaults(entity: Any) -> None:
    """Set the model's Python-side defaults on a new entity where it has no value, as an ORM
    flush would, so it can be answered before it is written."""
    state = entity.__dict__
    for attribute, default in _mapped(type(entity))[1]:
        if state.get(attribute) is None:
            setattr(entity, attribute, default.arg(None) if default.is_callable else default.arg)


def row_of(entity: Any) -> dict[str, Any]:
    """The entity's row, `{column name: value}`. Read from the instance's own dict: a new
    entity's values are there, and the ORM's attribute machinery costs more than the row."""
    state = entity.__dict__
    return {column: state.get(attribute) for attribute, column in _mapped(type(entity))[0]}


def _ssl_as(url: str, name: str) -> URL:
    """The URL with its TLS mode under `name`: operators write libpq's `sslmode=require`,
    SQLAlchemy's asyncpg dialect takes only `ssl=`, and asyncpg.connect() only `sslmode=`
    (it would send `ssl` to the server as a setting, which the server refuses)."""
    parsed = make_url(url)
    other = "ssl" if name == "sslmode" else "sslmode"
    if other not in parsed.query:
        return parsed
    mode = parsed.query[other]
    return parsed.difference_update_query([other]).update_query_dict({name: mode})


def asyncpg_url(url: str) -> str:
    """Accept `postgresql://…` (what operators write) and use the asyncpg driver."""
    parsed = _ssl_as(url, "ssl")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def plain_url(url: str) -> str:
    """The libpq form of a URL, for asyncpg.connect()."""
    parsed = _ssl_as(url, "sslmode")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def create_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 10, application_name: str = "bufetat"
) -> AsyncEngine:
    # No pre-ping: it costs a round trip per request. After a database restart SQLAlchemy
    # sees the disconnect on first use and invalidates the whole pool.
    # Looked up at call time so OpenTelemetry's instrumentation of it applies.
    return sa_asyncio.create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        connect_args={
            "server_settings": {
                "application_name": application_name,
                "timezone": "UTC",
                # JIT compiles a query whose estimate is high (correlated subqueries are)
                # in tens of milliseconds, for queries that run in a few: measured 25 ms of
                # JIT on a 3 ms KPI query.
                "jit": "off",
            }
        },
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def checkout_driver(engine: AsyncEngine) -> PoolProxiedConnection:
    """A pooled connection to use through the driver's own API; one the database closed
    since its last use is replaced. Give it back with `release`."""
    pooled = await engine.raw_connection()
    if pooled.driver_connection.is_closed():  # type: ignore[union-attr]
        await release(pooled, invalidate=True)
        pooled = await engine.raw_connection()
    return pooled


async def release(pooled: PoolProxiedConnection, *, invalidate: bool = False) -> None:
    """Back to the pool, or discarded. Inside SQLAlchemy's greenlet: a pool that is full
    closes the connection, which awaits the driver, and a plain `close()` from a coroutine
    cannot (MissingGreenlet logged, the server's connection left open)."""
    await greenlet_spawn(pooled.invalidate if invalidate else pooled.close)


@asynccontextmanager
async def driver_connection(engine: AsyncEngine) -> AsyncIterator[Any]:
    """`checkout_driver` for one block: back to the pool after it, discarded if it broke."""
    pooled = await checkout_driver(engine)
    broken = False
    try:
        yield pooled.driver_connection
    except Exception as exc:
        broken = is_transient(exc)
        raise
    finally:
        await release(pooled, invalidate=broken)


def _driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception behind SQLAlchemy's wrapping of it."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        orig: BaseException = exc.orig
        return orig.__cause__ or orig
    return exc


def is_transient(exc: BaseException) -> bool:
    """The database is unreachable, restarting or overloaded: the statement was not at fault
    and a retry shortly may succeed (answered 503 + Retry-After)."""
    from sqlalchemy.exc import InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, InterfaceError | OperationalError | PoolTimeout):
        return True
    exc = _driver_error(exc)
    return isinstance(
        exc,
        # The socket: refused, reset, a Unix socket that vanished, a timeout.
        OSError
        # The connection is closed or was never made; or the server ended it while idle and
        # the next statement finds the protocol mid-way ("cannot switch to state…").
        | asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.exceptions.InternalClientError
        # 57P01 admin shutdown, 57P02 crash shutdown, 57P03 starting up / shutting down,
        # 57014 query cancelled; 53300 too many connections.
        | asyncpg.exceptions.OperatorInterventionError
        | asyncpg.exceptions.InsufficientResourcesError,
    )


def violated_constraint(exc: BaseException) -> str | None:
    """The name of the constraint (or unique index) an integrity error broke, if any."""
    if isinstance(exc, IntegrityError):
        exc = _driver_error(exc)
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        return getattr(exc, "constraint_name", None)
    return None


def conflict_details(metadata: MetaData) -> dict[str, str]:
    """`{constraint name: problem detail}` of every constraint and unique index marked with
    `info={CONFLICT: …}` in the metadata: the one place a violation's meaning is written."""
    details: dict[str, str] = {}
    for table in metadata.tables.values():
        items: list[Constraint | Index] = [*table.constraints, *table.indexes]
        for item in items:
            detail = item.info.get(CONFLICT)
            if detail is not None:
                if not isinstance(item.name, str):
                    raise ValueError(f"a constraint of {table.name} marked {CONFLICT} has no name")
                details[item.name] = detail
    return details
