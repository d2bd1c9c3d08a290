"""What the key-rotation tests of the services that keep national ids share: the service
(re)started with given PII encryption keys on its test database, its `rekey` command in a
process of its own configured like it, and what is stored. Each call names the service
(`service=`), so a test module binds it once with `functools.partial`."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from common.pii import NationalIdVault, generate_key
from devstack.services import REPO_ROOT, Service
from devstack.testing import Environment, build_app, fetch, running


def alone(key: str) -> NationalIdVault:
    """A vault with only this encryption key (the hash key plays no part in decrypting)."""
    return NationalIdVault(key, generate_key())


async def settings(
    environment: Environment, current: str, *previous: str, service: Service
) -> dict[str, str]:
    return await environment.settings_env(
        service, pii_encryption_key=current, pii_previous_encryption_keys=",".join(previous)
    )


@asynccontextmanager
async def serving(
    environment: Environment, current: str, *previous: str, service: Service
) -> AsyncIterator[httpx.AsyncClient]:
    """The service (re)started with these keys, on the module's database."""
    env = await settings(environment, current, *previous, service=service)
    async with running(build_app(service, env)) as client:
        yield client


async def rekey(
    environment: Environment,
    current: str,
    *previous: str,
    service: Service,
    args: tuple[str, ...] = (),
) -> tuple[int | None, str, str]:
    """`python -m <service>.rekey` in its own process, configured like the service: its exit
    code, stdout and stderr."""
    env = await settings(environment, current, *previous, service=service)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"{service.name}.rekey",
        *args,
        env={**os.environ, **env},
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, out.decode(), err.decode()


async def stored(db: str, table: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """`{id: {"blob": the encrypted national id, "row": the rest of the row as JSON}}`."""
    if not table.isidentifier():
        raise ValueError(table)
    rows = await fetch(
        db,
        f"SELECT id::text AS id, national_id_encrypted AS blob, "  # noqa: S608 (a table name)
        f"(to_jsonb(t) - 'national_id_encrypted')::text AS row FROM {table} t "
        "WHERE id = ANY($1::uuid[])",
        ids,
    )
    return {row["id"]: {"blob": row["blob"], "row": row["row"]} for row in rows}


async def events_about(db: str, ids: list[str]) -> int:
    """How many events in the outbox name any of these records."""
    rows = await fetch(
        db,
        "SELECT count(*) AS n FROM outbox WHERE convert_from(payload, 'UTF8') LIKE ANY($1)",
        [f"%{id_}%" for id_ in ids],
    )
    return int(rows[0]["n"])
