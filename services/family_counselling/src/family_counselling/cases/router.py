from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from common.errors import problem_responses
from common.etag import etag_of, required_if_match
from common.http import created
from common.pagination import OffsetPageRequest, Page, PageRequest
from common.reference import Region
from common.routing import UnitOfWorkRoute
from family_counselling.cases import service
from family_counselling.cases.schemas import (
    CaseIn,
    CaseOut,
    CloseIn,
    ReopenIn,
    TriageChange,
    WorkQueue,
)
from family_counselling.codes import CaseStatus, CaseType
from family_counselling.dependencies import Context, read_scope, write_scope

router = APIRouter(
    prefix="/v1",
    tags=["cases"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "/cases",
    status_code=201,
    summary="Open a case (with its triage and derived priority)",
    responses=problem_responses(404, 409, 422),
)
async def create_case(
    body: CaseIn, response: Response, context: Context = Depends(write_scope)
) -> CaseOut:
    case = await service.create_case(context.uow, context.principal, body)
    created(response, f"/v1/cases/{case.id}", case.version)
    return case


@router.get("/cases", summary="List cases")
async def list_cases(
    page: Annotated[PageRequest, Query()],
    region: Region | None = Query(None),
    office_id: UUID | None = Query(None),
    case_type: CaseType | None = Query(None),
    status: CaseStatus | None = Query(None),
    context: Context = Depends(read_scope),
) -> Page[CaseOut]:
    return await service.list_cases(
        context.uow,
        context.principal,
        page,
        region=region,
        office_id=office_id,
        case_type=case_type,
        status=status,
    )


@router.get("/cases/{case_id}", summary="Read a case", responses=problem_responses(404))
async def get_case(
    case_id: UUID, response: Response, context: Context = Depends(read_scope)
) -> CaseOut:
    case = await service.get_case(context.uow, context.principal, case_id)
    response.headers["ETag"] = etag_of(case.version)
    return case


@router.patch(
    "/cases/{case_id}",
    summary="Change a case's triage (If-Match required)",
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def change_triage(
    case_id: UUID,
    body: TriageChange,
    response: Response,
    context: Context = Depends(write_scope),
    if_match: str = Depends(required_if_match),
) -> CaseOut:
    case = await service.change_triage(context.uow, context.principal, case_id, body, if_match)
    response.headers["ETag"] = etag_of(case.version)
    return case


@router.post(
    "/cases/{case_id}/close", summary="Close a case", responses=problem_responses(404, 409, 422)
)
async def close_case(
    case_id: UUID, body: CloseIn, response: Response, context: Context = Depends(write_scope)
) -> CaseOut:
    case = await service.close_case(context.uow, context.principal, case_id, body)
    response.headers["ETag"] = etag_of(case.version)
    return case


@router.post(
    "/cases/{case_id}/reopen",
    summary="Reopen a closed case on a new referral (the wait starts again)",
    responses=problem_responses(404, 409, 422),
)
async def reopen_case(
    case_id: UUID, body: ReopenIn, response: Response, context: Context = Depends(write_scope)
) -> CaseOut:
    case = await service.reopen_case(context.uow, context.principal, case_id, body)
    response.headers["ETag"] = etag_of(case.version)
    return case


@router.get(
    "/offices/{office_id}/work-queue",
    summary="An office's cases waiting for a first session, in priority order, with reasons",
    responses=problem_responses(404),
)
async def list_work_queue(
    office_id: UUID,
    page: Annotated[OffsetPageRequest, Query()],
    context: Context = Depends(read_scope),
) -> WorkQueue:
    return await service.list_work_queue(context.uow, context.principal, office_id, page)
