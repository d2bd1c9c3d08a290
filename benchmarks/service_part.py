"""What a domain service's part of `make bench` shares (benchmarks/foster_care.py,
benchmarks/family_counselling.py): the service's database made by its Alembic migrations
and seeded by COPY, the service served under the platform's entrypoint (one worker) beside
the bare app, its endpoints measured beside the bare `GET /ping` of the same run
(benchmarks/gateway.py's `measure_stage`, then the bare endpoint at half load), EXPLAIN
ANALYZE of a statement on the seeded data, and the report: a table, the issue's aims with
PASS/MISS, and bench-results/<part>.json."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncpg
import httpx

from benchmarks.__main__ import (
    HALF_LOAD,
    Endpoint,
    bearer,
    local_issuer,
    migrated,
    serve,
    service_env,
    start_profile,
    stop_profile,
)
from benchmarks.gateway import BARE, WARMUP_SECONDS, measure_stage, quiet_collector, stop
from benchmarks.load import Result, request_bytes, run_at_rate
from devstack.nats import EmbeddedNats
from devstack.ports import free_port
from devstack.postgres import EmbeddedPostgres
from devstack.services import REPO_ROOT, Service

Row = dict[str, Any]  # a table's row by column


async def seed_tables(url: str, tables: dict[str, list[Row]]) -> None:
    """Every row by COPY, table by table in the order given (foreign keys first), in one
    transaction; then VACUUM ANALYZE (what autovacuum does soon after a load)."""
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            for table, rows in tables.items():
                if rows:
                    await connection.copy_records_to_table(
                        table, records=[tuple(row.values()) for row in rows], columns=list(rows[0])
                    )
        await connection.execute("VACUUM (ANALYZE)")
    finally:
        await connection.close()


async def count_pages(client: httpx.AsyncClient, path: str, **params: Any) -> int:
    """Items over every page of a list; a non-200 answer stops the run."""
    count, cursor = 0, None
    while True:
        answer = await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text}")
        page = answer.json()
        count += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return count


@dataclass(frozen=True)
class Measured:
    results: dict[str, Result]
    database_ms: dict[str, float]
    """PostgreSQL's CPU ms per answer, by result."""
    p99s: dict[str, list[float]]
    """Every round's p99 at half load (the median's is in `results`)."""


