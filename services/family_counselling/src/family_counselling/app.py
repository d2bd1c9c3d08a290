"""create_app(): wiring only."""

from fastapi import FastAPI

from common.app import create_service_app
from family_counselling.events import registry
from family_counselling.models import metadata
from family_counselling.settings import FamilyCounsellingSettings


def create_app(settings: FamilyCounsellingSettings | None = None) -> FastAPI:
    settings = settings or FamilyCounsellingSettings()
    return create_service_app(
        settings,
        title="family_counselling",
        description="Family counselling offices, mediation and clinical cases, waiting times, "
        "appointments and mediation certificates.",
        routers=[],
        metadata=metadata,
        events=registry,
    )
