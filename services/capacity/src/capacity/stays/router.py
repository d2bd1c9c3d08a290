from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from capacity.dependencies import get_vault
from capacity.stays import service
from capacity.stays.schemas import (
    DischargeIn,
    SingleChildDecisionIn,
    SingleChildDecisionOut,
    SingleChildReviewIn,
    StayIn,
    StayOut,
)
from common import clock
from common.auth import Principal, require_scopes
from common.errors import problem_responses
from common.etag import etag_of, if_match_header
from common.pagination import Page, PageRequest, page_of, page_request
from common.pii import NationalIdVault
from common.reference import Region
from common.routing import UnitOfWorkRoute, get_uow
from common.uow import UnitOfWork

router = APIRouter(
    prefix="/v1/stays",
    tags=["stays"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)
read = require_scopes("capacity.read")
write = require_scopes("capacity.write")


@router.post(
    "",
    status_code=201,
    summary="Admit a child (start a stay)",
    responses=problem_responses(409, 422),
)
async def admit(
    body: StayIn,
    response: Response,
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> StayOut:
    stay = await service.admit(uow, principal, vault, body)
    response.headers["Location"] = f"/v1/stays/{stay.id}"
    response.headers["ETag"] = etag_of(stay.version)
    return service.to_out(stay, [], vault)


@router.get("", summary="List stays")
async def list_stays(
    region: Region | None = Query(None),
    municipality_number: str | None = Query(None, pattern=r"^[0-9]{4}$"),
    institution_id: UUID | None = Query(None),
    open: bool | None = Query(None, description="true: ongoing stays; false: ended ones."),
    page: PageRequest = Depends(page_request),
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> Page[StayOut]:
    rows, decisions = await service.list_stays(
        uow,
        principal,
        page,
        region=region,
        municipality_number=municipality_number,
        institution_id=institution_id,
        open_only=open,
    )
    items = [service.to_out(row, decisions.get(row.id, []), vault) for row in rows]
    return page_of(items, page, lambda item: item.id)


@router.get("/{stay_id}", summary="Read a stay, with its flags", responses=problem_responses(404))
async def get_stay(
    stay_id: UUID,
    response: Response,
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> StayOut:
    stay, decisions = await service.read_stay(uow, principal, stay_id)
    response.headers["ETag"] = etag_of(stay.version)
    return service.to_out(stay, decisions, vault)


@router.post(
    "/{stay_id}/discharge", summary="End a stay", responses=problem_responses(404, 409, 412, 422)
)
async def discharge(
    stay_id: UUID,
    body: DischargeIn,
    response: Response,
    if_match: str | None = Depends(if_match_header),
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> StayOut:
    stay, decisions = await service.discharge(uow, principal, stay_id, body, if_match)
    response.headers["ETag"] = etag_of(stay.version)
    return service.to_out(stay, decisions, vault)


@router.post(
    "/{stay_id}/single-child-decisions",
    status_code=201,
    summary="Record a single-child decision (enetiltak)",
    responses=problem_responses(404, 409, 422),
)
async def record_single_child_decision(
    stay_id: UUID,
    body: SingleChildDecisionIn,
    response: Response,
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
) -> SingleChildDecisionOut:
    decision = await service.record_decision(uow, principal, stay_id, body)
    response.headers["Location"] = f"/v1/stays/{stay_id}/single-child-decisions/{decision.id}"
    response.headers["ETag"] = etag_of(decision.version)
    return service.decision_out(decision, clock.today_in_oslo())


@router.patch(
    "/{stay_id}/single-child-decisions/{decision_id}",
    summary="Review a single-child decision (send If-Match)",
    responses=problem_responses(404, 412, 422),
)
async def review_single_child_decision(
    stay_id: UUID,
    decision_id: UUID,
    body: SingleChildReviewIn,
    response: Response,
    if_match: str | None = Depends(if_match_header),
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
) -> SingleChildDecisionOut:
    decision = await service.review_decision(uow, principal, stay_id, decision_id, body, if_match)
    response.headers["ETag"] = etag_of(decision.version)
    return service.decision_out(decision, clock.today_in_oslo())


@router.get(
    "/{stay_id}/single-child-decisions/{decision_id}",
    summary="Read a single-child decision",
    responses=problem_responses(404),
)
async def get_single_child_decision(
    stay_id: UUID,
    decision_id: UUID,
    response: Response,
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
) -> SingleChildDecisionOut:
    decision = await service.read_decision(uow, principal, stay_id, decision_id)
    response.headers["ETag"] = etag_of(decision.version)
    return service.decision_out(decision, clock.today_in_oslo())
