"""Re-encrypting stored national ids under the current PII encryption key while the service
runs: the middle step of rotating `PII_ENCRYPTION_KEY` (see `common.pii.NationalIdVault`).

Each service names its encrypted columns in its own `rekey` module (`python -m
capacity.rekey`); this is the one routine behind them. Per column it walks the rows in
primary-key order, a batch at a time:

- the batch is read without locks, and the values already under the current key are only
  counted (a second run writes nothing and locks nothing);
- the others are locked in a short transaction with `FOR UPDATE SKIP LOCKED`, checked again
  (a writer may have changed them) and written back under the current key: only the value
  column, so `version` (the ETag) stays, and no event or audit entry is written (the value
  did not change, only its encryption);
- a row another transaction holds (a writer of the service, or a second run of this
  command) is skipped, never waited for, and tried again after the column's walk; one still
  held after the retries is reported as busy.

Every batch commits on its own, so an interrupted run loses nothing and the next one
continues where values are still under an old key. Nothing here logs or prints a national
id: the report counts rows and names the primary keys of those no configured key decrypts.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy import Column, bindparam, column, select, table, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from common.db import create_engine
from common.pii import NationalIdSettings, NationalIdVault, UndecryptableNationalId

EXIT_DONE = 0
EXIT_UNDECRYPTABLE = 1
EXIT_USAGE = 2
EXIT_UNFINISHED = 3

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class EncryptedColumn:
    """A column of encrypted national ids and the single-column primary key of its table:
    plain lower-case identifiers (checked here, quoted by SQLAlchemy in every statement)."""

    table: str
    key: str
    value: str

    def __post_init__(self) -> None:
        for name in (self.table, self.key, self.value):
            if not _IDENTIFIER.fullmatch(name):
                raise ValueError(f"not a plain SQL identifier: {name!r}")

    @classmethod
    def of(cls, value: Column[Any]) -> EncryptedColumn:
        """From a model's column: `EncryptedColumn.of(table_of(Stay).c.national_id_encrypted)`."""
        keys = list(value.table.primary_key.columns)
        if len(keys) != 1:
            raise ValueError(f"{value.table.name} has no single-column primary key")
        return cls(str(value.table.name), str(keys[0].name), str(value.name))

    def __str__(self) -> str:
        return f"{self.table}.{self.value}"


@dataclass
class ColumnReport:
    """What one pass over a column found. `seen` rows had a value; each of them is counted
    once more as re-encrypted, already current, undecryptable, busy or gone (deleted
    meanwhile); `check` runs count `stale` instead of re-encrypting."""

    column: EncryptedColumn
    seen: int = 0
    reencrypted: int = 0
    current: int = 0
    stale: int = 0
    gone: int = 0
    undecryptable: list[Any] = field(default_factory=list)
    busy: list[Any] = field(default_factory=list)

    @property
    def done(self) -> bool:
        """Every value is under the current key."""
        return not (self.undecryptable or self.busy or self.stale)

    def summary(self) -> str:
        parts = [f"{self.seen} seen"]
        if self.stale:
            parts.append(f"{self.stale} not under the current key")
        else:
            parts.append(f"{self.reencrypted} re-encrypted")
        parts.append(f"{self.current} already current")
        parts.append(f"{len(self.undecryptable)} undecryptable")
        if self.busy:
            parts.append(f"{len(self.busy)} busy")
        if self.gone:
            parts.append(f"{self.gone} deleted meanwhile")
        return f"{self.column}: " + ", ".join(parts)


