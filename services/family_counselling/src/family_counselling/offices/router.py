from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from common.errors import problem_responses
from common.etag import etag_of
from common.http import created
from common.pagination import Page, PageRequest
from common.reference import Region
from common.routing import UnitOfWorkRoute
from family_counselling.codes import OfficeOwnership
from family_counselling.dependencies import Context, read_scope, write_scope
from family_counselling.offices import service
from family_counselling.offices.schemas import OfficeIn, OfficeOut, SlotIn, SlotOut

router = APIRouter(
    prefix="/v1/offices",
    tags=["offices"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "", status_code=201, summary="Register an office", responses=problem_responses(409, 422)
)
async def create_office(
    body: OfficeIn, response: Response, context: Context = Depends(write_scope)
) -> OfficeOut:
    office = await service.create_office(context.uow, context.principal, body)
    created(response, f"/v1/offices/{office.id}", office.version)
    return office


@router.get("", summary="List offices")
async def list_offices(
    page: Annotated[PageRequest, Query()],
    region: Region | None = Query(None),
    ownership: OfficeOwnership | None = Query(None),
    context: Context = Depends(read_scope),
) -> Page[OfficeOut]:
    return await service.list_offices(
        context.uow, context.principal, page, region=region, ownership=ownership
    )


@router.get("/{office_id}", summary="Read an office", responses=problem_responses(404))
async def get_office(
    office_id: UUID, response: Response, context: Context = Depends(read_scope)
) -> OfficeOut:
    office = await service.get_office(context.uow, context.principal, office_id)
    response.headers["ETag"] = etag_of(office.version)
    return office


@router.post(
    "/{office_id}/mediation-slots",
    status_code=201,
    summary="Publish a mediation slot for digital booking",
    responses=problem_responses(404, 409, 422),
)
async def create_slot(
    office_id: UUID, body: SlotIn, response: Response, context: Context = Depends(write_scope)
) -> SlotOut:
    slot = await service.create_slot(context.uow, context.principal, office_id, body)
    created(response, f"/v1/offices/{office_id}/mediation-slots")
    return slot


@router.get(
    "/{office_id}/mediation-slots",
    summary="The office's mediation slots (free ones only with free=true)",
    responses=problem_responses(404),
)
async def list_slots(
    office_id: UUID,
    free: bool = Query(False, description="Only free slots still ahead."),
    context: Context = Depends(read_scope),
) -> Page[SlotOut]:
    return await service.list_slots(context.uow, context.principal, office_id, free=free)
