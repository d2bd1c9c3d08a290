"""create_app(): wiring only."""

from fastapi import FastAPI

from capacity.events import registry
from capacity.institutions.router import router as institutions_router
from capacity.models import metadata
from capacity.placement_requests.ranking_cache import RankingCache
from capacity.placement_requests.router import router as placement_requests_router
from capacity.placement_requests.sweeper import breach_sweeper
from capacity.settings import CapacitySettings
from capacity.stays.router import router as stays_router
from common.app import create_service_app
from common.pii import NationalIdVault


def create_app(settings: CapacitySettings | None = None) -> FastAPI:
    settings = settings or CapacitySettings()
    app = create_service_app(
        settings,
        title="capacity",
        description="Institutions, places and contracts, placement requests from municipalities, "
        "offers by the 5-step priority order, stays, duty-to-assist deadlines and breaches.",
        routers=[placement_requests_router, stays_router, institutions_router],
        metadata=metadata,
        events=registry,
        workers=[
            breach_sweeper(settings.breach_sweep_interval_seconds, settings.breach_grace_seconds)
        ],
        openapi_tags=[
            {"name": "institutions", "description": "Institutions and their place contracts."},
            {
                "name": "placement requests",
                "description": "Requests for a place, candidates "
                "by the 5-step priority order, offers, decisions and breaches.",
            },
            {
                "name": "stays",
                "description": "Admissions, discharges and single-child decisions (enetiltak).",
            },
        ],
    )
    app.state.vault = NationalIdVault.from_settings(settings)
    app.state.ranking_cache = RankingCache(settings.candidates_cache_seconds)
    app.state.platform.commit_listeners.append(app.state.ranking_cache.on_commit)
    return app
