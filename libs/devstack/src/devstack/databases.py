"""One database per service beside a given server, built by Alembic."""

from __future__ import annotations

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from devstack.services import Service


def database_url(server_url: str, database: str) -> str:
    """The URL of `database` on the server `server_url` names (user, host, port kept)."""
    url = make_url(server_url).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def ensure_database(server_url: str, database: str, template: str | None = None) -> bool:
    """Create `database` unless it exists; True when it was created."""
    connection = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if exists:
            return False
        # Identifiers cannot be bound parameters; the names come from our own registry.
        statement = f'CREATE DATABASE "{database}"'
        if template is not None:
            statement += f' TEMPLATE "{template}"'
        await connection.execute(statement)
        return True
    finally:
        await connection.close()


async def drop_database(server_url: str, database: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await connection.close()


def migrate(service: Service, url: str, revision: str = "head") -> None:
    """Run the service's Alembic migrations against `url` (blocking)."""
    config = Config(str(service.alembic_ini))
    config.set_main_option("script_location", str(service.directory / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, revision)