async def reencrypt(
    engine: AsyncEngine,
    vault: NationalIdVault,
    columns: Sequence[EncryptedColumn],
    *,
    batch_size: int = 500,
    retries: int = 5,
    retry_delay: float = 0.5,
    check: bool = False,
    progress: Callable[[ColumnReport], None] | None = None,
) -> list[ColumnReport]:
    """Re-encrypt every value of `columns` not under the vault's current key (see the
    module's docstring); with `check`, only count them. `progress` is called after each
    batch."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    reports = []
    async with engine.connect() as connection:
        for encrypted in columns:
            walk = _Walk(connection, vault, encrypted, check)
            await walk.run(batch_size, retries, retry_delay, progress)
            reports.append(walk.report)
    return reports


class _Walk:
    def __init__(
        self,
        connection: AsyncConnection,
        vault: NationalIdVault,
        encrypted: EncryptedColumn,
        check: bool,
    ) -> None:
        self.connection = connection
        self.vault = vault
        self.check = check
        self.report = ColumnReport(encrypted)
        self.table = table(encrypted.table, column(encrypted.key), column(encrypted.value))
        self.key = self.table.c[encrypted.key]
        self.value = self.table.c[encrypted.value]

    async def run(
        self,
        batch_size: int,
        retries: int,
        retry_delay: float,
        progress: Callable[[ColumnReport], None] | None,
    ) -> None:
        after: Any = None
        busy: list[Any] = []
        while True:
            statement = (
                select(self.key, self.value)
                .where(self.value.is_not(None))
                .order_by(self.key)
                .limit(batch_size)
            )
            if after is not None:
                statement = statement.where(self.key > after)
            rows = (await self.connection.execute(statement)).all()
            await self.connection.commit()  # a read of its own, holding nothing
            if not rows:
                break
            after = rows[-1][0]
            self.report.seen += len(rows)
            outdated = []
            for key, blob in rows:
                if self.vault.is_current(blob):
                    self.report.current += 1
                elif self.check:
                    self._count_stale(key, blob)
                else:
                    outdated.append(key)
            if outdated:
                busy += await self._rewrite(outdated)
            if progress is not None:
                progress(self.report)
        for attempt in range(retries):
            if not busy:
                break
            await asyncio.sleep(retry_delay * (attempt + 1))
            busy = await self._rewrite(busy)
        self.report.busy = busy

    def _count_stale(self, key: Any, blob: bytes) -> None:
        try:
            self.vault.reencrypted(blob)
        except UndecryptableNationalId:
            self.report.undecryptable.append(key)
        else:
            self.report.stale += 1

    async def _rewrite(self, keys: list[Any]) -> list[Any]:
        """Lock what of `keys` no one else holds, re-encrypt it and commit: the keys held by
        others (to try again later)."""
        locked = (
            select(self.key, self.value)
            .where(self.key.in_(keys))
            .order_by(self.key)
            .with_for_update(skip_locked=True)
        )
        # Row locks are skipped, never waited for; a lock on the whole table (a migration's)
        # is waited for two seconds at most, then the run stops (an error): run it again.
        # On any error the connection is closed, which rolls the batch back.
        await self.connection.execute(text("SET LOCAL lock_timeout = '2s'"))
        rows = (await self.connection.execute(locked)).all()
        changes = []
        for key, blob in rows:
            if blob is None:
                self.report.gone += 1
                continue
            try:
                new = self.vault.reencrypted(blob)
            except UndecryptableNationalId:
                self.report.undecryptable.append(key)
                continue
            if new is None:
                self.report.current += 1  # re-encrypted meanwhile (by a second run)
            else:
                changes.append({"_key": key, "_value": new})
        if changes:
            await self.connection.execute(
                update(self.table)
                .where(self.key == bindparam("_key"))
                .values({self.value.name: bindparam("_value")}),
                changes,
            )
            self.report.reencrypted += len(changes)
        await self.connection.commit()
        missing = set(keys) - {key for key, _ in rows}
        if not missing:
            return []
        present = (
            await self.connection.execute(select(self.key).where(self.key.in_(missing)))
        ).scalars()
        held = sorted(present)
        await self.connection.commit()
        self.report.gone += len(missing) - len(held)
        return held


def main(
    settings_class: type[NationalIdSettings],
    columns: Sequence[EncryptedColumn],
    argv: Sequence[str] | None = None,
) -> int:
    """The command line of a service's `rekey` module: settings from the environment like
    the service's own (DATABASE_URL and the PII keys), a report on stdout, the exit code."""
    service = settings_class.model_fields["service_name"].default
    parser = argparse.ArgumentParser(
        prog=f"python -m {service}.rekey",
        description="Re-encrypt the stored national identity numbers under PII_ENCRYPTION_KEY "
        "(the old values decrypting under a key of PII_PREVIOUS_ENCRYPTION_KEYS), while the "
        "service runs. Safe to interrupt and to run again. Exit status: 0 every value is "
        "under the current key; 1 some value decrypts under no configured key (its primary "
        "key is printed); 3 values remain under a previous key (busy rows, or --check): "
        "run again.",
    )
    parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing: count the values not under the current key",
    )
    arguments = parser.parse_args(argv)
    if arguments.batch_size < 1:
        parser.error("--batch-size must be at least 1")
    settings = settings_class()
    return asyncio.run(
        run(settings, columns, batch_size=arguments.batch_size, check=arguments.check)
    )


async def run(
    settings: NationalIdSettings,
    columns: Sequence[EncryptedColumn],
    *,
    batch_size: int = 500,
    check: bool = False,
    out: TextIO | None = None,
    retries: int = 5,
) -> int:
    """`reencrypt` with the service's settings, the report written to `out` (stdout): the
    exit code."""
    out = out or sys.stdout
    shown: dict[EncryptedColumn, int] = {}

    def progress(report: ColumnReport) -> None:
        if report.seen - shown.get(report.column, 0) >= 10_000:
            shown[report.column] = report.seen
            sys.stderr.write(f"{report.column}: {report.seen} rows so far\n")

    vault = NationalIdVault.from_settings(settings)
    engine = create_engine(
        settings.database_url,
        pool_size=1,
        max_overflow=0,
        application_name=f"{settings.service_name}-rekey",
    )
    try:
        reports = await reencrypt(
            engine,
            vault,
            columns,
            batch_size=batch_size,
            check=check,
            retries=retries,
            progress=progress,
        )
    finally:
        await engine.dispose()
    for report in reports:
        out.write(report.summary() + "\n")
    for report in reports:
        where = f"{report.column.table} {report.column.key}="
        for key in report.undecryptable:
            out.write(f"undecryptable under every configured key: {where}{key}\n")
        for key in report.busy:
            out.write(f"busy (held by another transaction): {where}{key}\n")
    if any(report.undecryptable for report in reports):
        out.write(
            "Some values decrypt under none of PII_ENCRYPTION_KEY and "
            "PII_PREVIOUS_ENCRYPTION_KEYS: add the key they were encrypted with to "
            "PII_PREVIOUS_ENCRYPTION_KEYS and run again. Do not retire a key before this "
            "command exits 0.\n"
        )
        return EXIT_UNDECRYPTABLE
    if check and any(report.stale for report in reports):
        out.write("Values remain under a previous key: re-encrypt them (without --check).\n")
        return EXIT_UNFINISHED
    if not all(report.done for report in reports):
        out.write("Rows were busy through every retry: run again.\n")
        return EXIT_UNFINISHED
    out.write("Every value is under the current key.\n")
    return EXIT_DONE
