"""A database URL as operators write it, TLS mode included, works on both of the platform's
connection paths: the SQLAlchemy pool and the driver connection the outbox relay listens on."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text

from common.db import asyncpg_url, create_engine, plain_url


@pytest.mark.parametrize("query", ["sslmode=prefer", "ssl=prefer", ""])
async def test_the_tls_mode_is_understood_by_both_connection_paths(database_server, query):
    url = f"{database_server}?{query}" if query else database_server
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()
    listener = await asyncpg.connect(plain_url(url))
    await listener.close()


def test_the_mode_is_named_as_each_driver_wants_it():
    assert asyncpg_url("postgresql://u:p@db/x?sslmode=require") == (
        "postgresql+asyncpg://u:p@db/x?ssl=require"
    )
    assert plain_url("postgresql://u:p@db/x?ssl=verify-full") == (
        "postgresql://u:p@db/x?sslmode=verify-full"
    )
    assert plain_url("postgresql://u:p@db/x?application_name=a") == (
        "postgresql://u:p@db/x?application_name=a"
    )