class Part:
    """One part's run, as `async with Part(SERVICE) as part`: embedded PostgreSQL and NATS
    under .data/, the service's database migrated (`url`), this run's issuer and the
    national token (`auth`); `serve` starts the bare app and the service, `measure` measures
    beside the bare endpoint. Everything is stopped and removed on the way out."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.started = time.perf_counter()
        (REPO_ROOT / ".data").mkdir(exist_ok=True)
        prefix = f"bench-{service.name.replace('_', '-')}-"
        self.root = Path(tempfile.mkdtemp(prefix=prefix, dir=REPO_ROOT / ".data"))
        self.logs = REPO_ROOT / "bench-results"
        self.logs.mkdir(exist_ok=True)
        self.postgres = EmbeddedPostgres(self.root / "postgres")
        self.nats = EmbeddedNats(self.root / "nats")
        self.processes: list[subprocess.Popen[bytes]] = []
        self.profile: subprocess.Popen[bytes] | None = None

    async def __aenter__(self) -> Part:
        try:
            server = self.postgres.start()
            self.nats_url = self.nats.start()
            self.url = await migrated(server, self.service)
            issuer, self.jwks_url = local_issuer(self.root)
            self.auth = bearer(issuer)
        except BaseException:
            self.close()
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        stop_profile(self.profile)
        self.profile = None
        for process in self.processes:
            stop(process)
        self.nats.destroy()
        self.postgres.destroy()
        shutil.rmtree(self.root, ignore_errors=True)

    def serve(self) -> None:
        """The bare app (`bare`, its `GET /ping`) and the service (`base`, `process`), up."""
        bare_port, port = free_port(), free_port()
        bare = serve("benchmarks.bare:app", bare_port, {}, self.logs / "bare.log")
        self.processes.append(bare)
        self.process = serve(
            self.service.app_factory,
            port,
            service_env(self.url, self.nats_url, self.jwks_url),
            self.logs / f"{self.service.name}.log",
        )
        self.processes.append(self.process)
        bare_base = f"http://127.0.0.1:{bare_port}"
        ping = request_bytes("GET", f"{bare_base}/ping")
        self.bare = Endpoint(BARE, bare_base, lambda _i: ping, bare.pid)
        self.base = f"http://127.0.0.1:{port}"

    async def measure(
        self,
        endpoints: list[Endpoint],
        *,
        rounds: int,
        clients: int,
        seconds: float,
        profile: str | None = None,
    ) -> Measured:
        """Each endpoint closed loop in interleaved rounds with the bare `GET /ping` (the
        median kept), then open loop at half its throughput (the round of the median p99
        kept), the server's and PostgreSQL's CPU per answer beside it; then the bare
        endpoint at half its throughput. `profile`: sample the service with py-spy meanwhile
        into bench-results/<profile>."""
        if profile is not None:
            self.profile = start_profile(self.process, self.logs / profile)
        results, database_ms, p99s = await measure_stage(
            self.bare,
            endpoints,
            rounds=rounds,
            clients=clients,
            seconds=seconds,
            database=self.postgres.data_dir,
        )
        stop_profile(self.profile)
        self.profile = None
        half, each = await bare_half_load(
            self.bare, results[BARE].rps / 2, rounds, clients, seconds
        )
        results[BARE + HALF_LOAD] = half
        p99s[BARE + HALF_LOAD] = [round(result.p99_ms, 2) for result in each]
        return Measured(results, database_ms, p99s)

    def finish(self, name: str, document: dict[str, Any]) -> None:
        """How long the part took, printed and added to `document`, which goes to
        bench-results/<name>.json."""
        elapsed = time.perf_counter() - self.started
        print(f"\n{name}'s part took {elapsed:.0f} s")
        (self.logs / f"{name}.json").write_text(
            json.dumps({**document, "elapsed_seconds": round(elapsed, 1)}, indent=2)
        )


async def bare_half_load(
    bare: Endpoint, rate: float, rounds: int, clients: int, seconds: float
) -> tuple[Result, list[Result]]:
    """The bare endpoint in open loop at half its throughput, in as many rounds as the
    others, the round of the median p99 kept: the floor of a p99 on this machine now."""
    quiet_collector()
    measured = [
        await run_at_rate(
            bare.name + HALF_LOAD,
            bare.base,
            bare.make_request,
            rate=rate,
            clients=clients,
            seconds=seconds,
            warmup=WARMUP_SECONDS,
            server_pid=bare.pid,
        )
        for _ in range(rounds)
    ]
    return sorted(measured, key=lambda result: result.p99_ms)[len(measured) // 2], measured


# the queries' plans ----------------------------------------------------------------------


async def explain_plans(url: str, statements: dict[str, tuple[str, list[Any]]]) -> dict[str, str]:
    """EXPLAIN ANALYZE of each statement (its SQL with $n parameters, and the values the
    service binds) on the seeded data: the plan PostgreSQL makes for those values, and the
    generic one (a service's prepared statement may switch to it after five runs)."""
    plans: dict[str, str] = {}
    connection = await asyncpg.connect(url)
    try:
        for name, (sql, arguments) in statements.items():
            rows = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *arguments)
            plans[name] = "\n".join(row[0] for row in rows)
            await connection.execute(f"PREPARE bench_plan AS {sql}")
            async with connection.transaction():
                await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
                rows = await connection.fetch(
                    "EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_plan("
                    + ", ".join(_literal(argument) for argument in arguments)
                    + ")"
                )
            await connection.execute("DEALLOCATE bench_plan")
            plans[name + " (generic plan)"] = "\n".join(row[0] for row in rows)
    finally:
        await connection.close()
    for name, plan in plans.items():
        print(f"\nEXPLAIN ANALYZE {name}:\n{plan}")
    return plans


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, list):
        return "ARRAY[" + ", ".join(_literal(item) for item in value) + "]::text[]"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


# the report -------------------------------------------------------------------------------


