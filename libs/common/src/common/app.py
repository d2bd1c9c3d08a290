"""`create_service_app`: the one way a service's FastAPI app is put together, so the four
services differ only in their routers, events and workers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import MetaData

from common import health
from common.access_log import AccessLogMiddleware
from common.auth import JwksSource
from common.consumer import Subscription
from common.db import conflict_details
from common.errors import (
    PROBLEM_JSON,
    FieldError,
    NotFound,
    Problem,
    install_problem_handlers,
    problem_responses,
)
from common.events import EventRegistry
from common.http import BodyLimitMiddleware
from common.logging import configure_logging
from common.platform import Platform, Worker
from common.settings import ServiceSettings
from common.telemetry import TraceContextMiddleware, configure_tracing

_UNINSTRUMENTED = frozenset({"/healthz", "/readyz", "/metrics"})


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    version: str = "1.0.0",
    metadata: MetaData | None = None,
    events: EventRegistry | None = None,
    subscriptions: Sequence[Subscription] = (),
    workers: Sequence[Worker] = (),
    jwks: JwksSource | None = None,
    openapi_tags: list[dict[str, Any]] | None = None,
    configure: Callable[[FastAPI, Platform], None] | None = None,
    resources: Callable[[Platform], AbstractAsyncContextManager[None]] | None = None,
) -> FastAPI:
    """`metadata`: the service's tables (constraints marked as conflicts answer 409);
    `events`: what it publishes (its outbox goes to the registry's stream); `resources`
    opens and closes what a service holds beyond the platform (e.g. clients)."""
    configure_logging(settings.service_name, settings.log_level, settings.log_format)
    configure_tracing(settings.service_name, settings.otel_traces_exporter)
    recording = settings.otel_traces_exporter != "none"
    platform = Platform(
        settings,
        stream=events.stream if events is not None else None,
        subscriptions=subscriptions,
        workers=workers,
        jwks=jwks,
        conflicts=conflict_details(metadata) if metadata is not None else None,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if resources is not None:
                await stack.enter_async_context(resources(platform))
            await platform.start()
            stack.push_async_callback(platform.stop)
            yield

    # Swagger UI and ReDoc from files served here, not from a CDN: the docs work offline.
    app = FastAPIOffline(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        openapi_tags=openapi_tags,
        responses=problem_responses(500),
        # FastAPI's own OpenTelemetry support, when spans go somewhere: one server span per
        # request, continuing the caller's traceparent. Per-step spans would cost more than
        # they tell; metrics are Prometheus', logs ours.
        telemetry={
            "tracing": recording,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "exclude": lambda scope: scope.get("path") in _UNINSTRUMENTED,
        },
    )
    app.state.platform = platform
    install_problem_handlers(app)
    # Routes are matched in order, one by one: the service's own first (its busiest router
    # first, as `routers` lists them), health and schemas after.
    for router in routers:
        app.include_router(router)
    app.include_router(health.router)
    if events is not None:
        app.include_router(_event_schema_router(events))
    if configure is not None:
        configure(app, platform)

    app.add_api_route("/metrics", _metrics, include_in_schema=False)
    _document_problems(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLogMiddleware, service=settings.service_name)
    if not recording:
        app.add_middleware(TraceContextMiddleware)  # outermost: the log line has the trace id
    return app


def _document_problems(app: FastAPI) -> None:
    """Every error answer is documented as problem+json (FastAPI's default 422 body is not
    what this platform sends)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        components.setdefault(
            "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        components["Problem"].pop("$defs", None)
        components.setdefault("FieldError", FieldError.model_json_schema())
        problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if status.isdigit() and int(status) >= 400:
                        response["content"] = problem
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


async def _metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


SCHEMA_JSON = "application/schema+json"


class SchemaResponse(JSONResponse):
    media_type = SCHEMA_JSON


def _event_schema_router(registry: EventRegistry) -> APIRouter:
    """The JSON Schema of every event the service publishes (the `dataschema` of each event)."""
    router = APIRouter(prefix="/schemas/events", tags=["events"])
    schemas = registry.json_schemas()

    @router.get("", summary="Event types this service publishes")
    async def list_event_types() -> dict[str, list[dict[str, str]]]:
        return {
            "items": [
                {
                    "type": event_type.type,
                    "description": event_type.description,
                    "schema": f"/schemas/events/{event_type.type}.json",
                }
                for event_type in registry
            ]
        }

    @router.get(
        "/{event_type}.json",
        summary="JSON Schema of one event type",
        response_class=SchemaResponse,
        responses={
            200: {
                "description": "The JSON Schema",
                "content": {SCHEMA_JSON: {"schema": {"type": "object"}}},
            },
            **problem_responses(404),
        },
    )
    async def event_schema(event_type: str) -> SchemaResponse:
        schema = schemas.get(event_type)
        if schema is None:
            raise NotFound(f"No event type {event_type!r} here.")
        return SchemaResponse(schema)

    return router
