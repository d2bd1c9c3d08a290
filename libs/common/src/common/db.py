"""Async SQLAlchemy 2 on asyncpg: engine, sessions, the constraint naming convention.

PostgreSQL only; there is deliberately no other code path.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from functools import cache
from typing import Any, TypeVar

import orjson
from sqlalchemy import Enum, MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import PoolProxiedConnection

# Named constraints make Alembic migrations stable and error messages readable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


Model = TypeVar("Model")


@cache
def columns_of(model: type[Any]) -> str:
    """`a, b, c`: every column of a mapped class, for hand-written SELECTs (never `*`, so a
    later migration's column cannot surprise `from_row`)."""
    return ", ".join(f'"{column.name}"' for column in model.__table__.columns)


@cache
def _converters(model: type[Any]) -> dict[str, Callable[[Any], Any]]:
    return {
        column.name: column.type.enum_class
        for column in model.__table__.columns
        if isinstance(column.type, Enum) and column.type.enum_class is not None
    }


def from_row(model: type[Model], row: Mapping[str, Any]) -> Model:
    """A detached instance of `model` from a driver row selected with `columns_of(model)`,
    converted as the ORM would (enums): for reads that skip the ORM's per-query cost. Never
    changed and flushed: it belongs to no session."""
    values = dict(row)
    for name, convert in _converters(model).items():  # type: ignore[arg-type]
        if values[name] is not None:
            values[name] = convert(values[name])
    return model(**values)


def asyncpg_url(url: str) -> str:
    """Accept `postgresql://…` (what operators write) and use the asyncpg driver."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def plain_url(url: str) -> str:
    """The libpq form of a URL, for asyncpg.connect()."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


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
        connect_args={"server_settings": {"application_name": application_name, "timezone": "UTC"}},
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def checkout_driver(engine: AsyncEngine) -> PoolProxiedConnection:
    """A pooled connection to use through the driver's own API (asyncpg: a fraction of the
    ORM's cost per statement); one the database closed since its last use is replaced."""
    pooled = await engine.raw_connection()
    if pooled.driver_connection.is_closed():  # type: ignore[union-attr]
        pooled.invalidate()
        pooled = await engine.raw_connection()
    return pooled


@asynccontextmanager
async def driver_connection(engine: AsyncEngine) -> AsyncIterator[Any]:
    """`checkout_driver` for one block: back to the pool after it, discarded if it broke."""
    pooled = await checkout_driver(engine)
    try:
        yield pooled.driver_connection
    except Exception as exc:
        if is_transient(exc):
            pooled.invalidate()
        raise
    finally:
        pooled.close()


def numbered(sql: str, *names: str) -> str:
    """SQL written with `:name` parameters for asyncpg, whose parameters are `$1`, `$2`, …
    in the order of `names`."""
    for number, name in enumerate(names, 1):
        sql = re.sub(rf"(?<!:):{name}\b", f"${number}", sql)
    if unknown := re.findall(r"(?<!:):([a-z_]+)\b", sql):
        raise ValueError(f"parameters {unknown} not named")
    return sql


def is_transient(exc: BaseException) -> bool:
    """A failure of the database connection (restart, network), not of the statement."""
    import asyncpg
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, InterfaceError | OperationalError):
        return True
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
        cause = getattr(exc, "__cause__", None)
        if cause is not None:
            exc = cause
    return isinstance(
        exc,
        OSError
        | ConnectionError
        | asyncpg.PostgresConnectionError
        | asyncpg.CannotConnectNowError
        | asyncpg.InterfaceError,
    )
