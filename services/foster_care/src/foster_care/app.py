"""create_app(): wiring only."""

from fastapi import FastAPI

from common.app import create_service_app
from foster_care.events import registry
from foster_care.models import metadata
from foster_care.settings import FosterCareSettings


def create_app(settings: FosterCareSettings | None = None) -> FastAPI:
    settings = settings or FosterCareSettings()
    return create_service_app(
        settings,
        title="foster_care",
        description="Foster-home recruitment and approval, municipal foster-home requests, "
        "the waiting list, matching proposals and placements.",
        routers=[],
        metadata=metadata,
        events=registry,
    )
