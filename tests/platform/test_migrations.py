"""Every service's database is built by Alembic alone, the migrations match the models,
and they can be rolled back and forth."""

from __future__ import annotations

import asyncio
import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from common.platform_tables import platform_metadata
from devstack.databases import database_url, drop_database, ensure_database, migrate
from devstack.services import SERVICES


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
async def test_migrations_match_models_and_roll_back(service, database_server, environment):
    name = f"migrations_{service.name}_{environment.namespace}"
    await ensure_database(database_server, name)
    url = database_url(database_server, name)
    try:
        # Alembic's env.py runs its own event loop: keep it off this one.
        await asyncio.to_thread(migrate, service, url)
        metadata = importlib.import_module(f"{service.name}.models").metadata
        diff = await _compare(url, [metadata, platform_metadata])
        assert diff == [], f"models and migrations differ: {diff}"
        await asyncio.to_thread(migrate_down, service, url)
        await asyncio.to_thread(migrate, service, url)
    finally:
        await drop_database(database_server, name)


def migrate_down(service, url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(service.alembic_ini))
    config.set_main_option("script_location", str(service.directory / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.downgrade(config, "base")


async def _compare(url: str, metadatas) -> list:
    from sqlalchemy.ext.asyncio import create_async_engine

    from common.db import asyncpg_url

    engine = create_async_engine(asyncpg_url(url))
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), metadatas
                )
            )
    finally:
        await engine.dispose()
