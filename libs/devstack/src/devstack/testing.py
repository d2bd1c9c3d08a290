"""pytest plugin: real PostgreSQL and NATS JetStream for the tests.

The servers start once per run (in the xdist controller, or the only process without
xdist), every service's migrations are applied once into a template database, and each
test module gets fresh databases copied from those templates plus its own NATS namespace
(stream names and subjects), so modules never see each other's data or events.
Set TEST_DATABASE_URL / TEST_NATS_URL to use servers of your own instead.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from stdnum.no import fodselsnummer

from devstack.databases import database_url, drop_database, ensure_database, migrate
from devstack.nats import EmbeddedNats
from devstack.postgres import TEST_SETTINGS, EmbeddedPostgres
from devstack.services import REPO_ROOT, SERVICES, Service

T = TypeVar("T")

_SERVERS: dict[str, Any] = {}
_TEST_KEYS = {
    "encryption": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    "hash": base64.urlsafe_b64encode(os.urandom(32)).decode(),
}
CLIENTS_FILE = REPO_ROOT / "deploy" / "local" / "clients.toml"
ISSUER = "http://issuer.test"
AUDIENCE = "bufetat-platform"


def template_name(service: Service) -> str:
    return f"template_{service.name}"


def _start_servers(root: Path) -> dict[str, str]:
    database = os.environ.get("TEST_DATABASE_URL")
    if database is None:
        postgres = EmbeddedPostgres(root / "postgres", settings=TEST_SETTINGS)
        database = postgres.start()
        _SERVERS["postgres"] = postgres
    nats_url = os.environ.get("TEST_NATS_URL")
    if nats_url is None:
        nats = EmbeddedNats(root / "nats")
        nats_url = nats.start()
        _SERVERS["nats"] = nats
    for service in SERVICES:
        name = template_name(service)
        asyncio.run(drop_database(database, name))
        asyncio.run(ensure_database(database, name))
        migrate(service, database_url(database, name))
    return {"database_url": database, "nats_url": nats_url}


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller started them
        config.stash[_urls_key] = {k: config.workerinput[k] for k in ("database_url", "nats_url")}
        return
    root = Path(tempfile.mkdtemp(prefix="bufetat-test-", dir=_scratch_dir()))
    _SERVERS["root"] = root
    config.stash[_urls_key] = _start_servers(root)


def pytest_configure_node(node: Any) -> None:  # xdist hook: pass the URLs to each worker
    node.workerinput.update(node.config.stash[_urls_key])


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    for name in ("nats", "postgres"):
        server = _SERVERS.pop(name, None)
        if server is not None:
            server.destroy()
    root = _SERVERS.pop("root", None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


def _scratch_dir() -> str:
    directory = REPO_ROOT / ".data" / "test"
    directory.mkdir(parents=True, exist_ok=True)
    return str(directory)


_urls_key = pytest.StashKey[dict[str, str]]()


@pytest.fixture(scope="session")
def database_server(pytestconfig: pytest.Config) -> str:
    """URL of the test PostgreSQL server (its `postgres` database)."""
    return pytestconfig.stash[_urls_key]["database_url"]


@pytest.fixture(scope="session")
def nats_url(pytestconfig: pytest.Config) -> str:
    return pytestconfig.stash[_urls_key]["nats_url"]


@pytest.fixture(scope="session")
def scratch_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="bufetat-worker-", dir=_scratch_dir()))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def issuer(scratch_dir: Path) -> Any:
    """The local issuer with a key made for this run and the clients in deploy/local."""
    from reporting_gateway.auth.issuer import LocalIssuer, generate_signing_key

    key_file = scratch_dir / "signing-key.pem"
    generate_signing_key(key_file)
    return LocalIssuer.from_files(key_file, CLIENTS_FILE, ISSUER, AUDIENCE)


@pytest.fixture(scope="session")
def jwks_url(issuer: Any, scratch_dir: Path) -> str:
    import orjson

    path = scratch_dir / "jwks.json"
    path.write_bytes(orjson.dumps(issuer.jwks))
    return f"file://{path}"


@pytest.fixture(scope="session")
def token(issuer: Any) -> Callable[..., str]:
    """`token("region-vest")` → a bearer token for that local client (optionally `scope=`)."""

    def make(client_id: str, scope: str | None = None) -> str:
        return str(issuer.issue(client_id, f"{client_id}-local", scope)["access_token"])

    return make


@pytest.fixture(scope="session")
def auth(token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """`auth("national-admin")` → the Authorization header for that client."""

    def make(client_id: str, scope: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(client_id, scope)}"}

    return make


@dataclass
class Environment:
    """One isolated copy of the platform's backing state for a test module."""

    database_server: str
    nats_url: str
    jwks_url: str
    namespace: str = field(default_factory=lambda: f"t{uuid.uuid4().hex[:10]}")
    databases: dict[str, str] = field(default_factory=dict)

    async def database(self, service: Service) -> str:
        """A fresh database for `service`, copied from its migrated template."""
        if service.name not in self.databases:
            name = f"{service.name}_{self.namespace}"
            await ensure_database(self.database_server, name, template=template_name(service))
            self.databases[service.name] = database_url(self.database_server, name)
        return self.databases[service.name]

    async def settings_env(self, service: Service, **overrides: Any) -> dict[str, str]:
        env = {
            "DATABASE_URL": await self.database(service),
            "NATS_URL": self.nats_url,
            "NATS_NAMESPACE": self.namespace,
            "AUTH_ISSUER": ISSUER,
            "AUTH_AUDIENCE": AUDIENCE,
            "AUTH_JWKS_URL": self.jwks_url,
            "ENVIRONMENT": "test",
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "WARNING",
            "OUTBOX_POLL_INTERVAL_SECONDS": "0.2",
            "DATABASE_POOL_SIZE": "5",
            "PII_ENCRYPTION_KEY": _TEST_KEYS["encryption"],
            "PII_HASH_KEY": _TEST_KEYS["hash"],
        }
        env.update({key.upper(): str(value) for key, value in overrides.items()})
        return env

    async def drop(self) -> None:
        for url in self.databases.values():
            name = url.rsplit("/", 1)[1]
            await drop_database(self.database_server, name)
        self.databases.clear()


