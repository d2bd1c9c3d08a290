"""`make bench` (`--only gateway`): the reporting gateway's KPIs, freshness and replay over
national years of capacity events, beside a bare FastAPI endpoint of the same run.

Targets (issue 8), on a national year (benchmarks/capacity_year.py, published onto
capacity's stream as its outbox relay would):

- KPI queries (a year, one region, a breakdown): p99 <= 20 ms at half the saturating load;
- write -> KPI freshness: p99 <= 250 ms from capacity's 201 to the row in the gateway's read
  model, under a steady write load through capacity's HTTP API (outbox, relay, JetStream,
  the gateway's consumer);
- replay (`reporting_gateway.rebuild.rebuild`) >= 5 000 events/s;

and how the KPI queries and the replay grow with a second and a fifth year in the stream.
Results also go to bench-results/gateway.json.

The order: one year published with the gateway running (its consumer applies it live, as
after an outage), the KPIs measured; the freshness, with writes alone and with a dashboard
reading the first KPI at half its saturating load meanwhile; then, the gateway stopped, a
replay of what the stream holds, a second year published and replayed, three more and
replayed, the KPIs measured after each. The years added are earlier ones, so the year asked
about stays the newest complete one with more history beside it, as after years in
production (the read models do not depend on the order events arrive in). While the gateway
is stopped its durable consumer falls behind by the years published; after each replay
(which notes every event in the inbox) it is made again at the stream's end, as if it had
applied them live, so the gateway is not busy skipping duplicates while it is measured.
Before each measurement the read models are VACUUM ANALYZEd (what autovacuum would do
within a minute), so a stage does not measure whichever part of that overlapped it.

Each KPI: closed loop (the most it answers, 32 clients) in interleaved rounds with the bare
endpoint, then open loop at half that throughput in as many rounds, the median of each kept
(three rounds with one year, one with more); the gateway's and PostgreSQL's CPU per answer
beside it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import nats
import orjson
from nats.js.api import DeliverPolicy

from benchmarks.__main__ import (
    AUDIENCE,
    HALF_LOAD,
    ISSUER,
    Endpoint,
    serve,
    start_profile,
    stop_profile,
)
from benchmarks.capacity_year import STREAM, ensure_stream, national_years, publish
from benchmarks.load import RequestFactory, Result, request_bytes, run, run_at_rate
from common.clock import OSLO
from common.platform import Platform
from devstack.databases import database_url, ensure_database, migrate
from devstack.nats import EmbeddedNats
from devstack.ports import free_port
from devstack.postgres import EmbeddedPostgres
from devstack.services import CAPACITY, GATEWAY, REPO_ROOT
from reporting_gateway.auth.issuer import LocalIssuer, generate_signing_key
from reporting_gateway.projections.capacity import projection as capacity_projection
from reporting_gateway.rebuild import Replayed, rebuild
from reporting_gateway.settings import GatewaySettings

KPI_P99_MS = 20.0
FRESHNESS_P99_MS = 250.0
REPLAY_PER_SECOND = 5_000.0
POLL_SECONDS = 0.005  # how often the read model is asked for the rows written: the error
WARMUP_SECONDS = 1.0
BARE = "bare GET /ping"
PLACES_PER_CONTRACT = 1_000  # the most capacity takes in one contract


@dataclass(frozen=True)
class Kpi:
    name: str
    kpi: str
    breakdown: str

    def path(self, year: int) -> str:
        return f"/v1/kpis/{self.kpi}?period={year}&region=vest&breakdown={self.breakdown}"


# The questions a regional dashboard asks of a year, each with a breakdown.
KPIS = (
    Kpi("cap.occupancy vest by category", "cap.occupancy", "category"),
    Kpi("cap.children_unique vest by function", "cap.children_unique", "function"),
    Kpi("cap.breaches vest by kind", "cap.breaches", "kind"),
)


@dataclass(frozen=True)
class Stage:
    """The KPIs measured with `years` of events in the stream, and the replay of them."""

    years: int
    replay: Replayed
    results: dict[str, Result]
    database_ms: dict[str, float]
    """PostgreSQL's CPU ms per answer, by result."""
    p99_rounds: dict[str, list[float]]
    """Every round's p99 at half load (the median's is in `results`)."""


