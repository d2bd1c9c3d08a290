"""Rotating the PII encryption key: the vault reads values under the current key and the
previous ones (values stored before rotation existed included), the settings name the
variable they refuse without repeating a key, and `common.rekey` re-encrypts a table's values
under the current key in short transactions beside the service's writers, against a real
PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import os
import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr, ValidationError
from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, text

from common.db import create_engine, plain_url
from common.errors import ProblemError
from common.ids import new_id
from common.pii import NationalIdSettings, NationalIdVault, UndecryptableNationalId, generate_key
from common.rekey import EXIT_DONE, EXIT_UNDECRYPTABLE, EXIT_UNFINISHED, EncryptedColumn, reencrypt
from common.rekey import run as run_rekey
from devstack.databases import database_url, drop_database, ensure_database
from devstack.testing import national_id

A, B, C, HASH = generate_key(), generate_key(), generate_key(), generate_key()
NUMBERS = [national_id(date(2010, 1, day)) for day in range(1, 29)]
PERSON = EncryptedColumn("person", "id", "national_id_encrypted")


def vault(current: str, *previous: str) -> NationalIdVault:
    return NationalIdVault(current, HASH, previous_encryption_keys=previous)


# The vault


def test_a_value_under_a_previous_key_still_decrypts_and_new_ones_use_the_current_key():
    old = vault(A).encrypt(NUMBERS[0])
    rotated = vault(B, A)
    assert rotated.decrypt(old) == NUMBERS[0]
    new = rotated.encrypt(NUMBERS[1])
    assert vault(B).decrypt(new) == NUMBERS[1]  # the current key alone reads it
    with pytest.raises(UndecryptableNationalId):
        vault(A).decrypt(new)


def test_values_stored_before_rotation_existed_read_as_before():
    """nonce (12) + AES-GCM ciphertext and tag with the same associated data, no key id."""
    nonce = os.urandom(12)
    legacy = nonce + AESGCM(_raw(A)).encrypt(nonce, NUMBERS[0].encode(), b"national_id")
    assert vault(A).decrypt(legacy) == NUMBERS[0]
    assert vault(B, A).decrypt(legacy) == NUMBERS[0]
    # And what the vault writes is still that format: an older release reads it.
    written = vault(A).encrypt(NUMBERS[1])
    assert (
        AESGCM(_raw(A)).decrypt(written[:12], written[12:], b"national_id") == NUMBERS[1].encode()
    )


def _raw(key: str) -> bytes:
    return base64.urlsafe_b64decode(key)


def test_reencrypted_moves_a_value_to_the_current_key_and_leaves_a_current_one():
    rotated = vault(B, A)
    moved = rotated.reencrypted(vault(A).encrypt(NUMBERS[0]))
    assert moved is not None
    assert vault(B).decrypt(moved) == NUMBERS[0]
    assert rotated.reencrypted(moved) is None
    assert rotated.is_current(moved)
    assert not rotated.is_current(vault(A).encrypt(NUMBERS[0]))


def test_a_value_no_key_decrypts_is_a_clear_error_logged_without_the_value(caplog):
    foreign = vault(C).encrypt(NUMBERS[0])
    for blob in (foreign, b"", b"short", foreign[:-1]):
        with (
            caplog.at_level(logging.ERROR, logger="common.pii"),
            pytest.raises(UndecryptableNationalId) as raised,
        ):
            vault(B, A).decrypt(blob)
        assert isinstance(raised.value, ProblemError)
        assert raised.value.status == 500
        assert raised.value.slug == "undecryptable-national-id"
        assert "cannot be decrypted with the service's keys" in str(raised.value.detail)
    assert "PII_PREVIOUS_ENCRYPTION_KEYS" in caplog.text
    assert NUMBERS[0] not in caplog.text
    with pytest.raises(UndecryptableNationalId):
        vault(B, A).reencrypted(foreign)


def test_the_vault_refuses_a_key_twice_and_a_key_of_the_wrong_size():
    with pytest.raises(ValueError, match="listed twice"):
        NationalIdVault(A, HASH, previous_encryption_keys=[SecretStr(A)])
    with pytest.raises(ValueError, match="32 bytes"):
        NationalIdVault(A, HASH, previous_encryption_keys=["c2hvcnQ="])


# The settings


@pytest.fixture
def pii_env(monkeypatch):
    monkeypatch.setenv("SERVICE_NAME", "test")
    monkeypatch.setenv("DATABASE_URL", "postgresql://user:database-password@host/db")
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("PII_ENCRYPTION_KEY", B)
    monkeypatch.setenv("PII_HASH_KEY", HASH)
    monkeypatch.delenv("PII_PREVIOUS_ENCRYPTION_KEYS", raising=False)
    return monkeypatch


def _refusal(monkeypatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as raised:
        NationalIdSettings()
    message = str(raised.value)
    for secret in (A, B, C, HASH, "database-password", *env.values()):
        assert secret not in message, message
    return message


def test_previous_keys_are_read_comma_separated(pii_env):
    assert NationalIdSettings().pii_previous_encryption_keys == ()
    pii_env.setenv("PII_PREVIOUS_ENCRYPTION_KEYS", "")
    assert NationalIdSettings().pii_previous_encryption_keys == ()
    pii_env.setenv("PII_PREVIOUS_ENCRYPTION_KEYS", f" {A} ,{C},")
    settings = NationalIdSettings()
    assert [key.get_secret_value() for key in settings.pii_previous_encryption_keys] == [A, C]
    assert A not in repr(settings)
    rotated = NationalIdVault.from_settings(settings)
    assert rotated.decrypt(vault(C).encrypt(NUMBERS[0])) == NUMBERS[0]


def test_a_previous_key_that_is_not_a_key_is_refused_by_name(pii_env):
    message = _refusal(pii_env, PII_PREVIOUS_ENCRYPTION_KEYS=f"{A},not-a-key-at-all")
    assert "PII_PREVIOUS_ENCRYPTION_KEYS: key 2 of 2 must be 32 bytes, base64 encoded" in message


def test_the_current_key_among_the_previous_ones_is_refused_by_name(pii_env):
    message = _refusal(pii_env, PII_PREVIOUS_ENCRYPTION_KEYS=f"{A},{B}")
    assert "PII_PREVIOUS_ENCRYPTION_KEYS must not contain PII_ENCRYPTION_KEY" in message
    message = _refusal(pii_env, PII_PREVIOUS_ENCRYPTION_KEYS=f"{A},{A}")
    assert "PII_PREVIOUS_ENCRYPTION_KEYS lists the same key twice" in message


def test_a_current_or_hash_key_that_is_not_a_key_is_refused_by_name(pii_env):
    message = _refusal(pii_env, PII_ENCRYPTION_KEY="c2hvcnQ=")
    assert "PII_ENCRYPTION_KEY must be 32 bytes" in message
    message = _refusal(pii_env, PII_ENCRYPTION_KEY=B, PII_HASH_KEY="%%%")
    assert "PII_HASH_KEY must be 32 bytes" in message


# The routine, against PostgreSQL


@pytest.fixture(scope="module")
async def database(database_server) -> AsyncIterator[str]:
    name = f"rekey_{uuid.uuid4().hex[:10]}"
    await ensure_database(database_server, name)
    url = database_url(database_server, name)
    yield url
    await drop_database(database_server, name)


@pytest.fixture
async def people(database) -> AsyncIterator[asyncpg.Connection]:
    """A fresh `person` table (uuid primary key, an encrypted national id that may be null,
    a version) and a connection to look at it."""
    connection = await asyncpg.connect(plain_url(database))
    await connection.execute(
        "DROP TABLE IF EXISTS person; CREATE TABLE person (id uuid PRIMARY KEY, "
        "national_id_encrypted bytea, version integer NOT NULL DEFAULT 1)"
    )
    yield connection
    await connection.close()


@pytest.fixture
async def engine(database):
    engine = create_engine(database, pool_size=2, max_overflow=2)
    yield engine
    await engine.dispose()


async def _insert(connection, under: NationalIdVault, numbers: list[str]) -> list[uuid.UUID]:
    ids = [new_id() for _ in numbers]
    await connection.executemany(
        "INSERT INTO person (id, national_id_encrypted) VALUES ($1, $2)",
        [(id_, under.encrypt(number)) for id_, number in zip(ids, numbers, strict=True)],
    )
    return ids


async def _blobs(connection) -> dict[uuid.UUID, bytes | None]:
    rows = await connection.fetch("SELECT id, national_id_encrypted FROM person ORDER BY id")
    return {row["id"]: row["national_id_encrypted"] for row in rows}


async def test_every_value_moves_to_the_current_key_once(people, engine):
    old = await _insert(people, vault(A), NUMBERS[:10])
    current = await _insert(people, vault(B), NUMBERS[10:13])
    await people.execute("INSERT INTO person (id) VALUES ($1)", new_id())  # no national id
    await people.execute("UPDATE person SET version = 7")
    before = await _blobs(people)

    [report] = await reencrypt(engine, vault(B, A), [PERSON], batch_size=3)
    assert (report.seen, report.reencrypted, report.current) == (13, 10, 3)
    assert report.done

    after = await _blobs(people)
    alone = vault(B)
    numbers = dict(zip(old + current, NUMBERS[:13], strict=True))
    for id_, number in numbers.items():
        assert alone.decrypt(after[id_]) == number  # readable with the new key alone
    assert [after[id_] for id_ in current] == [before[id_] for id_ in current]  # untouched
    assert await people.fetchval("SELECT count(*) FROM person WHERE version <> 7") == 0

    [again] = await reencrypt(engine, vault(B, A), [PERSON], batch_size=3)
    assert (again.seen, again.reencrypted, again.current) == (13, 0, 13)
    assert await _blobs(people) == after


def _settings(database: str, current: str, *previous: str) -> NationalIdSettings:
    """The settings a service's `rekey` command reads from the environment."""
    return NationalIdSettings(
        service_name="test",
        database_url=database,
        environment="test",
        pii_encryption_key=current,
        pii_previous_encryption_keys=previous,
        pii_hash_key=HASH,
    )