@pytest.fixture(scope="module")
async def environment(
    database_server: str, nats_url: str, jwks_url: str
) -> AsyncIterator[Environment]:
    env = Environment(database_server, nats_url, jwks_url)
    yield env
    await env.drop()


def build_app(service: Service, env: dict[str, str]) -> FastAPI:
    """The service's app from settings given as environment variables."""
    import importlib

    module = importlib.import_module(f"{service.name}.app")
    settings_module = importlib.import_module(f"{service.name}.settings")
    settings_class = next(
        value
        for name, value in vars(settings_module).items()
        if name.endswith("Settings") and name != "ServiceSettings"
    )
    previous = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        settings = settings_class()
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    app: FastAPI = module.create_app(settings)
    return app


@asynccontextmanager
async def running(app: FastAPI, base_url: str = "http://test") -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (relay, consumers) and give an HTTP client bound to it."""
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        # Not `manager.app`: it hands every request the same `state` dict, where ASGI servers
        # give each request its own copy.
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


@pytest.fixture(scope="module")
async def start_service(
    environment: Environment,
) -> AsyncIterator[Callable[..., Awaitable[httpx.AsyncClient]]]:
    """`await start_service(CAPACITY, outbox_relay_enabled=False)` → a client of a running app
    (stopped at the end of the module)."""
    async with AsyncExitStack() as stack:

        async def start(service: Service, **overrides: Any) -> httpx.AsyncClient:
            app = build_app(service, await environment.settings_env(service, **overrides))
            client = await stack.enter_async_context(running(app))
            client.app = app  # type: ignore[attr-defined]
            return client

        yield start


def national_id(birth: date, *, d_number: bool = False) -> str:
    """A valid national identity number (or D-number) for `birth`: the individual digits
    chosen in the range that encodes its century, the check digits by python-stdnum."""
    low, high = _INDIVIDUAL_DIGITS[birth.year // 100]
    day = birth.day + (40 if d_number else 0)
    for individual in range(low, high + 1):
        digits = f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{individual:03d}"
        first = fodselsnummer.calc_check_digit1(digits)
        second = fodselsnummer.calc_check_digit2(digits + first)
        number = digits + first + second
        if len(number) == 11 and fodselsnummer.is_valid(number):
            return number
    raise AssertionError(f"no national identity number for {birth}")


# Individual digits (positions 7–9) by century of birth, as the numbers encode it.
_INDIVIDUAL_DIGITS = {19: (0, 499), 20: (500, 999)}


async def eventually(
    check: Callable[[], Awaitable[T]], *, within: float = 15.0, interval: float = 0.05
) -> T:
    """Retry `check` until it returns without AssertionError (or `within` seconds pass)."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(interval)


