"""`make run`: the whole platform on this machine.

Starts PostgreSQL and NATS under `.data/` on free ports (or uses DATABASE_URL / NATS_URL),
creates one database per service, migrates them, starts the four services, waits until each
`/readyz` is green and prints how to use them. On the first start it loads the demo slice
through the public APIs (`DEMO=year`: the whole demo year; `DEMO=none`: nothing). Ctrl-C
stops everything it started; the data stays for the next run.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx

from common.pii import generate_key
from devstack.databases import database_url, ensure_database, migrate
from devstack.nats import EmbeddedNats
from devstack.ports import is_free
from devstack.postgres import EmbeddedPostgres
from devstack.services import GATEWAY, REPO_ROOT, SERVICES, Service

log = logging.getLogger("devstack")

DATA_DIR = Path(os.environ.get("DEVSTACK_DATA_DIR", REPO_ROOT / ".data"))
READY_TIMEOUT_SECONDS = 90


def local_secrets() -> dict[str, str]:
    """Keys the local stack needs (made once, kept in .data/ beside the data they protect)."""
    path = DATA_DIR / "secrets.json"
    if path.exists():
        secrets: dict[str, str] = json.loads(path.read_text())
        return secrets
    secrets = {"PII_ENCRYPTION_KEY": generate_key(), "PII_HASH_KEY": generate_key()}
    path.write_text(json.dumps(secrets))
    path.chmod(0o600)
    return secrets


def service_env(service: Service, server_url: str, nats_url: str) -> dict[str, str]:
    gateway = f"http://127.0.0.1:{GATEWAY.port}"
    env = {
        **local_secrets(),
        **os.environ,
        "DATABASE_URL": database_url(server_url, service.name),
        "NATS_URL": nats_url,
        "AUTH_ISSUER": os.environ.get("AUTH_ISSUER", gateway),
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        "ENVIRONMENT": os.environ.get("ENVIRONMENT", "local"),
    }
    if service is GATEWAY:
        env.setdefault("LOCAL_ISSUER_ENABLED", "true")
        env.setdefault("LOCAL_ISSUER_KEY_FILE", str(DATA_DIR / "auth" / "signing-key.pem"))
        env.setdefault("CAPACITY_URL", "http://127.0.0.1:8001")
        env.setdefault("FOSTER_CARE_URL", "http://127.0.0.1:8002")
        env.setdefault("FAMILY_COUNSELLING_URL", "http://127.0.0.1:8003")
    else:
        env.setdefault("AUTH_JWKS_URL", f"{gateway}/.well-known/jwks.json")
    return env


def start_service(service: Service, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        service.command(service.port),
        env=env,
        cwd=REPO_ROOT,
    )


def wait_ready(processes: dict[Service, subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    pending = set(processes)
    with httpx.Client(timeout=2) as client:
        while pending and time.monotonic() < deadline:
            for service in list(pending):
                if processes[service].poll() is not None:
                    raise RuntimeError(f"{service.name} exited while starting")
                try:
                    if client.get(f"http://127.0.0.1:{service.port}/readyz").status_code == 200:
                        pending.discard(service)
                        log.info("%s is ready on port %s", service.name, service.port)
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
    if pending:
        names = ", ".join(service.name for service in pending)
        raise RuntimeError(f"not ready after {READY_TIMEOUT_SECONDS}s: {names}")


BANNER = """
The platform is up.

  dashboard           http://127.0.0.1:8000/dashboard   (sign in: directorate-reports /
                      directorate-reports-local, or dashboard-vest / dashboard-vest-local)
  gateway             http://127.0.0.1:8000   (API docs: /docs)
  capacity            http://127.0.0.1:8001   (also via the gateway: /api/capacity/…)
  foster_care         http://127.0.0.1:8002   (/api/foster-care/…)
  family_counselling  http://127.0.0.1:8003   (/api/family-counselling/…)
  PostgreSQL          {database}
  NATS                {nats}