async def test_check_counts_and_changes_nothing(people, engine, database):
    await _insert(people, vault(A), NUMBERS[:4])
    await _insert(people, vault(B), NUMBERS[4:6])
    before = await _blobs(people)
    [report] = await reencrypt(engine, vault(B, A), [PERSON], check=True)
    assert (report.seen, report.stale, report.current, report.reencrypted) == (6, 4, 2, 0)
    assert not report.done
    out = io.StringIO()
    assert (
        await run_rekey(_settings(database, B, A), [PERSON], check=True, out=out) == EXIT_UNFINISHED
    )
    assert "6 seen, 4 not under the current key, 2 already current" in out.getvalue()
    assert await _blobs(people) == before


async def test_a_value_under_an_unknown_key_is_reported_by_primary_key(people, database):
    await _insert(people, vault(A), NUMBERS[:3])
    [lost] = await _insert(people, vault(C), NUMBERS[3:4])
    settings = _settings(database, B, A)
    out = io.StringIO()
    assert await run_rekey(settings, [PERSON], out=out) == EXIT_UNDECRYPTABLE
    text = out.getvalue()
    assert "person.national_id_encrypted: 4 seen, 3 re-encrypted" in text
    assert "1 undecryptable" in text
    assert f"undecryptable under every configured key: person id={lost}" in text
    assert not any(number in text for number in NUMBERS)
    blobs = await _blobs(people)
    assert sum(vault(B).is_current(blob) for blob in blobs.values() if blob) == 3
    assert blobs[lost] is not None
    assert vault(C).decrypt(blobs[lost]) == NUMBERS[3]  # left as it was

    out = io.StringIO()
    check = settings.model_copy(update={"pii_previous_encryption_keys": (SecretStr(C),)})
    assert await run_rekey(check, [PERSON], out=out) == EXIT_DONE  # with C configured: done
    assert "1 re-encrypted, 3 already current, 0 undecryptable" in out.getvalue()


