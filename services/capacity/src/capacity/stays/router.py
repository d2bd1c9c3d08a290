from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from capacity.dependencies import Context, read_scope, write_scope
from capacity.stays import service
from capacity.stays.schemas import (
    DischargeIn,
    SingleChildDecisionIn,
    SingleChildDecisionOut,
    SingleChildReviewIn,
    StayIn,
    StayOut,
)
from common.errors import problem_responses
from common.etag import etag_of, if_match_header, required_if_match
from common.http import created
from common.pagination import Page, PageRequest
from common.reference import Region
from common.routing import UnitOfWorkRoute

router = APIRouter(
    prefix="/v1/stays",
    tags=["stays"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "",
    status_code=201,
    summary="Admit a child (start a stay)",
    responses=problem_responses(409, 422),
)
async def create_stay(
    body: StayIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> StayOut:
    stay = await service.create_stay(context.uow, context.principal, context.vault, body)
    created(response, f"/v1/stays/{stay.id}", stay.version)
    return stay


@router.get("", summary="List stays")
async def list_stays(
    page: Annotated[PageRequest, Query()],
    region: Region | None = Query(None),
    municipality_number: str | None = Query(None, pattern=r"^[0-9]{4}$"),
    institution_id: UUID | None = Query(None),
    open: bool | None = Query(None, description="true: ongoing stays; false: ended ones."),
    context: Context = Depends(read_scope),
) -> Page[StayOut]:
    return await service.list_stays(
        context.uow,
        context.principal,
        context.vault,
        page,
        region=region,
        municipality_number=municipality_number,
        institution_id=institution_id,
        open_only=open,
    )


@router.get("/{stay_id}", summary="Read a stay, with its flags", responses=problem_responses(404))
async def get_stay(
    stay_id: UUID,
    response: Response,
    context: Context = Depends(read_scope),
) -> StayOut:
    stay = await service.get_stay(context.uow, context.principal, context.vault, stay_id)
    response.headers["ETag"] = etag_of(stay.version)
    return stay


@router.post(
    "/{stay_id}/discharge",
    summary="End a stay (If-Match optional: a second discharge is a 409 anyway)",
    responses=problem_responses(404, 409, 412, 422),
)
async def discharge_stay(
    stay_id: UUID,
    body: DischargeIn,
    response: Response,
    context: Context = Depends(write_scope),
    if_match: str | None = Depends(if_match_header),
) -> StayOut:
    stay = await service.discharge_stay(
        context.uow, context.principal, context.vault, stay_id, body, if_match
    )
    response.headers["ETag"] = etag_of(stay.version)
    return stay


@router.post(
    "/{stay_id}/single-child-decisions",
    status_code=201,
    summary="Record a single-child decision (enetiltak)",
    responses=problem_responses(404, 409, 422),
)
async def create_single_child_decision(
    stay_id: UUID,
    body: SingleChildDecisionIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> SingleChildDecisionOut:
    decision = await service.create_single_child_decision(
        context.uow, context.principal, stay_id, body
    )
    created(response, f"/v1/stays/{stay_id}/single-child-decisions/{decision.id}", decision.version)
    return decision


@router.patch(
    "/{stay_id}/single-child-decisions/{decision_id}",
    summary="Review a single-child decision (If-Match required)",
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def review_single_child_decision(
    stay_id: UUID,
    decision_id: UUID,
    body: SingleChildReviewIn,
    response: Response,
    context: Context = Depends(write_scope),
    if_match: str = Depends(required_if_match),
) -> SingleChildDecisionOut:
    decision = await service.review_single_child_decision(
        context.uow, context.principal, stay_id, decision_id, body, if_match
    )
    response.headers["ETag"] = etag_of(decision.version)
    return decision


@router.get(
    "/{stay_id}/single-child-decisions/{decision_id}",
    summary="Read a single-child decision",
    responses=problem_responses(404),
)
async def get_single_child_decision(
    stay_id: UUID,
    decision_id: UUID,
    response: Response,
    context: Context = Depends(read_scope),
) -> SingleChildDecisionOut:
    decision = await service.get_single_child_decision(
        context.uow, context.principal, stay_id, decision_id
    )
    response.headers["ETag"] = etag_of(decision.version)
    return decision