Get a token (clients in deploy/local/clients.toml; the secret is <client_id>-local):

  TOKEN=$(curl -s -X POST http://127.0.0.1:8000/v1/auth/token \\
    -d grant_type=client_credentials -d client_id=national-admin \\
    -d client_secret=national-admin-local \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/capacity/v1/institutions

Ctrl-C stops everything; the data stays in {data_dir} for the next run.
"""


DEMO_CHOICES = ("slice", "year", "none")


def load_demo(choice: str, failed: threading.Event) -> None:
    """The demo data on the first start (`.data/demo.json` records that it was loaded and how
    its KPIs compared with the 2024 figures)."""
    import demo
    from demo.calibration import summary

    marker = DATA_DIR / "demo.json"
    if choice == "none" or marker.exists():
        return
    scales = demo.YEAR if choice == "year" else demo.SLICE
    gateway = f"http://127.0.0.1:{GATEWAY.port}"
    log.info(
        "loading the demo %s through the public APIs (first start; DEMO=none skips it)", choice
    )
    started = time.monotonic()
    try:
        calls = asyncio.run(demo.load(gateway, scales=scales, report=log.info))
        outcomes = asyncio.run(demo.verify(gateway, scales=scales))
    except Exception:
        log.exception(
            "the demo %s could not be loaded; it is tried again on the next start", choice
        )
        failed.set()
        return
    seconds = time.monotonic() - started
    print(summary(outcomes, demo.TOLERANCE), flush=True)
    within = all(outcome.within(demo.TOLERANCE) for outcome in outcomes)
    marker.write_text(
        json.dumps(
            {
                "loaded": choice,
                "scales": dict(scales),
                "calls": calls,
                "seconds": round(seconds),
                "at": datetime.now(UTC).isoformat(),
                "within_tolerance": within,
            },
            indent=2,
        )
    )
    log.info(
        "demo %s loaded: %d calls in %.0f s; the dashboard: %s/dashboard",
        choice,
        calls,
        seconds,
        gateway,
    )
    if not within:
        log.error("some of the demo's KPIs are off the 2024 figures (see above)")
        failed.set()


def prepare_databases(server_url: str) -> None:
    """One database per service beside `server_url`, migrated to the newest revision."""
    for service in SERVICES:
        if asyncio.run(ensure_database(server_url, service.name)):
            log.info("created database %s", service.name)
        migrate(service, database_url(server_url, service.name))
    log.info("migrations applied")


def migrate_only() -> int:
    """`make migrate`: against DATABASE_URL, or the embedded server under .data/."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s devstack %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    server_url = os.environ.get("DATABASE_URL")
    if server_url is not None:
        prepare_databases(server_url)
        return 0
    postgres = EmbeddedPostgres(DATA_DIR / "postgres")
    was_running = postgres.running_port() is not None
    try:
        prepare_databases(postgres.start())
    finally:
        if not was_running:
            postgres.stop()
    return 0


def rebuild_reports() -> int:
    """`make rebuild-reports`: replay every stream into the gateway's emptied read models,
    against DATABASE_URL and NATS_URL, or the servers under .data/ (started for the while if
    `make run` is not running)."""
    from reporting_gateway.rebuild import main as rebuild

    logging.basicConfig(level=logging.INFO, format="%(asctime)s devstack %(message)s")
    with ExitStack() as cleanup:
        server_url = os.environ.get("DATABASE_URL")
        if server_url is None:
            postgres = EmbeddedPostgres(DATA_DIR / "postgres")
            if postgres.running_port() is None:
                cleanup.callback(postgres.stop)
            server_url = postgres.start()
        nats_url = os.environ.get("NATS_URL")
        if nats_url is None:
            nats = EmbeddedNats(DATA_DIR / "nats")
            port = nats.running_port()
            if port is None:
                nats_url = nats.start()
                cleanup.callback(nats.stop)
            else:
                nats_url = f"nats://127.0.0.1:{port}"
        prepare_databases(server_url)
        os.environ.update(service_env(GATEWAY, server_url, nats_url))
        rebuild()
    return 0


def write_event_schemas() -> int:
    """`make schemas`: the JSON Schema of every event each service publishes, under
    docs/events/ (the contract consumers code against; a test keeps them current)."""
    import importlib

    out = REPO_ROOT / "docs" / "events"
    out.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        importlib.import_module(service.app_factory.split(":")[0])  # registers every event
        try:
            registry = importlib.import_module(f"{service.name}.events").registry
        except ModuleNotFoundError:  # the gateway only consumes
            continue
        for event_type, schema in registry.json_schemas().items():
            (out / f"{event_type}.json").write_text(json.dumps(schema, indent=2) + "\n")
            print(out / f"{event_type}.json")
    return 0


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s devstack %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    demo_choice = os.environ.get("DEMO", "slice")
    if demo_choice not in DEMO_CHOICES:
        print(f"DEMO={demo_choice!r}: use one of {', '.join(DEMO_CHOICES)}", file=sys.stderr)
        return 2
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    lock_file = (DATA_DIR / "run.lock").open("w")
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("Another `make run` is using .data/; stop it first.", file=sys.stderr)
        return 1
    busy = [service for service in SERVICES if not is_free(service.port)]
    if busy:
        print("Ports already taken: " + ", ".join(str(s.port) for s in busy), file=sys.stderr)
        return 1

    stop = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    with ExitStack() as cleanup:
        server_url = os.environ.get("DATABASE_URL")
        if server_url is None:
            postgres = EmbeddedPostgres(DATA_DIR / "postgres")
            server_url = postgres.start()
            cleanup.callback(postgres.stop)
            log.info("PostgreSQL on %s", server_url)
        nats_url = os.environ.get("NATS_URL")
        if nats_url is None:
            nats = EmbeddedNats(DATA_DIR / "nats")
            nats_url = nats.start()
            cleanup.callback(nats.stop)
            log.info("NATS on %s", nats_url)

        prepare_databases(server_url)

        processes: dict[Service, subprocess.Popen[bytes]] = {}

        def stop_services() -> None:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()

        cleanup.callback(stop_services)
        for service in SERVICES:  # the gateway first: the others fetch its keys
            processes[service] = start_service(service, service_env(service, server_url, nats_url))
        wait_ready(processes)
        print(BANNER.format(database=server_url, nats=nats_url, data_dir=DATA_DIR), flush=True)
        demo_failed = threading.Event()
        threading.Thread(
            target=load_demo, args=(demo_choice, demo_failed), name="demo", daemon=True
        ).start()

        while not stop:
            if demo_failed.is_set() and os.environ.get("DEMO_STRICT") == "1":
                log.error("stopping: the demo did not land (DEMO_STRICT=1)")
                return 1
            for service, process in processes.items():
                if process.poll() is not None:
                    log.error(
                        "%s stopped (exit %s); stopping the platform",
                        service.name,
                        process.returncode,
                    )
                    stop = True
            time.sleep(0.5)
        log.info("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