async def test_rows_a_writer_holds_are_skipped_not_waited_for(people, engine, database):
    ids = await _insert(people, vault(A), NUMBERS[:6])
    writer = await asyncpg.connect(plain_url(database))
    try:
        transaction = writer.transaction()
        await transaction.start()
        await writer.execute("SELECT 1 FROM person WHERE id = $1 FOR UPDATE", ids[2])
        started = asyncio.get_running_loop().time()
        [report] = await reencrypt(
            engine, vault(B, A), [PERSON], batch_size=4, retries=2, retry_delay=0.05
        )
        assert asyncio.get_running_loop().time() - started < 1.5  # never blocked on the lock
        assert report.busy == [ids[2]]
        assert (report.seen, report.reencrypted) == (6, 5)
        assert not report.done
        out = io.StringIO()
        assert (
            await run_rekey(_settings(database, B, A), [PERSON], out=out, retries=0)
            == EXIT_UNFINISHED
        )
        assert f"busy (held by another transaction): person id={ids[2]}" in out.getvalue()
        assert "run again" in out.getvalue()
        await transaction.rollback()
    finally:
        await writer.close()
    [report] = await reencrypt(engine, vault(B, A), [PERSON])
    assert (report.reencrypted, report.current, report.busy) == (1, 5, [])
    # The lock timeout set for the run is not left on the pooled connection.
    async with engine.connect() as connection:
        assert (await connection.execute(text("SHOW lock_timeout"))).scalar() == "0"