def report(
    measured: Measured,
    aims: dict[str, float | None],
    *,
    issue: str,
    expected: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The table of every result; then, for each endpoint of `aims` (its p99 aim at half
    load in ms, or None for none), its throughput, CPU and p99 at half load beside the bare
    endpoint's, PASS or MISS; the checks. `expected`: an endpoint's status when not 200."""
    results, database_ms, p99s = measured.results, measured.database_ms, measured.p99s
    bare, bare_half = results[BARE], results[BARE + HALF_LOAD]
    bare_cpu = bare.cpu_ms_per_request or float("nan")
    rows: list[dict[str, Any]] = []
    print(
        f"\n{'endpoint':<52}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}"
        f"{'DB CPU ms':>11}{'vs GET /ping':>14}  statuses"
    )
    for name, result in results.items():
        cpu = result.cpu_ms_per_request
        database = database_ms.get(name)
        rows.append(
            {
                "endpoint": name,
                "rps": round(result.rps, 1),
                "offered_rps": round(result.offered_rps, 1) if result.offered_rps else None,
                "p50_ms": round(result.p50_ms, 2),
                "p99_ms": round(result.p99_ms, 2),
                "server_cpu_ms_per_request": round(cpu, 3) if cpu is not None else None,
                "database_cpu_ms_per_request": round(database, 3) if database is not None else None,
                "ratio_to_bare_get": round(result.rps / bare.rps, 4),
                "statuses": result.statuses,
                **({"p99_ms_each_round": p99s[name]} if name in p99s else {}),
            }
        )
        print(
            f"{name:<52}{result.rps:>8.0f}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
            f"{cpu if cpu is not None else float('nan'):>12.2f}"
            f"{database if database is not None else float('nan'):>11.2f}"
            f"{result.rps / bare.rps:>13.1%}  {json.dumps(result.statuses)}"
        )

    print("\np99 at half load in each round (the median's kept):")
    for name, rounds in p99s.items():
        print(f"  {name:<58}{', '.join(f'{p99:.1f}' for p99 in rounds)}")

    print(
        f"\n{issue:<40}{'req/s':>7}{'× bare':>8}{'CPU ms':>8}{'DB ms':>7}{'× bare':>8}"
        f"{'p99 at half':>13}{'× bare':>8}  aim: p99 at half load"
    )
    rows_of_aims = []
    for name, aim in aims.items():
        closed, half = results[name], results[name + HALF_LOAD]
        cpu = closed.cpu_ms_per_request or float("nan")
        database = database_ms[name]
        met = half.p99_ms <= aim if aim is not None else None
        rows_of_aims.append(
            {
                "endpoint": name,
                "rps": round(closed.rps, 1),
                "ratio_to_bare_rps": round(closed.rps / bare.rps, 4),
                "cpu_ms_per_answer": round(cpu, 3),
                "database_cpu_ms_per_answer": round(database, 3),
                "cpu_vs_bare": round((cpu + database) / bare_cpu, 1),
                "p99_ms_at_half_load": round(half.p99_ms, 2),
                "p99_vs_bare_at_half_load": round(half.p99_ms / bare_half.p99_ms, 1),
                "aim_p99_ms_at_half_load": aim,
                "aim_met": met,
            }
        )
        verdict = f"<= {aim:.0f} ms {'PASS' if met else 'MISS'}" if aim is not None else "-"
        print(
            f"{name:<40}{closed.rps:>7.0f}{closed.rps / bare.rps:>8.1%}{cpu:>8.2f}"
            f"{database:>7.2f}{(cpu + database) / bare_cpu:>7.0f}×{half.p99_ms:>13.1f}"
            f"{half.p99_ms / bare_half.p99_ms:>7.1f}×  {verdict}"
        )
    print(
        f"{BARE:<40}{bare.rps:>7.0f}{1:>8.0%}{bare_cpu:>8.2f}{'':>7}{1:>7.0f}×"
        f"{bare_half.p99_ms:>13.1f}{1:>7.1f}×"
    )

    checks = {
        f"{name} p99 <= {aim:.0f} ms at half its throughput": results[name + HALF_LOAD].p99_ms
        <= aim
        for name, aim in aims.items()
        if aim is not None
    }
    statuses = expected or {}
    checks["every answer was the expected one"] = all(
        set(result.statuses) == {statuses.get(name.removesuffix(HALF_LOAD), 200)}
        for name, result in results.items()
    )
    print()
    for check, ok in checks.items():
        print(f"  {'PASS' if ok else 'MISS'}  {check}")
    return {"results": rows, issue.replace(" ", "_"): rows_of_aims, "checks": checks}
