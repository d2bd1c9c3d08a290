"""create_app(): wiring only."""

from fastapi import FastAPI

from common.app import create_service_app
from common.pii import NationalIdVault
from foster_care.events import registry
from foster_care.foster_home_requests.router import router as foster_home_requests_router
from foster_care.foster_home_requests.router import waiting_list_router
from foster_care.foster_homes.router import router as foster_homes_router
from foster_care.models import metadata
from foster_care.placements.router import router as placements_router
from foster_care.settings import FosterCareSettings


def create_app(settings: FosterCareSettings | None = None) -> FastAPI:
    settings = settings or FosterCareSettings()
    app = create_service_app(
        settings,
        title="foster_care",
        description="Foster-home recruitment and approval, municipal foster-home requests, "
        "the waiting list, matching proposals and placements.",
        routers=[
            foster_home_requests_router,
            waiting_list_router,
            placements_router,
            foster_homes_router,
        ],
        metadata=metadata,
        events=registry,
        openapi_tags=[
            {
                "name": "foster homes",
                "description": "Recruitment from inquiry to approval (PRIDE or SOLID basic "
                "training first), places and pauses.",
            },
            {
                "name": "foster-home requests",
                "description": "Municipal requests, the waiting list, family group "
                "conferences, talks with the child, candidates, proposals and breaches.",
            },
            {"name": "foster placements", "description": "Placements from start to end."},
        ],
    )
    app.state.vault = NationalIdVault.from_settings(settings)
    return app
