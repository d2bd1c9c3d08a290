"""create_app(): wiring only."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from common.app import create_service_app
from common.auth import JwksSource
from common.platform import Platform
from reporting_gateway.auth.issuer import LocalIssuer, generate_signing_key
from reporting_gateway.auth.router import router as auth_router
from reporting_gateway.dashboard.router import router as dashboard_router
from reporting_gateway.freshness.router import router as freshness_router
from reporting_gateway.kpis.router import router as kpis_router
from reporting_gateway.models import metadata
from reporting_gateway.projections import PROJECTIONS
from reporting_gateway.proxy.openapi import serve_platform_openapi
from reporting_gateway.proxy.router import build_router, upstream_clients
from reporting_gateway.rebuild import mark_new_read_models, rebuild_when_outdated
from reporting_gateway.reports.router import router as reports_router
from reporting_gateway.settings import GatewaySettings


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    issuer: LocalIssuer | None = None
    jwks: JwksSource | None = None
    routers = [freshness_router, kpis_router, reports_router, dashboard_router]
    if settings.local_issuer_enabled:
        generate_signing_key(settings.local_issuer_key_file)
        issuer = LocalIssuer.from_files(
            settings.local_issuer_key_file,
            settings.local_issuer_clients_file,
            settings.auth_issuer,
            settings.auth_audience,
        )
        routers.insert(0, auth_router)
        if settings.auth_jwks_url is None:
            jwks = JwksSource(keys=issuer.jwks)  # trust our own keys without a round trip
    targets = {
        "capacity": settings.capacity_url,
        "foster-care": settings.foster_care_url,
        "family-counselling": settings.family_counselling_url,
    }
    routers.append(build_router(list(targets)))

    app: FastAPI

    @asynccontextmanager
    async def resources(platform: Platform) -> AsyncIterator[None]:
        await mark_new_read_models(platform)
        async with upstream_clients(
            app,
            targets,
            timeout_seconds=settings.proxy_timeout_seconds,
            connect_timeout_seconds=settings.proxy_connect_timeout_seconds,
        ):
            yield

    app = create_service_app(
        settings,
        title="reporting_gateway",
        description="The single entry point of the platform: token checks, the proxy to "
        "capacity, foster_care and family_counselling under /api/…, and the KPIs and reports "
        "built from their events.",
        routers=routers,
        metadata=metadata,
        subscriptions=[projection.subscription for projection in PROJECTIONS],
        workers=[rebuild_when_outdated],
        jwks=jwks,
        resources=resources,
    )
    app.state.local_issuer = issuer
    serve_platform_openapi(app, list(targets), settings.openapi_cache_seconds)
    return app