async def test_a_row_held_a_little_while_is_taken_by_a_retry(people, engine, database):
    ids = await _insert(people, vault(A), NUMBERS[:3])
    connection = await asyncpg.connect(plain_url(database))
    try:
        transaction = connection.transaction()
        await transaction.start()
        await connection.execute("SELECT 1 FROM person WHERE id = $1 FOR UPDATE", ids[0])

        async def release_soon() -> None:
            await asyncio.sleep(0.2)
            await transaction.commit()

        [report], _ = await asyncio.gather(
            reencrypt(engine, vault(B, A), [PERSON], retries=5, retry_delay=0.1), release_soon()
        )
    finally:
        await connection.close()
    assert (report.reencrypted, report.busy) == (3, [])


async def test_two_runs_at_once_share_the_work_and_rows_written_meanwhile_are_fine(
    people, database
):
    old = await _insert(people, vault(A), NUMBERS[:20])
    rotated = vault(B, A)
    engines = [create_engine(database, pool_size=1, max_overflow=0) for _ in range(2)]
    writer = await asyncpg.connect(plain_url(database))
    written: list[uuid.UUID] = []

    async def write_meanwhile() -> None:
        # The service, configured with B current, writes under B while the runs go on.
        for number in NUMBERS[20:28]:
            written.extend(await _insert(writer, rotated, [number]))
            await asyncio.sleep(0.005)

    try:
        results = await asyncio.gather(
            *(reencrypt(engine, rotated, [PERSON], batch_size=2) for engine in engines),
            write_meanwhile(),
        )
    finally:
        await writer.close()
        for engine in engines:
            await engine.dispose()
    reports = [result[0] for result in results[:2]]
    assert sum(report.reencrypted for report in reports) == 20  # each value once
    assert all(not report.busy and not report.undecryptable for report in reports)
    blobs = await _blobs(people)
    numbers = dict(zip(old + written, NUMBERS, strict=True))
    assert len(blobs) == 28
    for id_, number in numbers.items():
        assert vault(B).decrypt(blobs[id_]) == number


def test_encrypted_columns_are_plain_identifiers():
    for bad in ("Person", 'person"; DROP TABLE person; --', "", "1person", "a" * 64):
        with pytest.raises(ValueError, match="not a plain SQL identifier"):
            EncryptedColumn(bad, "id", "national_id_encrypted")
    metadata = MetaData()
    one = Table("one", metadata, Column("id", Integer, primary_key=True), Column("v", LargeBinary))
    assert EncryptedColumn.of(one.c.v) == EncryptedColumn("one", "id", "v")
    two = Table(
        "two",
        metadata,
        Column("a", Integer, primary_key=True),
        Column("b", Integer, primary_key=True),
        Column("v", LargeBinary),
    )
    with pytest.raises(ValueError, match="single-column primary key"):
        EncryptedColumn.of(two.c.v)
