"""Driver connections go back to the pool cleanly under load: when more are out than the
pool keeps, the extra ones are closed on return, on the server too, with nothing logged."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from common.db import create_engine, driver_connection, plain_url


async def _server_connections(database_server: str, application_name: str) -> int:
    connection = await asyncpg.connect(plain_url(database_server))
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
            application_name,
        )
        return count
    finally:
        await connection.close()


async def test_overflow_connections_are_closed_on_return(database_server, caplog):
    name = "test-driver-pool"
    engine = create_engine(database_server, pool_size=1, max_overflow=3, application_name=name)
    try:
        with caplog.at_level(logging.WARNING, logger="sqlalchemy.pool"):
            entered = asyncio.Event()
            held = 0

            async def use() -> None:
                nonlocal held
                async with driver_connection(engine) as connection:
                    held += 1
                    if held == 4:
                        entered.set()
                    await entered.wait()  # all four out at once: three are overflow
                    assert await connection.fetchval("SELECT 1") == 1

            await asyncio.gather(*(use() for _ in range(4)))
            # The pool keeps one; the three returned to a full pool are closed.
            for _ in range(50):
                if await _server_connections(database_server, name) == 1:
                    break
                await asyncio.sleep(0.1)
            assert await _server_connections(database_server, name) == 1
        assert [record.getMessage() for record in caplog.records] == []
    finally:
        await engine.dispose()
