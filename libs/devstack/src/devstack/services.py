"""The four services of the platform, as the local stack starts them."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]


@dataclass(frozen=True)
class Service:
    name: str  # the Python package and the database name
    port: int
    url_prefix: str  # where the gateway serves it: /api/<url_prefix>

    @property
    def directory(self) -> Path:
        return REPO_ROOT / "services" / self.name

    @property
    def alembic_ini(self) -> Path:
        return self.directory / "alembic.ini"

    @property
    def app_factory(self) -> str:
        return f"{self.name}.app:create_app"

    def command(self, port: int) -> list[str]:
        """The service as production runs it: the platform's entrypoint (uvicorn, one
        worker, our own access log, the process's tuning)."""
        return [
            sys.executable,
            "-m",
            "common.serve",
            self.app_factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]


GATEWAY = Service("reporting_gateway", 8000, "")
CAPACITY = Service("capacity", 8001, "capacity")
FOSTER_CARE = Service("foster_care", 8002, "foster-care")
FAMILY_COUNSELLING = Service("family_counselling", 8003, "family-counselling")

SERVICES: tuple[Service, ...] = (GATEWAY, CAPACITY, FOSTER_CARE, FAMILY_COUNSELLING)
DOMAIN_SERVICES: tuple[Service, ...] = (CAPACITY, FOSTER_CARE, FAMILY_COUNSELLING)
