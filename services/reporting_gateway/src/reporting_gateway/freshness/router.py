from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from common.errors import problem_responses
from common.routing import Context, UnitOfWorkRoute
from reporting_gateway.dependencies import reports_read_scope
from reporting_gateway.freshness import service
from reporting_gateway.freshness.schemas import Freshness
from reporting_gateway.projections import PROJECTIONS

router = APIRouter(
    prefix="/v1/freshness",
    tags=["freshness"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.get("", summary="How far behind each stream the read models are")
async def get_freshness(
    request: Request,
    context: Context = Depends(reports_read_scope),
) -> Freshness:
    platform = request.app.state.platform
    return await service.get_freshness(
        context.uow, platform.messaging, PROJECTIONS, platform.settings.nats_namespace
    )
