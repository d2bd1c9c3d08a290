"""`make bench`: capacity's write and candidates paths beside a bare FastAPI endpoint.

Everything runs here and now, on one machine: embedded PostgreSQL and NATS, each server
under uvicorn with one worker, 32 concurrent keep-alive clients. Targets (issue 3): the
write at >= 30 % of the bare endpoint's throughput with p99 <= 50 ms; candidates over 1 000
institutions with p99 <= 20 ms. Results also go to bench-results/capacity.json.

Each endpoint is measured twice: closed loop (the most it answers; latency there is queueing,
p50 ~ 32 clients / throughput), in interleaved rounds whose median is kept, because a shared
machine's speed drifts by a third from minute to minute; then open loop at half that
throughput (how fast it answers under load it can carry). Beside each, the server's CPU time
per answer.

Then the gateway's part (benchmarks/gateway.py): KPIs, write -> read model freshness and
replay over national years of capacity events. Results go to bench-results/gateway.json.

Then foster_care's part (benchmarks/foster_care.py): the waiting list as of a past date and
a request's candidates over 5 000 requests and 2 000 foster homes. Results go to
bench-results/foster_care.json.

Then family_counselling's part (benchmarks/family_counselling.py): opening a case, recording
an outcome and an office's work queue over 50 000 cases and 200 000 appointments. Results go
to bench-results/family_counselling.json. `--only capacity`, `--only gateway`, `--only
foster_care` or `--only family_counselling` runs one part.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import orjson

from benchmarks.load import RequestFactory, Result, request_bytes, run, run_at_rate
from common.municipalities import MUNICIPALITIES
from common.reference import region_of_county
from devstack.databases import database_url, ensure_database, migrate
from devstack.nats import EmbeddedNats
from devstack.ports import free_port
from devstack.postgres import EmbeddedPostgres
from devstack.services import CAPACITY, REPO_ROOT, SERVICES, Service
from reporting_gateway.auth.issuer import LocalIssuer, generate_signing_key

ISSUER = "http://bench.issuer"
AUDIENCE = "bufetat-platform"
FUNCTIONS = ["acute", "care", "treatment_low_risk"]
CONTRACTS = ["state", "purchase_guarantee", "framework", "single_purchase"]
OWNERSHIP = {
    "state": "state",
    "purchase_guarantee": "ideal",
    "framework": "commercial",
    "single_purchase": "ideal",
}


def serve(
    app: str, port: int, env: dict[str, str], log: Path, checkout: Path | None = None
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            command(app, port, checkout),
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=checkout,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if (
                httpx.get(
                    f"http://127.0.0.1:{port}/ping"
                    if "bare" in app
                    else f"http://127.0.0.1:{port}/readyz",
                    timeout=1,
                ).status_code
                == 200
            ):
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{app} did not start; see {log}")


def command(app: str, port: int, checkout: Path | None = None) -> list[str]:
    """The capacity service as production runs it (that of another checkout, `checkout`, as
    that one ran it); the bare app with plain uvicorn."""
    if checkout is not None:
        python = str(checkout / ".venv" / "bin" / "python")
        if (checkout / "libs/common/src/common/serve.py").exists():
            return [python, "-m", "common.serve", app, "--host", "127.0.0.1", "--port", str(port)]
        return [python, *_uvicorn(app, port, factory=True)]
    for service in SERVICES:
        if app == service.app_factory:
            return service.command(port)
    return [sys.executable, *_uvicorn(app, port, factory=False)]


def _uvicorn(app: str, port: int, *, factory: bool) -> list[str]:
    return [
        "-m",
        "uvicorn",
        *(["--factory"] if factory else []),
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
    ]


async def migrated(server: str, service: Service) -> str:
    """`service`'s database beside the server `server` names, made by its Alembic
    migrations: its URL."""
    await ensure_database(server, service.name)
    url = database_url(server, service.name)
    await asyncio.to_thread(migrate, service, url)
    return url


def local_issuer(root: Path) -> tuple[LocalIssuer, str]:
    """An issuer of this run's tokens for the local clients (deploy/local/clients.toml),
    its signing key under `root`; and the file:// URL of its keys (a server's
    AUTH_JWKS_URL)."""
    key_file = root / "key.pem"
    generate_signing_key(key_file)
    issuer = LocalIssuer.from_files(
        key_file, REPO_ROOT / "deploy/local/clients.toml", ISSUER, AUDIENCE
    )
    jwks = root / "jwks.json"
    jwks.write_bytes(orjson.dumps(issuer.jwks))
    return issuer, f"file://{jwks}"


def bearer(issuer: LocalIssuer, client_id: str = "national-admin") -> dict[str, str]:
    """The Authorization header of a local client, with every scope it has."""
    token = issuer.issue(client_id, f"{client_id}-local")["access_token"]
    return {"Authorization": f"Bearer {token}"}


def service_env(database: str, nats_url: str, jwks_url: str) -> dict[str, str]:
    """A domain service's settings in a bench run: its database, this run's NATS and
    issuer, a pool of 20 for 32 clients."""
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    return {
        "DATABASE_URL": database,
        "NATS_URL": nats_url,
        "AUTH_ISSUER": ISSUER,
        "AUTH_AUDIENCE": AUDIENCE,
        "AUTH_JWKS_URL": jwks_url,
        "PII_ENCRYPTION_KEY": key,
        "PII_HASH_KEY": key,
        "DATABASE_POOL_SIZE": "20",
        "DATABASE_MAX_OVERFLOW": "0",
        "LOG_LEVEL": "INFO",
        "ENVIRONMENT": "local",
    }


async def seed_institutions(url: str, count: int) -> None:
    """`count` institutions all over the country, each with places for the three functions
    under one contract type, and a few stays taking some of them."""
    numbers = sorted(MUNICIPALITIES)
    rng = random.Random(1)
    connection = await asyncpg.connect(url)
    try:
        institutions, contracts = [], []
        for index in range(count):
            institution_id = uuid.uuid4()
            municipality = rng.choice(numbers)
            contract_type = CONTRACTS[index % len(CONTRACTS)]
            region = region_of_county(municipality)
            institutions.append(
                (
                    institution_id,
                    f"Institusjon {index}",
                    str(region),
                    municipality,
                    OWNERSHIP[contract_type],
                    FUNCTIONS,
                )
            )
            for function in FUNCTIONS:
                contracts.append(
                    (
                        uuid.uuid4(),
                        institution_id,
                        function,
                        contract_type,
                        rng.randint(1, 8),
                        datetime(2024, 1, 1).date(),
                    )
                )
        await connection.executemany(
            "INSERT INTO institution (id, name, region, municipality_number, ownership, "
            "functions) VALUES ($1, $2, $3, $4, $5, $6)",
            institutions,
        )
        await connection.executemany(
            "INSERT INTO place_contract (id, institution_id, function, contract_type, "
            "budgeted_places, valid_from, day_price_nok) VALUES ($1, $2, $3, $4, $5, $6, 15200)",
            contracts,
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def placement_body(index: int) -> bytes:
    need = datetime.now(UTC) - timedelta(minutes=5)
    return orjson.dumps(
        {
            "municipality_number": "4601",
            "child_ref": f"bench-{index}",
            "birth_date": "2010-05-04",
            "urgency": "planned",
            "function": "acute",
            "need_concluded_at": need.isoformat(),
            "desired_start_date": (need.date() + timedelta(days=3)).isoformat(),
            "child_views_recorded": True,
        }
    )


HALF_LOAD = " at half load"


@dataclass(frozen=True)
class Endpoint:
    name: str
    base: str
    make_request: RequestFactory
    pid: int


def shifted(make_request: RequestFactory, by: int) -> RequestFactory:
    """The same requests with other numbers (a write's child_ref is new in every round)."""
    return lambda index: make_request(by + index)


async def measure(
    endpoints: list[Endpoint], *, rounds: int, clients: int, seconds: float
) -> tuple[dict[str, Result], dict[str, list[Result]]]:
    """Closed loop in `rounds` interleaved rounds (every endpoint once per round, so a noisy
    minute on a shared machine touches all of them alike), the median round kept; then each
    endpoint in open loop at half its median throughput."""
    closed: dict[str, list[Result]] = {endpoint.name: [] for endpoint in endpoints}
    for round_number in range(rounds):
        for endpoint in endpoints:
            closed[endpoint.name].append(
                await run(
                    endpoint.name,
                    endpoint.base,
                    shifted(endpoint.make_request, round_number * 10**6),
                    clients=clients,
                    seconds=seconds,
                    server_pid=endpoint.pid,
                )
            )
    results: dict[str, Result] = {}
    for endpoint in endpoints:
        by_throughput = sorted(closed[endpoint.name], key=lambda result: result.rps)
        results[endpoint.name] = by_throughput[len(by_throughput) // 2]
    for endpoint in endpoints:
        results[endpoint.name + HALF_LOAD] = await run_at_rate(
            endpoint.name + HALF_LOAD,
            endpoint.base,
            shifted(endpoint.make_request, 10**8),
            rate=results[endpoint.name].rps / 2,
            clients=clients,
            seconds=seconds,
            server_pid=endpoint.pid,
        )
    ordered = {
        name: results[name]
        for endpoint in endpoints
        for name in (endpoint.name, endpoint.name + HALF_LOAD)
    }
    return ordered, closed


COMPARED = (
    "POST /v1/placement-requests",
    "GET placement request",
    "GET candidates",
    "GET candidates, no cache",
)
BEFORE = " [before]"


def compare(results: dict[str, Result], rounds: dict[str, list[Result]]) -> dict[str, object]:
    """This checkout against another (`--compare`), measured in the same interleaved rounds:
    the server's CPU per answer, and the run-to-run noise as the spread of that figure over
    the rounds of each endpoint."""
    print(f"\n{'CPU ms per answer':<34}{'before':>9}{'after':>9}{'change':>9}{'noise':>9}")
    rows = []
    for name in COMPARED:
        before, after = results[name + BEFORE], results[name]
        if before.cpu_ms_per_request is None or after.cpu_ms_per_request is None:
            continue
        change = after.cpu_ms_per_request / before.cpu_ms_per_request - 1
        noise = max(_spread(rounds[name]), _spread(rounds[name + BEFORE]))
        rows.append(
            {
                "endpoint": name,
                "before_cpu_ms": round(before.cpu_ms_per_request, 3),
                "after_cpu_ms": round(after.cpu_ms_per_request, 3),
                "change": round(change, 3),
                "noise": round(noise, 3),
                "within_noise": change <= noise,
            }
        )
        print(
            f"{name:<34}{before.cpu_ms_per_request:>9.3f}{after.cpu_ms_per_request:>9.3f}"
            f"{change:>+9.1%}{noise:>9.1%}"
        )
    return {"comparison": rows}


def _spread(rounds: list[Result]) -> float:
    """How far one round's CPU per answer strays from another's, relative to the lowest."""
    figures = [r.cpu_ms_per_request for r in rounds if r.cpu_ms_per_request is not None]
    return (max(figures) / min(figures) - 1) if len(figures) > 1 else 0.0


def report(results: dict[str, Result]) -> dict[str, object]:
    bare_get, bare_post = results["bare GET /ping"], results["bare POST /echo"]
    write, candidates = results["POST /v1/placement-requests"], results["GET candidates"]
    rows = []
    print(
        f"\n{'endpoint':<46}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}"
        f"{'vs GET /ping':>14}  statuses"
    )
    for name, result in results.items():
        ratio = result.rps / bare_get.rps
        cpu = result.cpu_ms_per_request
        rows.append(
            {
                "endpoint": name,
                "rps": round(result.rps, 1),
                "offered_rps": round(result.offered_rps, 1) if result.offered_rps else None,
                "p50_ms": round(result.p50_ms, 2),
                "p99_ms": round(result.p99_ms, 2),
                "server_cpu_ms_per_request": round(cpu, 3) if cpu is not None else None,
                "ratio_to_bare_get": round(ratio, 3),
                "statuses": result.statuses,
            }
        )
        print(
            f"{name:<46}{result.rps:>8.0f}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
            f"{cpu if cpu is not None else float('nan'):>12.2f}"
            f"{ratio:>13.0%}  {json.dumps(result.statuses)}"
        )
    floor = results["bare POST + 1 INSERT"]
    print(
        f"\nwrite: {write.rps / bare_post.rps:.0%} of bare POST, "
        f"{write.rps / floor.rps:.0%} of bare POST + 1 INSERT"
    )
    write_half, candidates_half = (
        results["POST /v1/placement-requests" + HALF_LOAD],
        results["GET candidates" + HALF_LOAD],
    )
    checks = {
        "write >= 30% of bare GET throughput": write.rps / bare_get.rps >= 0.30,
        "write >= 30% of bare POST throughput": write.rps / bare_post.rps >= 0.30,
        "write p99 <= 50 ms (closed loop, 32 clients)": write.p99_ms <= 50,
        "candidates p99 <= 20 ms (closed loop, 32 clients)": candidates.p99_ms <= 20,
        "write p99 <= 50 ms at half its throughput": write_half.p99_ms <= 50,
        "candidates p99 <= 20 ms at half its throughput": candidates_half.p99_ms <= 20,
        "every answer was the expected one": all(
            set(result.statuses) == ({201} if "POST" in name else {200})
            for name, result in results.items()
        ),
    }
    print()
    for check, ok in checks.items():
        print(f"  {'PASS' if ok else 'MISS'}  {check}")
    return {"results": rows, "checks": checks}


def start_profile(process: subprocess.Popen[bytes], out: Path) -> subprocess.Popen[bytes]:
    """py-spy (a dev dependency, beside this interpreter) sampling the server under load."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--pid",
            str(process.pid),
            "--format",
            "raw",
            "--output",
            str(out),
            "--rate",
            "200",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_profile(profile: subprocess.Popen[bytes] | None) -> None:
    if profile is not None:
        profile.send_signal(2)
        profile.wait()


async def main(
    seconds: float,
    rounds: int,
    clients: int,
    institutions: int,
    profiling: bool,
    before: Path | None = None,
) -> int:
    (REPO_ROOT / ".data").mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="bench-", dir=REPO_ROOT / ".data"))
    logs = REPO_ROOT / "bench-results"
    logs.mkdir(exist_ok=True)
    postgres = EmbeddedPostgres(root / "postgres")
    nats = EmbeddedNats(root / "nats")
    processes: list[subprocess.Popen[bytes]] = []
    profile: subprocess.Popen[bytes] | None = None
    try:
        server = postgres.start()
        nats_url = nats.start()
        capacity_db = await migrated(server, CAPACITY)
        await seed_institutions(capacity_db, institutions)

        issuer, jwks_url = local_issuer(root)
        auth = bearer(issuer)
        env = service_env(capacity_db, nats_url, jwks_url)

        # Every server up at once (an idle one costs nothing), so rounds can interleave.
        bare_port, port, uncached_port = free_port(), free_port(), free_port()
        bare = serve(
            "benchmarks.bare:app", bare_port, {"BARE_DATABASE_URL": capacity_db}, logs / "bare.log"
        )
        processes.append(bare)
        capacity = serve(CAPACITY.app_factory, port, env, logs / "capacity.log")
        processes.append(capacity)
        uncached = serve(
            CAPACITY.app_factory,
            uncached_port,
            {**env, "CANDIDATES_CACHE_SECONDS": "0", "OUTBOX_RELAY_ENABLED": "false"},
            logs / "capacity-uncached.log",
        )
        processes.append(uncached)
        bare_base = f"http://127.0.0.1:{bare_port}"
        base = f"http://127.0.0.1:{port}"
        uncached_base = f"http://127.0.0.1:{uncached_port}"

        count = await candidates_of_one_request(base, auth)
        print(
            f"candidates for one request: {count} of {institutions} institutions "
            "(answered 50 a page, best first)"
        )
        ping = request_bytes("GET", f"{bare_base}/ping")
        endpoints = [
            Endpoint("bare GET /ping", bare_base, lambda _i: ping, bare.pid),
            Endpoint(
                "bare POST /echo",
                bare_base,
                lambda i: request_bytes("POST", f"{bare_base}/echo", body=placement_body(i)),
                bare.pid,
            ),
            Endpoint(
                "bare POST + 1 INSERT",
                bare_base,
                lambda i: request_bytes("POST", f"{bare_base}/write", body=placement_body(i)),
                bare.pid,
            ),
        ]
        endpoints += await capacity_endpoints(
            "", base, capacity.pid, uncached_base, uncached.pid, auth
        )
        if before is not None:
            # The same capacity endpoints of another checkout, on its own copy of the data.
            await ensure_database(server, "capacity_before")
            before_db = database_url(server, "capacity_before")
            await asyncio.to_thread(migrate_checkout, before, before_db)
            await seed_institutions(before_db, institutions)
            before_env = {**env, "DATABASE_URL": before_db}
            before_port, before_uncached_port = free_port(), free_port()
            before_capacity = serve(
                CAPACITY.app_factory, before_port, before_env, logs / "before.log", before
            )
            processes.append(before_capacity)
            before_uncached = serve(
                CAPACITY.app_factory,
                before_uncached_port,
                {**before_env, "CANDIDATES_CACHE_SECONDS": "0", "OUTBOX_RELAY_ENABLED": "false"},
                logs / "before-uncached.log",
                before,
            )
            processes.append(before_uncached)
            endpoints += await capacity_endpoints(
                BEFORE,
                f"http://127.0.0.1:{before_port}",
                before_capacity.pid,
                f"http://127.0.0.1:{before_uncached_port}",
                before_uncached.pid,
                auth,
            )
        profile = start_profile(capacity, logs / "profile-capacity.txt") if profiling else None
        results, closed = await measure(endpoints, rounds=rounds, clients=clients, seconds=seconds)
        stop_profile(profile)
        profile = None
        summary = report(results)
        if before is not None:
            summary |= compare(results, closed)
        (logs / "capacity.json").write_text(
            json.dumps(
                {
                    "clients": clients,
                    "seconds": seconds,
                    "rounds": rounds,
                    "institutions": institutions,
                    "candidates": count,
                    **summary,
                },
                indent=2,
            )
        )
        return 0
    finally:
        stop_profile(profile)
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait()
        nats.destroy()
        postgres.destroy()
        shutil.rmtree(root, ignore_errors=True)


async def capacity_endpoints(
    label: str,
    base: str,
    pid: int,
    uncached_base: str,
    uncached_pid: int,
    auth: dict[str, str],
) -> list[Endpoint]:
    """The write, and a request's candidates with and without the ranking cache."""
    request_id = await one_request(base, auth)
    path = f"/v1/placement-requests/{request_id}/candidates"
    candidates = request_bytes("GET", base + path, headers=auth)
    uncached = request_bytes("GET", uncached_base + path, headers=auth)
    read = request_bytes("GET", f"{base}/v1/placement-requests/{request_id}", headers=auth)
    return [
        Endpoint(
            "POST /v1/placement-requests" + label,
            base,
            lambda i: request_bytes(
                "POST",
                f"{base}/v1/placement-requests",
                body=placement_body(10**10 + i),
                headers=auth,
            ),
            pid,
        ),
        Endpoint("GET placement request" + label, base, lambda _i: read, pid),
        Endpoint("GET candidates" + label, base, lambda _i: candidates, pid),
        Endpoint(
            "GET candidates, no cache" + label, uncached_base, lambda _i: uncached, uncached_pid
        ),
    ]


def migrate_checkout(checkout: Path, url: str) -> None:
    """Another checkout's capacity migrations, run by its own environment."""
    subprocess.run(
        [
            str(checkout / ".venv" / "bin" / "python"),
            "-m",
            "alembic",
            "-c",
            str(checkout / "services" / "capacity" / "alembic.ini"),
            "upgrade",
            "head",
        ],
        env={**os.environ, "DATABASE_URL": url},
        cwd=checkout,
        check=True,
        capture_output=True,
    )


async def one_request(base: str, auth: dict[str, str]) -> str:
    async with httpx.AsyncClient(base_url=base, headers=auth) as client:
        created = await client.post(
            "/v1/placement-requests",
            content=placement_body(1),
            headers={"Content-Type": "application/json"},
        )
        return str(created.json()["id"])


async def candidates_of_one_request(base: str, auth: dict[str, str]) -> int:
    """How many candidates a request has over every page."""
    request_id = await one_request(base, auth)
    async with httpx.AsyncClient(base_url=base, headers=auth) as client:
        count, cursor = 0, None
        while True:
            page = (
                await client.get(
                    f"/v1/placement-requests/{request_id}/candidates",
                    params={"limit": 500, **({"cursor": cursor} if cursor else {})},
                )
            ).json()
            count += len(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                return count


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="per round and endpoint")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved closed-loop rounds")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="CHECKOUT",
        help="also measure capacity from another checkout (with its own .venv), in the same "
        "interleaved rounds, and compare the CPU per answer",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the capacity server with py-spy into bench-results/ (with the gateway's "
        "part: the gateway under KPI load, and a replay; with foster_care's and "
        "family_counselling's: that service under load)",
    )
    parser.add_argument(
        "--only",
        choices=("capacity", "gateway", "foster_care", "family_counselling"),
        help="run one part: capacity's write and candidates paths, the gateway's KPIs, "
        "freshness and replay over national years (benchmarks/gateway.py), foster_care's "
        "waiting list and candidates (benchmarks/foster_care.py), or family_counselling's "
        "intake, outcomes and work queue (benchmarks/family_counselling.py); default all four",
    )
    gateway = parser.add_argument_group("the gateway's part")
    gateway.add_argument(
        "--gateway-seconds", type=float, default=3.0, help="per round and KPI endpoint"
    )
    gateway.add_argument(
        "--gateway-rounds",
        type=int,
        default=3,
        help="interleaved rounds, closed loop and at half load, with one year (one with more)",
    )
    gateway.add_argument(
        "--years",
        default="1,2,5",
        help="how many national years in the stream, at each step (the KPIs and the replay)",
    )
    gateway.add_argument(
        "--write-rate", type=float, default=20.0, help="admissions a second, for the freshness"
    )
    gateway.add_argument("--write-seconds", type=float, default=10.0)
    gateway.add_argument(
        "--gateway-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the gateway's process (e.g. DATABASE_POOL_SIZE=10), to try one",
    )
    foster_care = parser.add_argument_group("foster_care's part")
    foster_care.add_argument(
        "--foster-care-seconds", type=float, default=3.0, help="per round and endpoint"
    )
    foster_care.add_argument(
        "--foster-care-rounds",
        type=int,
        default=3,
        help="interleaved rounds, closed loop and at half load (the median kept)",
    )
    foster_care.add_argument("--homes", type=int, default=2000, help="foster homes seeded")
    foster_care.add_argument(
        "--requests", type=int, default=5000, help="foster-home requests seeded"
    )
    foster_care.add_argument(
        "--explain",
        action="store_true",
        help="also print EXPLAIN ANALYZE of the waiting list's and the candidates' queries "
        "on the seeded data (with family_counselling's part: of the work queue's)",
    )
    family_counselling = parser.add_argument_group("family_counselling's part")
    family_counselling.add_argument(
        "--family-counselling-seconds", type=float, default=3.0, help="per round and endpoint"
    )
    family_counselling.add_argument(
        "--family-counselling-rounds",
        type=int,
        default=3,
        help="interleaved rounds, closed loop and at half load (the median kept)",
    )
    family_counselling.add_argument(
        "--cases", type=int, default=50_000, help="family counselling cases seeded"
    )
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    status = 0
    if args.only in (None, "capacity"):
        status = asyncio.run(
            main(
                args.seconds,
                args.rounds,
                args.clients,
                args.institutions,
                args.profile,
                args.compare.resolve() if args.compare else None,
            )
        )
    if args.only in (None, "gateway"):
        from benchmarks import gateway as gateway_part  # imports this module by its name

        status |= asyncio.run(
            gateway_part.main(
                seconds=args.gateway_seconds,
                rounds=args.gateway_rounds,
                clients=args.clients,
                years=sorted({int(years) for years in args.years.split(",")}),
                write_rate=args.write_rate,
                write_seconds=args.write_seconds,
                profiling=args.profile,
                gateway_env=dict(setting.split("=", 1) for setting in args.gateway_env),
            )
        )
    if args.only in (None, "foster_care"):
        from benchmarks import foster_care as foster_care_part  # imports this module by name

        status |= asyncio.run(
            foster_care_part.main(
                seconds=args.foster_care_seconds,
                rounds=args.foster_care_rounds,
                clients=args.clients,
                homes=args.homes,
                requests=args.requests,
                explain=args.explain,
                profiling=args.profile,
            )
        )
    if args.only in (None, "family_counselling"):
        from benchmarks import family_counselling as family_counselling_part  # by name, too

        status |= asyncio.run(
            family_counselling_part.main(
                seconds=args.family_counselling_seconds,
                rounds=args.family_counselling_rounds,
                clients=args.clients,
                cases=args.cases,
                explain=args.explain,
                profiling=args.profile,
            )
        )
    sys.exit(status)
