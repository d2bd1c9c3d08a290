"""The container image and the one-host compose file, checked without building or starting
anything (scripts/image-smoke.sh builds and starts the image in CI): the Dockerfile through
hadolint and what the platform asks of it, compose.yaml against the compose specification
and what one host needs, and the image's entrypoint script run by `sh` outside a container."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from devstack.services import REPO_ROOT, SERVICES

DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
ENTRYPOINT = REPO_ROOT / "deploy" / "container" / "entrypoint.sh"
COMPOSE_DIR = REPO_ROOT / "deploy" / "compose"
COMPOSE = COMPOSE_DIR / "compose.yaml"
SECRETS_EXAMPLE = COMPOSE_DIR / "secrets.env.example"
SERVICE_NAMES = [service.name for service in SERVICES]
PUBLIC_BASE = "python:3.11-slim-bookworm"


def tool(name: str) -> str:
    """A command the dev dependencies put beside this interpreter."""
    for directory in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    assert found is not None, f"{name} is missing: it is a dev dependency (uv sync)"
    return found


# --- the Dockerfile -------------------------------------------------------------------------


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order: comments dropped, continuation lines joined."""
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        if whole:
            keyword, _, arguments = whole.partition(" ")
            result.append((keyword.upper(), arguments.strip()))
    return result


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text())


def stages(parsed: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, arguments in parsed:
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, arguments))
    return result


def test_hadolint_finds_nothing():
    result = subprocess.run(
        [tool("hadolint"), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_hadolint_exception_is_inline_with_its_reason():
    for line in DOCKERFILE.read_text().splitlines():
        if "hadolint" in line and "ignore" in line:
            rules_and_reason = line.split("ignore=", 1)[1].split(maxsplit=1)
            assert len(rules_and_reason) == 2, f"an ignore without a reason: {line!r}"
    assert not (REPO_ROOT / ".hadolint.yaml").exists(), "ignores go inline, with a reason"


def test_both_stages_build_on_one_base_whose_default_is_the_public_python_image(dockerfile):
    before_first_from = dockerfile[: [k for k, _ in dockerfile].index("FROM")]
    assert ("ARG", f"BASE_IMAGE={PUBLIC_BASE}") in before_first_from
    froms = [arguments for keyword, arguments in dockerfile if keyword == "FROM"]
    assert len(froms) >= 2, "multi-stage: a builder and the image"
    assert all(arguments.split()[0] == "${BASE_IMAGE}" for arguments in froms), froms


def test_the_image_runs_as_a_non_root_user(dockerfile):
    final = stages(dockerfile)[-1]
    users = [arguments for keyword, arguments in final if keyword == "USER"]
    assert users, "the final stage sets USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert user == "10001"
    # Nothing runs as root after the USER switch but the entrypoint itself.
    after_user = final[[k for k, _ in final].index("USER") :]
    assert not [a for k, a in after_user if k == "RUN"], "RUN after USER would run as the user"


def test_the_image_has_a_healthcheck_on_readyz_with_pythons_urllib(dockerfile):
    final = stages(dockerfile)[-1]
    checks = [arguments for keyword, arguments in final if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    check = checks[0]
    for part in ("CMD", "http://127.0.0.1:", "/readyz", "urllib", "PORT"):
        assert part in check, part
    for absent in ("curl", "wget"):
        assert absent not in check, absent


def test_the_image_serves_on_port_8000_from_app_through_the_entrypoint(dockerfile):
    final = stages(dockerfile)[-1]
    assert ("EXPOSE", "8000") in final
    assert ("WORKDIR", "/app") in final
    env = " ".join(arguments for keyword, arguments in final if keyword == "ENV")
    assert re.search(r"\bPORT=8000\b", env)
    entrypoints = [arguments for keyword, arguments in final if keyword == "ENTRYPOINT"]
    assert entrypoints == ['["/app/deploy/container/entrypoint.sh"]']
    copies = " ".join(arguments for keyword, arguments in final if keyword == "COPY")
    assert "deploy/container/entrypoint.sh" in copies
    for service in SERVICE_NAMES:
        assert f"services/{service}/alembic.ini" in copies, service
        assert f"services/{service}/migrations" in copies, service


def test_the_final_stage_has_no_build_tools(dockerfile):
    final = " ".join(f"{k} {a}" for k, a in stages(dockerfile)[-1])
    for forbidden in ("uv ", "/uv", "uv==", "gcc", "build-essential", "pip install", "apt-get"):
        assert forbidden not in final, forbidden
    # The environment comes whole from the builder, not built here.
    assert "--from=builder /app/.venv" in final


def test_the_builder_installs_from_the_lockfile_without_devstack_or_dev_tools(dockerfile):
    builder = stages(dockerfile)[0]
    runs = " ".join(arguments for keyword, arguments in builder if keyword == "RUN")
    env = " ".join(arguments for keyword, arguments in builder if keyword in ("ENV", "ARG"))
    assert "UV_FROZEN=1" in env or "--frozen" in runs or "--locked" in runs
    assert "uv.lock" in " ".join(a for k, a in builder if k == "COPY")
    syncs = [run for run in re.split(r"&&|\bRUN\b", runs) if "uv sync" in run or "export" in run]
    assert syncs
    for sync in syncs:
        assert "--no-dev" in sync, sync
        assert "devstack" not in sync, sync
    installed = set(re.findall(r"--package\s+([\w-]+)", runs))
    assert installed == {"capacity", "foster-care", "family-counselling", "reporting-gateway"}
    assert "--no-editable" in runs


def test_uv_in_the_builder_is_the_makefiles_uv():
    makefile = (REPO_ROOT / "Makefile").read_text()
    wanted = re.search(r"^UV_VERSION\s*:?=\s*(\S+)", makefile, re.MULTILINE)
    assert wanted is not None
    pinned = re.search(r"^ARG UV_VERSION=(\S+)", DOCKERFILE.read_text(), re.MULTILINE)
    assert pinned is not None
    assert pinned.group(1) == wanted.group(1)
    assert '"uv==${UV_VERSION}"' in DOCKERFILE.read_text()


def test_the_context_leaves_out_local_data_environments_tests_and_secrets():
    ignored = {
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in (
        ".data",
        ".venv",
        ".tools",
        ".git",
        "bench-results",
        "tests",
        "node_modules",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        "**/__pycache__",
        "**/secrets.env",
        "**/*.png",
    ):
        assert entry in ignored, entry


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ["CONTAINER_ENGINE=podman", "BASE_IMAGE=localhost/bufetat-base:bookworm"],
            "podman build --format docker --build-arg BASE_IMAGE=localhost/bufetat-base:bookworm",
        ),
        (["CONTAINER_ENGINE=docker", "IMAGE_TAG=v1"], "docker build --build-arg UV_VERSION="),
    ],
)
def test_make_image_builds_with_the_engine_it_is_given(arguments: list[str], expected: str):
    environment = {k: v for k, v in os.environ.items() if k not in ("BASE_IMAGE", "IMAGE_TAG")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "image", *arguments],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    command = " ".join(result.stdout.replace("\\\n", " ").split())
    assert command.startswith(expected), command
    tag = "v1" if "IMAGE_TAG=v1" in arguments else "latest"
    assert f"-t bufetat-platform:{tag} -f Dockerfile ." in command
    if "BASE_IMAGE" not in " ".join(arguments):
        assert "BASE_IMAGE" not in command


# --- compose ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def platform_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The four services of the image (not migrate, not the infrastructure)."""
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image", "").startswith("bufetat-platform") and name != "migrate"
    }


