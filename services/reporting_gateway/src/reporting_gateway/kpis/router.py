from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from common.errors import problem_responses
from common.reference import Region
from common.routing import Context, UnitOfWorkRoute
from reporting_gateway.dependencies import reports_read_scope, reports_write_scope
from reporting_gateway.kpis import service
from reporting_gateway.kpis.schemas import (
    BudgetIn,
    BudgetOut,
    Catalogue,
    KpiAnswer,
    KpiQuery,
    Revision,
    RevisionQuery,
)

router = APIRouter(
    prefix="/v1",
    tags=["kpis"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.get("/kpis", summary="The KPI catalogue, each with its definition and target")
async def list_kpis(_context: Context = Depends(reports_read_scope)) -> Catalogue:
    return service.list_definitions()


@router.get(
    "/kpis/{kpi_id}",
    summary="A KPI for a period, region or national, as of a date, as known at an instant",
    responses=problem_responses(404, 422),
)
async def get_kpi(
    query: Annotated[KpiQuery, Query()],
    kpi_id: str = Path(max_length=64, examples=["cap.occupancy"]),
    context: Context = Depends(reports_read_scope),
) -> KpiAnswer:
    return await service.get_kpi(context.uow, context.principal, kpi_id, query)


@router.get(
    "/kpis/{kpi_id}/revisions",
    summary="What changed a KPI's figure since an instant: both figures and the events between",
    responses=problem_responses(404, 422),
)
async def get_kpi_revisions(
    query: Annotated[RevisionQuery, Query()],
    kpi_id: str = Path(max_length=64, examples=["cap.breaches"]),
    context: Context = Depends(reports_read_scope),
) -> Revision:
    return await service.get_revision(context.uow, context.principal, kpi_id, query)


@router.put(
    "/day-price-budgets/{year}/{region}",
    summary="Set a region's budgeted day price for a year (the target of cap.day_price)",
    responses=problem_responses(422),
)
async def set_day_price_budget(
    body: BudgetIn,
    year: int = Path(ge=1900, le=2199),
    region: Region = Path(),
    context: Context = Depends(reports_write_scope),
) -> BudgetOut:
    return await service.set_day_price_budget(context.uow, context.principal, year, region, body)