@dataclass(frozen=True)
class Freshness:
    writes: int
    statuses: dict[int, int]
    write_p50_ms: float
    write_p99_ms: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    unseen: int
    reads: Result | None


class Stack:
    """The embedded servers, the databases, the tokens and the processes of this run."""

    def __init__(self, root: Path, logs: Path, gateway_env: dict[str, str] | None = None) -> None:
        self.root, self.logs = root, logs
        self.gateway_env = gateway_env or {}
        self.postgres = EmbeddedPostgres(root / "postgres")
        self.nats = EmbeddedNats(root / "nats")
        self.processes: list[subprocess.Popen[bytes]] = []
        self.gateway: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        server = self.postgres.start()
        self.nats_url = self.nats.start()
        for service in (CAPACITY, GATEWAY):
            await ensure_database(server, service.name)
            await asyncio.to_thread(migrate, service, database_url(server, service.name))
        self.capacity_db = database_url(server, CAPACITY.name)
        self.gateway_db = database_url(server, GATEWAY.name)
        key_file = self.root / "key.pem"
        generate_signing_key(key_file)
        issuer = LocalIssuer.from_files(
            key_file, REPO_ROOT / "deploy/local/clients.toml", ISSUER, AUDIENCE
        )
        jwks = self.root / "jwks.json"
        jwks.write_bytes(orjson.dumps(issuer.jwks))
        self.jwks_url = f"file://{jwks}"
        admin = issuer.issue("national-admin", "national-admin-local")["access_token"]
        # What the gateway's KPI endpoint asks for: reports.read; reports.detail so that no
        # small count is hidden (the whole answer is computed either way).
        reader = issuer.issue(
            "national-admin", "national-admin-local", "reports.read reports.detail"
        )["access_token"]
        self.admin = {"Authorization": f"Bearer {admin}"}
        self.reader = {"Authorization": f"Bearer {reader}"}
        key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        self.env = {
            "NATS_URL": self.nats_url,
            "AUTH_ISSUER": ISSUER,
            "AUTH_AUDIENCE": AUDIENCE,
            "AUTH_JWKS_URL": self.jwks_url,
            "PII_ENCRYPTION_KEY": key,
            "PII_HASH_KEY": key,
            "DATABASE_POOL_SIZE": "20",
            "DATABASE_MAX_OVERFLOW": "0",
            "LOG_LEVEL": "INFO",
            "ENVIRONMENT": "local",
        }
        self.bare_port, self.gateway_port = free_port(), free_port()
        self.bare = serve("benchmarks.bare:app", self.bare_port, {}, self.logs / "bare.log")
        self.processes.append(self.bare)

    def start_capacity(self) -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        env = {**self.env, "DATABASE_URL": self.capacity_db}
        process = serve(CAPACITY.app_factory, port, env, self.logs / "gateway-capacity.log")
        self.processes.append(process)
        return process, f"http://127.0.0.1:{port}"

    def start_gateway(self) -> subprocess.Popen[bytes]:
        env = {**self.env, "DATABASE_URL": self.gateway_db, **self.gateway_env}
        self.gateway = serve(GATEWAY.app_factory, self.gateway_port, env, self.logs / "gateway.log")
        self.processes.append(self.gateway)
        return self.gateway

    def stop_gateway(self) -> None:
        if self.gateway is not None:
            stop(self.gateway)
            self.gateway = None

    @property
    def gateway_base(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def platform(self) -> Platform:
        """The gateway's platform in this process, for a replay (as `make rebuild-reports`)."""
        settings = GatewaySettings(
            database_url=self.gateway_db,
            nats_url=self.nats_url,
            auth_issuer=ISSUER,
            auth_audience=AUDIENCE,
            auth_jwks_url=self.jwks_url,
            environment="local",
        )
        return Platform(settings)

    def destroy(self) -> None:
        for process in self.processes:
            stop(process)
        self.nats.destroy()
        self.postgres.destroy()


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait()


def postgres_cpu_seconds(data_dir: Path) -> float:
    """User + system CPU time of the PostgreSQL server so far: the postmaster and its
    processes, the backends answering the gateway's queries among them (Linux)."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        if int(entry.name) == postmaster or int(fields[1]) == postmaster:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def caught_up(base: str, headers: dict[str, str], patience: float = 300.0) -> float:
    """Wait until /v1/freshness says the gateway has applied the whole stream; how long."""
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as client:
        while time.perf_counter() - started < patience:
            items = (await client.get("/v1/freshness")).json()["items"]
            # Every stream applied to its end (foster_care's is empty here; capacity's not).
            if all(item["behind"] == 0 for item in items) and any(
                item["stream_last_sequence"] for item in items
            ):
                return time.perf_counter() - started
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the gateway did not catch up in {patience:.0f} s; see gateway.log")


async def move_consumer_to_end(js: Any) -> None:
    """The gateway's durable consumer, made again to start after the stream's last event
    (its settings otherwise kept): what a replay put into the inbox is not delivered again.
    Only while the gateway is stopped: it binds to the durable as it finds it."""
    stream_name = STREAM.name
    last = (await js.stream_info(stream_name)).state.last_seq
    durable = capacity_projection.durable  # the years replayed are capacity's events
    config = (await js.consumer_info(stream_name, durable)).config
    await js.delete_consumer(stream_name, durable)
    config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
    config.opt_start_seq = last + 1
    await js.add_consumer(stream_name, config)


async def settle(url: str) -> None:
    """VACUUM (ANALYZE) the read models: a replay rewrites every row and leaves them without
    statistics until autovacuum comes by (within a minute in production); measured right
    away, a stage would measure whichever half of that work overlapped it."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("VACUUM (ANALYZE)")
    finally:
        await connection.close()


async def replay(stack: Stack) -> Replayed:
    """`rebuild` in this process, as `make rebuild-reports` runs it in its own (whose heap
    is small: the events made here are kept out of the collector's way)."""
    quiet_collector()
    platform = stack.platform()
    platform.messaging.start()
    try:
        replayed = await rebuild(platform)
    finally:
        await platform.messaging.close()
        await platform.engine.dispose()
    return next(r for r in replayed if r.stream == STREAM.name)


def kpi_endpoints(stack: Stack, year: int, label: str = "") -> list[Endpoint]:
    assert stack.gateway is not None
    endpoints = []
    for kpi in KPIS:
        raw = request_bytes("GET", stack.gateway_base + kpi.path(year), headers=stack.reader)
        endpoints.append(
            Endpoint(kpi.name + label, stack.gateway_base, _always(raw), stack.gateway.pid)
        )
    return endpoints


def _always(raw: bytes) -> RequestFactory:
    return lambda _index: raw


def bare_endpoint(stack: Stack) -> Endpoint:
    base = f"http://127.0.0.1:{stack.bare_port}"
    ping = request_bytes("GET", f"{base}/ping")
    return Endpoint(BARE, base, lambda _i: ping, stack.bare.pid)


def quiet_collector() -> None:
    """What this process holds now, out of the garbage collector's way: this process is the
    load generator, and a full collection over what it holds (the years of events made,
    every module imported) stopped every client for ~0.1 s, measured as stalls of the bare
    endpoint and the KPIs alike, which the p99s would count as the servers'."""
    gc.collect()
    gc.freeze()


async def measure_stage(
    bare: Endpoint,
    kpis: list[Endpoint],
    *,
    rounds: int,
    clients: int,
    seconds: float,
    database: Path,
) -> tuple[dict[str, Result], dict[str, float], dict[str, list[float]]]:
    """Closed loop in `rounds` interleaved rounds (the bare endpoint among them, so a noisy
    minute touches all alike), the median round kept; then each KPI in open loop at half
    that throughput, again in interleaved rounds, the round of the median p99 kept (this
    machine stalls for a tenth of a second now and then, the bare endpoint too: one stall
    in a round of a few seconds is its p99). The bare endpoint is the reference for
    throughput and CPU only (the capacity part measures its latency). Beside each result,
    PostgreSQL's CPU ms per answer over the same window (`database`: its data directory):
    where a KPI's cost grows with the data. Also every round's p99 at half load."""
    quiet_collector()
    endpoints = [bare, *kpis]
    closed: dict[str, list[tuple[Result, float]]] = {endpoint.name: [] for endpoint in endpoints}
    for _ in range(rounds):
        for endpoint in endpoints:
            closed[endpoint.name].append(
                await asyncio.gather(
                    run(
                        endpoint.name,
                        endpoint.base,
                        endpoint.make_request,
                        clients=clients,
                        seconds=seconds,
                        warmup=WARMUP_SECONDS,
                        server_pid=endpoint.pid,
                    ),
                    _database_cpu(database, seconds),
                )
            )
    kept = {
        name: sorted(measured, key=lambda pair: pair[0].rps)[len(measured) // 2]
        for name, measured in closed.items()
    }
    opened: dict[str, list[tuple[Result, float]]] = {endpoint.name: [] for endpoint in kpis}
    for _ in range(rounds):
        for endpoint in kpis:
            opened[endpoint.name].append(
                await asyncio.gather(
                    run_at_rate(
                        endpoint.name + HALF_LOAD,
                        endpoint.base,
                        endpoint.make_request,
                        rate=kept[endpoint.name][0].rps / 2,
                        clients=clients,
                        seconds=seconds,
                        warmup=WARMUP_SECONDS,
                        server_pid=endpoint.pid,
                    ),
                    _database_cpu(database, seconds),
                )
            )
    for name, measured in opened.items():
        kept[name + HALF_LOAD] = sorted(measured, key=lambda pair: pair[0].p99_ms)[
            len(measured) // 2
        ]
    order = [bare.name, *(e.name for e in kpis), *(e.name + HALF_LOAD for e in kpis)]
    results = {name: kept[name][0] for name in order}
    database_ms = {
        name: db_cpu / max(result.requests, 1) * 1000 for name, (result, db_cpu) in kept.items()
    }
    p99s = {
        name + HALF_LOAD: [round(result.p99_ms, 2) for result, _ in measured]
        for name, measured in opened.items()
    }
    return results, database_ms, p99s


async def _database_cpu(database: Path, seconds: float) -> float:
    """PostgreSQL's CPU seconds over the window `run` measures (after its warm-up)."""
    await asyncio.sleep(WARMUP_SECONDS)
    before = postgres_cpu_seconds(database)
    await asyncio.sleep(seconds)
    return postgres_cpu_seconds(database) - before


# freshness --------------------------------------------------------------------------------


async def freshness(
    stack: Stack,
    capacity_base: str,
    *,
    rate: float,
    seconds: float,
    reads: Endpoint | None = None,
    read_rate: float = 0.0,
) -> Freshness:
    """Admissions through capacity's API at `rate` a second for `seconds`: per admission,
    the time from its 201 to its row in the gateway's read model (`capacity_stay`, polled
    every POLL_SECONDS: a KPI read after that moment counts it), the first second's
    writes (capacity's first admissions, its statements still to compile) not counted. With
    `reads`, the gateway answers that KPI at `read_rate` meanwhile."""
    quiet_collector()
    async with httpx.AsyncClient(base_url=capacity_base, headers=stack.admin, timeout=10) as client:
        warmup = int(rate * WARMUP_SECONDS)
        count = warmup + int(rate * seconds)
        institutions = await admissions_institutions(client, count)
        answered: dict[UUID, float] = {}
        seen: dict[UUID, float] = {}
        latencies: list[float] = []
        statuses: dict[int, int] = {}

        async def write(index: int, due: float) -> None:
            now = datetime.now(UTC)
            body = {
                "institution_id": institutions[index % len(institutions)],
                "child_ref": f"fresh-{index}-{now.timestamp()}",
                "municipality_number": "4601",
                "birth_date": "2012-03-04",
                "function": "acute",
                "contract_type": "state",
                "admitted_at": (now - timedelta(minutes=1)).isoformat(),
                "lives_alone": False,
                "day_price_nok": "15200.00",
            }
            response = await client.post("/v1/stays", json=body)
            done = time.perf_counter()
            if index < warmup:
                return
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            latencies.append(done - due)
            if response.status_code == 201:
                answered[UUID(response.json()["id"])] = done

        written = asyncio.Event()  # every write answered
        all_seen = asyncio.Event()

        async def poll() -> None:
            connection = await asyncpg.connect(stack.gateway_db)
            try:
                while not (written.is_set() and len(seen) == len(answered)):
                    pending = [stay for stay in answered if stay not in seen]
                    if pending:
                        rows = await connection.fetch(
                            "SELECT id FROM capacity_stay WHERE id = ANY($1::uuid[])", pending
                        )
                        now = time.perf_counter()
                        for row in rows:
                            seen[row["id"]] = now
                    await asyncio.sleep(POLL_SECONDS)
                all_seen.set()
            finally:
                await connection.close()

        poller = asyncio.create_task(poll())
        reading = (
            asyncio.create_task(_reads(reads, rate=read_rate, seconds=seconds))
            if reads is not None
            else None
        )
        start = time.perf_counter()
        writes = []
        for index in range(count):
            due = start + index / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            writes.append(asyncio.create_task(write(index, due)))
        await asyncio.gather(*writes)
        written.set()
        with contextlib.suppress(TimeoutError):  # what is not seen by then is counted unseen
            async with asyncio.timeout(10):
                await all_seen.wait()
        poller.cancel()
        read_result = await reading if reading is not None else None
    delays = sorted(seen[stay] - answered[stay] for stay in seen)
    quantiles = statistics.quantiles(delays, n=100, method="inclusive")
    write_quantiles = statistics.quantiles(sorted(latencies), n=100, method="inclusive")
    return Freshness(
        writes=len(latencies),
        statuses=statuses,
        write_p50_ms=write_quantiles[49] * 1000,
        write_p99_ms=write_quantiles[98] * 1000,
        p50_ms=quantiles[49] * 1000,
        p99_ms=quantiles[98] * 1000,
        max_ms=delays[-1] * 1000,
        unseen=len(answered) - len(seen),
        reads=read_result,
    )


async def _reads(endpoint: Endpoint, *, rate: float, seconds: float) -> Result:
    return await run_at_rate(
        endpoint.name,
        endpoint.base,
        endpoint.make_request,
        rate=rate,
        seconds=seconds,
        warmup=WARMUP_SECONDS,  # as the writes'
        server_pid=endpoint.pid,
    )


async def admissions_institutions(client: httpx.AsyncClient, admissions: int) -> list[str]:
    """Institutions in Bergen with room for `admissions` (state acute contracts of at most
    1 000 places, capacity's limit): each admission takes and checks a place as it would in
    production."""
    made: list[str] = []
    for _ in range(-(-admissions // PLACES_PER_CONTRACT)):
        created = await client.post(
            "/v1/institutions",
            json={
                "name": f"Bergen akuttinstitusjon {len(made) + 1} (bench)",
                "municipality_number": "4601",
                "ownership": "state",
                "functions": ["acute"],
            },
        )
        created.raise_for_status()
        institution = str(created.json()["id"])
        contract = await client.post(
            f"/v1/institutions/{institution}/place-contracts",
            json={
                "function": "acute",
                "contract_type": "state",
                "budgeted_places": PLACES_PER_CONTRACT,
                # From today: the year asked about keeps the same places at every step.
                "valid_from": datetime.now(OSLO).date().isoformat(),
                "valid_to": None,
                "day_price_nok": "15200.00",
            },
        )
        contract.raise_for_status()
        made.append(institution)
    return made


# the run ----------------------------------------------------------------------------------


async def main(
    *,
    seconds: float,
    rounds: int,
    clients: int,
    years: list[int],
    write_rate: float,
    write_seconds: float,
    profiling: bool,
    gateway_env: dict[str, str] | None = None,
) -> int:
    """`years`: the numbers of years to measure with (1, 2, 5; one always); `gateway_env`:
    settings of the gateway's process other than production's (to try a change)."""
    started = time.perf_counter()
    years = sorted({1, *years})
    (REPO_ROOT / ".data").mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="bench-gateway-", dir=REPO_ROOT / ".data"))
    logs = REPO_ROOT / "bench-results"
    logs.mkdir(exist_ok=True)
    stack = Stack(root, logs, gateway_env)
    profile: subprocess.Popen[bytes] | None = None
    client: Any = None
    try:
        # The newest complete year is the one asked about; the years added are earlier.
        asked = datetime.now(OSLO).year - 1
        calendar = [asked - index for index in range(max(years))]
        made = await asyncio.to_thread(national_years, calendar)
        await stack.start()
        client = await nats.connect(stack.nats_url)
        js = client.jetstream()
        await ensure_stream(js)
        capacity, capacity_base = stack.start_capacity()
        gateway = stack.start_gateway()

        publishing = time.perf_counter()
        published = await publish(js, made[asked])
        await caught_up(stack.gateway_base, stack.reader)
        live = time.perf_counter() - publishing
        print(
            f"\none national year ({asked}): {published} events published, applied live by "
            f"the gateway in {live:.1f} s ({published / live:.0f}/s)"
        )
        await settle(stack.gateway_db)
        # Every answer is checked once before it is measured.
        await check_answers(stack, asked)

        profile = start_profile(gateway, logs / "profile-gateway.txt") if profiling else None
        first, first_database, first_p99s = await measure_stage(
            bare_endpoint(stack),
            kpi_endpoints(stack, asked),
            rounds=rounds,
            clients=clients,
            seconds=seconds,
            database=stack.postgres.data_dir,
        )
        stop_profile(profile)
        profile = None

        # Freshness: writes alone, then with a dashboard reading at half its saturating load.
        main_kpi = kpi_endpoints(stack, asked)[0]
        fresh = await freshness(stack, capacity_base, rate=write_rate, seconds=write_seconds)
        loaded = await freshness(
            stack,
            capacity_base,
            rate=write_rate,
            seconds=write_seconds,
            reads=main_kpi,
            read_rate=first[main_kpi.name].rps / 2,
        )
        stop(capacity)
        await caught_up(stack.gateway_base, stack.reader)
        stack.stop_gateway()

        # The stream now holds the year and what the freshness runs wrote.
        stage_replay = await replay(stack)
        print(f"\n1 year replayed: {_replayed(stage_replay)}")
        stages = [Stage(1, stage_replay, first, first_database, first_p99s)]
        for count in years[1:]:
            for year in calendar[stages[-1].years : count]:
                await publish(js, made[year])
            stage_replay = await replay(stack)
            await settle(stack.gateway_db)
            await move_consumer_to_end(js)
            stack.start_gateway()
            await caught_up(stack.gateway_base, stack.reader)
            print(
                f"\n{count} years ({', '.join(map(str, calendar[:count]))}) replayed: "
                + _replayed(stage_replay)
            )
            await check_answers(stack, asked)
            label = f" [{count} years]"
            results, database_ms, p99s = await measure_stage(
                bare_endpoint(stack),
                kpi_endpoints(stack, asked, label),
                rounds=1,
                clients=clients,
                seconds=seconds,
                database=stack.postgres.data_dir,
            )
            stack.stop_gateway()
            stages.append(Stage(count, stage_replay, results, database_ms, p99s))
        if profiling:
            await profile_replay(stack, logs / "profile-replay.txt")

        summary = report(stages, fresh, loaded, write_rate)
        elapsed = time.perf_counter() - started
        print(f"\nthe gateway's part took {elapsed:.0f} s")
        (logs / "gateway.json").write_text(
            json.dumps(
                {
                    "clients": clients,
                    "seconds": seconds,
                    "rounds": rounds,
                    "year_asked": asked,
                    "years_in_stream": calendar,
                    "events_per_year": {str(year): len(made[year]) for year in calendar},
                    "live_apply_seconds": round(live, 2),
                    "live_apply_per_second": round(published / live),
                    "gateway_env": gateway_env or {},
                    "elapsed_seconds": round(elapsed, 1),
                    **summary,
                },
                indent=2,
            )
        )
        return 0
    finally:
        stop_profile(profile)
        if client is not None:
            await client.close()
        stack.destroy()
        shutil.rmtree(root, ignore_errors=True)


def _replayed(replayed: Replayed) -> str:
    return f"{replayed.events} events in {replayed.seconds:.1f} s ({replayed.per_second:.0f}/s)"


async def check_answers(stack: Stack, year: int) -> None:
    """Each KPI answered once (200, or the run stops), its figures printed."""
    async with httpx.AsyncClient(base_url=stack.gateway_base, headers=stack.reader) as client:
        for kpi in KPIS:
            answer = await client.get(kpi.path(year))
            if answer.status_code != 200:
                raise RuntimeError(f"{kpi.path(year)}: {answer.status_code} {answer.text}")
            body = answer.json()
            parts = ", ".join(
                f"{part[kpi.breakdown]} {part['value']}" for part in body["breakdown"] or []
            )
            print(f"  {kpi.name}: {body['value']} (n={body['n']}; {parts})")


async def profile_replay(stack: Stack, out: Path) -> None:
    """The replay of everything in the stream, sampled by py-spy (which starts it: the
    rebuild as `make rebuild-reports` runs it)."""
    env = {**os.environ, **stack.env, "DATABASE_URL": stack.gateway_db}
    await asyncio.to_thread(
        subprocess.run,
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--format",
            "raw",
            "--output",
            str(out),
            "--rate",
            "200",
            "--",
            sys.executable,
            "-m",
            "reporting_gateway.rebuild",
        ],
        env=env,
        check=True,
        capture_output=True,
    )


# the report -------------------------------------------------------------------------------


def _row(name: str, result: Result, bare: Result, database_ms: float) -> dict[str, Any]:
    cpu = result.cpu_ms_per_request
    return {
        "endpoint": name,
        "rps": round(result.rps, 1),
        "offered_rps": round(result.offered_rps, 1) if result.offered_rps else None,
        "p50_ms": round(result.p50_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "server_cpu_ms_per_request": round(cpu, 3) if cpu is not None else None,
        "database_cpu_ms_per_request": round(database_ms, 3),
        "ratio_to_bare_get": round(result.rps / bare.rps, 4),
        "statuses": result.statuses,
    }


def report(
    stages: list[Stage], fresh: Freshness, loaded: Freshness, write_rate: float
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    print(
        f"\n{'endpoint':<52}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}"
        f"{'DB CPU ms':>11}{'vs GET /ping':>14}  statuses"
    )
    for stage in stages:
        bare = stage.results[BARE]
        for name, result in stage.results.items():
            database_ms = stage.database_ms[name]
            row = _row(name, result, bare, database_ms)
            if name in stage.p99_rounds:
                row["p99_ms_each_round"] = stage.p99_rounds[name]
            rows.append({"years": stage.years, **row})
            cpu = result.cpu_ms_per_request
            print(
                f"{name:<52}{result.rps:>8.0f}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
                f"{cpu if cpu is not None else float('nan'):>12.2f}{database_ms:>11.2f}"
                f"{result.rps / bare.rps:>13.1%}  {json.dumps(result.statuses)}"
            )

    print("\np99 at half load in each round (the median's kept):")
    for stage in stages:
        for name, p99s in stage.p99_rounds.items():
            print(f"  {name:<58}{', '.join(f'{p99:.1f}' for p99 in p99s)}")

    print(
        f"\n{'write -> read model':<40}{'writes':>8}{'write p99':>11}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'unseen':>8}"
    )
    freshness_rows = []
    for label, measured in (
        (f"{write_rate:.0f} admissions/s", fresh),
        (f"{write_rate:.0f} admissions/s + KPI reads", loaded),
    ):
        print(
            f"{label:<40}{measured.writes:>8}{measured.write_p99_ms:>11.1f}{measured.p50_ms:>9.1f}"
            f"{measured.p99_ms:>9.1f}{measured.max_ms:>9.1f}{measured.unseen:>8}"
        )
        reads = measured.reads
        freshness_rows.append(
            {
                "load": label,
                "writes": measured.writes,
                "write_statuses": measured.statuses,
                "write_p50_ms": round(measured.write_p50_ms, 1),
                "write_p99_ms": round(measured.write_p99_ms, 1),
                "p50_ms": round(measured.p50_ms, 1),
                "p99_ms": round(measured.p99_ms, 1),
                "max_ms": round(measured.max_ms, 1),
                "unseen": measured.unseen,
                "reads": None
                if reads is None
                else {
                    "endpoint": reads.name,
                    "offered_rps": round(reads.offered_rps or 0, 1),
                    "rps": round(reads.rps, 1),
                    "p99_ms": round(reads.p99_ms, 2),
                    "statuses": reads.statuses,
                },
            }
        )
    if loaded.reads is not None:
        print(
            f"  (KPI reads meanwhile: {loaded.reads.name} at {loaded.reads.offered_rps:.0f}/s, "
            f"p99 {loaded.reads.p99_ms:.1f} ms)"
        )

    one = stages[0]
    kpi_names = [name for name in one.results if name != BARE and not name.endswith(HALF_LOAD)]
    print(
        f"\n{'years':>5}{'events':>8}{'replay/s':>10}{'replay s':>10}  {'KPI':<22}{'req/s':>7}"
        f"{'p99 at half':>13}{'CPU ms':>8}{'DB CPU ms':>11}{'CPU × 1 year':>14}"
    )
    growth = []
    for stage in stages:
        replayed = stage.replay
        figures = {}
        label = "" if stage.years == 1 else f" [{stage.years} years]"
        for index, name in enumerate(kpi_names):
            closed, half = stage.results[name + label], stage.results[name + label + HALF_LOAD]
            cpu = closed.cpu_ms_per_request or float("nan")
            database_ms = stage.database_ms[name + label]
            total = cpu + database_ms
            base = (one.results[name].cpu_ms_per_request or float("nan")) + one.database_ms[name]
            figures[name] = {
                "rps": round(closed.rps, 1),
                "ratio_to_bare_get": round(closed.rps / stage.results[BARE].rps, 4),
                "p99_ms_at_half_load": round(half.p99_ms, 2),
                "cpu_ms_per_answer": round(cpu, 3),
                "database_cpu_ms_per_answer": round(database_ms, 3),
                "total_cpu_vs_one_year": round(total / base, 3),
            }
            replay_cells = (
                f"{stage.years:>5}{replayed.events:>8}{replayed.per_second:>10.0f}"
                f"{replayed.seconds:>10.2f}"
                if index == 0
                else " " * 33
            )
            print(
                f"{replay_cells}  {_short(name):<22}{closed.rps:>7.0f}{half.p99_ms:>13.1f}"
                f"{cpu:>8.2f}{database_ms:>11.2f}{total / base:>13.2f}×"
            )
        growth.append(
            {
                "years": stage.years,
                "replayed_events": replayed.events,
                "replay_seconds": round(replayed.seconds, 2),
                "replay_per_second": round(replayed.per_second),
                "kpis": figures,
            }
        )

    checks = {
        f"{name} p99 <= {KPI_P99_MS:.0f} ms at half its throughput (one year)": one.results[
            name + HALF_LOAD
        ].p99_ms
        <= KPI_P99_MS
        for name in kpi_names
    }
    checks[f"write -> read model p99 <= {FRESHNESS_P99_MS:.0f} ms ({write_rate:.0f}/s)"] = (
        fresh.p99_ms <= FRESHNESS_P99_MS and fresh.unseen == 0
    )
    checks[
        f"write -> read model p99 <= {FRESHNESS_P99_MS:.0f} ms ({write_rate:.0f}/s, KPI reads)"
    ] = loaded.p99_ms <= FRESHNESS_P99_MS and loaded.unseen == 0
    checks[f"replay >= {REPLAY_PER_SECOND:.0f} events/s (one year)"] = (
        one.replay.per_second >= REPLAY_PER_SECOND
    )
    checks["every answer was the expected one"] = all(
        set(result.statuses) == {200} for stage in stages for result in stage.results.values()
    ) and all(set(f.statuses) == {201} for f in (fresh, loaded))
    print()
    for check, ok in checks.items():
        print(f"  {'PASS' if ok else 'MISS'}  {check}")
    return {"results": rows, "freshness": freshness_rows, "growth": growth, "checks": checks}


def _short(name: str) -> str:
    return name.split(" ", 1)[0]
