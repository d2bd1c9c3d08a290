"""`/healthz` (the process is alive) and `/readyz` (it can reach its database and NATS)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from common.errors import problem_response

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness", response_model=dict[str, str])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: database and NATS reachable",
    responses={503: {"description": "A dependency is down"}},
)
async def readyz(request: Request) -> Response:
    platform = request.app.state.platform
    checks: dict[str, Any] = {}
    try:
        async with asyncio.timeout(2):
            async with platform.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unavailable: {type(exc).__name__}"
    checks["nats"] = "ok" if platform.messaging.is_connected else "unavailable"
    if all(value == "ok" for value in checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    return problem_response(
        503,
        slug="not-ready",
        title="Not ready",
        detail="A dependency is unavailable.",
        extra={"checks": checks},
    )