def test_compose_file_follows_the_compose_specification():
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_postgres_nats_migrate_and_the_four_services(compose):
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:16"
    assert services["nats"]["image"].startswith("nats:2.10-alpine")
    assert "--jetstream" in services["nats"]["command"] or "-js" in services["nats"]["command"]
    commands = sorted(service["command"][0] for service in platform_services(compose).values())
    assert commands == sorted(SERVICE_NAMES)


def test_every_long_running_service_is_health_checked_or_waits_for_healthy_dependencies(
    compose,
):
    for name, service in compose["services"].items():
        if name == "migrate":
            continue
        if name == "otel-collector":
            # Its image has no shell and no HTTP client to probe itself with; it is optional
            # and nothing waits for it (a service without it drops spans, not requests).
            assert not any(
                "otel-collector" in (other.get("depends_on") or {})
                for other in compose["services"].values()
            )
            continue
        check = service.get("healthcheck") or {}
        checked = bool(check.get("test")) and not check.get("disable")
        depends = service.get("depends_on") or {}
        waits = bool(depends) and all(
            isinstance(depends, dict) and condition.get("condition") != "service_started"
            for condition in depends.values()
        )
        assert checked or waits, name
        assert service.get("restart") in ("unless-stopped", "always", "on-failure"), name


def test_migrate_runs_once_and_every_service_waits_for_it(compose):
    migrate = compose["services"]["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["command"][0] == "migrate"
    assert sorted(migrate["command"][1:]) == sorted(SERVICE_NAMES)
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "build" in migrate
    for service_name in SERVICE_NAMES:
        variable = f"DATABASE_URL_{service_name.upper()}"
        assert migrate["environment"][variable].endswith(f"/{service_name}"), variable
    for name, service in platform_services(compose).items():
        depends = service["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["nats"]["condition"] == "service_healthy", name


def test_each_service_has_its_own_database_which_postgres_creates(compose):
    init_scripts = " ".join(path.read_text() for path in (COMPOSE_DIR / "initdb").glob("*.sql"))
    for service in platform_services(compose).values():
        database = service["command"][0]
        assert service["environment"]["DATABASE_URL"].endswith(f"@postgres:5432/{database}")
        assert f"CREATE DATABASE {database};" in init_scripts
    volumes = compose["services"]["postgres"]["volumes"]
    assert "./initdb:/docker-entrypoint-initdb.d:ro" in volumes


def test_the_gateway_finds_the_services_and_the_services_wait_for_its_keys(compose):
    services = compose["services"]
    gateway = services["reporting-gateway"]
    assert gateway["command"] == ["reporting_gateway"]
    for variable, host in (
        ("CAPACITY_URL", "capacity"),
        ("FOSTER_CARE_URL", "foster-care"),
        ("FAMILY_COUNSELLING_URL", "family-counselling"),
    ):
        assert gateway["environment"][variable] == f"http://{host}:8000"
        assert host in services
        assert services[host]["depends_on"]["reporting-gateway"]["condition"] == "service_healthy"
    for service in platform_services(compose).values():
        assert service["environment"]["NATS_URL"] == "nats://nats:4222"


def test_only_the_gateway_publishes_a_port(compose):
    published = {name for name, service in compose["services"].items() if service.get("ports")}
    assert published == {"reporting-gateway"}
    (port,) = compose["services"]["reporting-gateway"]["ports"]
    assert str(port).endswith(":8000")
    assert "8000" in str(port)


def test_postgres_and_nats_keep_their_data_in_named_volumes(compose):
    named = set(compose.get("volumes") or {})
    for service, target in (("postgres", "/var/lib/postgresql/data"), ("nats", "/data")):
        mounts = [str(volume).split(":") for volume in compose["services"][service]["volumes"]]
        sources = [source for source, mount_target, *_ in mounts if mount_target == target]
        assert sources, service
        assert sources[0] in named, service
    assert "--store_dir" in compose["services"]["nats"]["command"]
    store = compose["services"]["nats"]["command"]
    assert store[store.index("--store_dir") + 1] == "/data"


SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PII_|_KEY$|PRIVATE", re.IGNORECASE)


def test_no_secret_is_written_in_the_compose_file(compose):
    for name, service in compose["services"].items():
        environment = service.get("environment") or {}
        assert isinstance(environment, dict), f"{name}: environment as a mapping"
        for variable, value in environment.items():
            assert not SECRET_NAME.search(variable), f"{name}: {variable} belongs in secrets.env"
            assert not re.search(r"://[^/@\s]*:[^/@\s]*@", str(value)), (
                f"{name}: {variable} carries a password"
            )
    needs_secrets = {"postgres", "migrate", *platform_services(compose)}
    for name in needs_secrets:
        assert compose["services"][name]["env_file"] == ["secrets.env"], name


def test_the_secrets_example_names_every_secret_and_holds_none():
    values = dict(
        line.split("=", 1)
        for line in SECRETS_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    for variable in (
        "POSTGRES_PASSWORD",
        "PGPASSWORD",
        "PII_ENCRYPTION_KEY",
        "PII_HASH_KEY",
        "AUTH_JWKS_URL",
        "AUTH_ISSUER",
    ):
        assert variable in values, variable
        assert values[variable] == "", f"{variable}: the example holds no value"
    assert values["ENVIRONMENT"] == "production"
    assert "LOCAL_ISSUER_ENABLED" not in values, "the local issuer is only a commented option"


def test_the_filled_in_secrets_file_is_never_committed():
    result = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/compose/secrets.env"], cwd=REPO_ROOT, check=False
    )
    assert result.returncode == 0, "deploy/compose/secrets.env must be in .gitignore"


def test_the_otel_collector_runs_only_under_its_profile(compose):
    services = compose["services"]
    for name, service in services.items():
        assert ("profiles" in service) == (name == "otel-collector"), name
    collector = services["otel-collector"]
    assert collector["profiles"] == ["otel"]
    assert (COMPOSE_DIR / "otel-collector.yaml").exists()
    config = yaml.safe_load((COMPOSE_DIR / "otel-collector.yaml").read_text())
    assert "otlp" in config["service"]["pipelines"]["traces"]["receivers"]
    for service in platform_services(compose).values():
        environment = service["environment"]
        assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
        assert environment["OTEL_TRACES_EXPORTER"] == "${OTEL_TRACES_EXPORTER:-none}"


# --- the entrypoint -------------------------------------------------------------------------


@pytest.fixture
def fake_image(tmp_path: Path) -> Path:
    """An /app with the four alembic.ini files, and stand-ins for `alembic` and `python`
    that record how they were called instead of doing it."""
    for service in SERVICE_NAMES:
        (tmp_path / "app" / "services" / service).mkdir(parents=True)
        (tmp_path / "app" / "services" / service / "alembic.ini").write_text("[alembic]\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    (bin_dir / "alembic").write_text(
        f'#!/bin/sh\necho "alembic $* DATABASE_URL=$DATABASE_URL" >> {shlex.quote(str(calls))}\n'
    )
    # `python -m common.serve …` is recorded; anything else (the URL helper) is Python's.
    (bin_dir / "python").write_text(
        "#!/bin/sh\n"
        'if [ "$1" = -m ]; then echo "python $*" >> ' + shlex.quote(str(calls)) + "; exit 0; fi\n"
        f'exec {shlex.quote(sys.executable)} "$@"\n'
    )
    for script in ("alembic", "python"):
        (bin_dir / script).chmod(0o755)
    return tmp_path


def entrypoint(
    fake_image: Path, *arguments: str, **environment: str
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": f"{fake_image / 'bin'}:/usr/bin:/bin",
        "APP_DIR": str(fake_image / "app"),
        **environment,
    }
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def calls(fake_image: Path) -> list[str]:
    path = fake_image / "calls"
    return path.read_text().splitlines() if path.exists() else []


def test_entrypoint_is_posix_sh_and_executable():
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh\n")
    assert os.access(ENTRYPOINT, os.X_OK)
    result = subprocess.run(["sh", "-n", str(ENTRYPOINT)], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_a_service_name_starts_that_service_as_production_does(fake_image: Path, service: str):
    result = entrypoint(fake_image, service, PORT="8123")
    assert result.returncode == 0, result.stderr
    assert calls(fake_image) == [
        f"python -m common.serve {service}.app:create_app --host 0.0.0.0 --port 8123"
    ]


def test_the_port_defaults_to_8000(fake_image: Path):
    assert entrypoint(fake_image, "capacity").returncode == 0
    assert calls(fake_image)[0].endswith("--port 8000")


def test_migrate_one_service_uses_database_url(fake_image: Path):
    url = "postgresql://bufetat@db:5432/foster_care"
    result = entrypoint(fake_image, "migrate", "foster_care", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    ini = fake_image / "app" / "services" / "foster_care" / "alembic.ini"
    assert calls(fake_image) == [f"alembic -c {ini} upgrade head DATABASE_URL={url}"]


def test_migrate_several_services_each_into_its_own_database(fake_image: Path):
    result = entrypoint(
        fake_image,
        "migrate",
        "capacity",
        "foster_care",
        "reporting_gateway",
        DATABASE_URL="postgresql://bufetat@db:5432/postgres?sslmode=require",
        DATABASE_URL_FOSTER_CARE="postgresql://other@db2:5432/fc",
    )
    assert result.returncode == 0, result.stderr
    urls = [line.split("DATABASE_URL=", 1)[1] for line in calls(fake_image)]
    assert urls == [
        "postgresql://bufetat@db:5432/capacity?sslmode=require",
        "postgresql://other@db2:5432/fc",
        "postgresql://bufetat@db:5432/reporting_gateway?sslmode=require",
    ]
    assert [line.split()[2].split("/")[-2] for line in calls(fake_image)] == [
        "capacity",
        "foster_care",
        "reporting_gateway",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((), "usage"),
        (("migrate",), "at least one service"),
        (("migrate", "capacity", "payroll"), "unknown service 'payroll'"),
        (("migrate", "capacity"), "set DATABASE_URL or DATABASE_URL_CAPACITY"),
        (("capacity", "--reload"), "takes no arguments"),
    ],
)
def test_entrypoint_refuses_what_it_cannot_do_with_exit_2(
    fake_image: Path, arguments: tuple[str, ...], message: str
):
    result = entrypoint(fake_image, *arguments)
    assert result.returncode == 2
    assert message in result.stderr
    assert calls(fake_image) == [], "nothing ran"


def test_anything_else_is_executed_as_it_is(fake_image: Path):
    result = entrypoint(fake_image, "echo", "hello from", "the image")
    assert result.returncode == 0
    assert result.stdout == "hello from the image\n"