async def fetch(url: str, query: str, *args: Any) -> list[Any]:
    """Rows from a test database, read directly (to check what the service stored)."""
    import asyncpg

    from common.db import plain_url

    connection = await asyncpg.connect(plain_url(url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def stream_info(nats_url: str, stream: str) -> Any:
    import nats

    client = await nats.connect(nats_url)
    try:
        return await client.jetstream().stream_info(stream)
    finally:
        await client.close()


class ServedService:
    """A service running in its own uvicorn process, as in production."""

    def __init__(self, service: Service, env: dict[str, str]) -> None:
        self.service = service
        self.env = env
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = Path(
            tempfile.mkstemp(prefix=f"{service.name}-", suffix=".log", dir=_scratch_dir())[1]
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, within: float = 30.0) -> ServedService:
        from devstack.ports import free_port

        self.port = free_port()
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.service.command(self.port),
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.service.name} exited:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.service.name} did not start:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
async def served_platform(environment: Environment, scratch_dir: Path) -> AsyncIterator[Any]:
    """The four services in their own processes, the gateway with the local issuer in front
    of them, as `make run` starts them (module scope): yields the gateway."""
    from devstack.services import CAPACITY, FAMILY_COUNSELLING, FOSTER_CARE, GATEWAY

    domain = {
        service: ServedService(service, await environment.settings_env(service)).start()
        for service in (CAPACITY, FOSTER_CARE, FAMILY_COUNSELLING)
    }
    gateway = ServedService(
        GATEWAY,
        await environment.settings_env(
            GATEWAY,
            capacity_url=domain[CAPACITY].url,
            foster_care_url=domain[FOSTER_CARE].url,
            family_counselling_url=domain[FAMILY_COUNSELLING].url,
            local_issuer_enabled="true",
            local_issuer_key_file=scratch_dir / "signing-key.pem",
            auth_jwks_url="",
        ),
    ).start()
    yield gateway
    gateway.stop()
    for served in domain.values():
        served.stop()


def fuzz(url: str, token: str, workdir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Schemathesis against the OpenAPI a served service publishes at `url`: no 5xx, the
    documented statuses, content types and schemas; its generation widened by
    `devstack.fuzz_hooks` to calendar-edge instants and unstorable text."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{url}/openapi.json",
            "--checks",
            "not_a_server_error,content_type_conformance,"
            "response_schema_conformance,status_code_conformance",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            "40",
            "--seed",
            "20261122",
            "--no-color",
            "--generation-database",
            "none",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=workdir,  # schemathesis keeps state in ./.schemathesis
        env={**os.environ, "SCHEMATHESIS_HOOKS": "devstack.fuzz_hooks"},
    )
