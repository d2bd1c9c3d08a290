"""Async SQLAlchemy 2 on asyncpg: engine, sessions, the constraint naming convention.

PostgreSQL only; there is deliberately no other code path.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

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
