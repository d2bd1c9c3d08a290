from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from common.errors import problem_responses
from common.etag import etag_of, if_match_header
from common.http import created
from common.pagination import Page, PageRequest
from common.reference import Region
from common.routing import UnitOfWorkRoute
from foster_care.dependencies import Context, read_scope, write_scope
from foster_care.placements import service
from foster_care.placements.schemas import PlacementEndIn, PlacementIn, PlacementOut

router = APIRouter(
    prefix="/v1/foster-placements",
    tags=["foster placements"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "",
    status_code=201,
    summary="Place a child in a foster home (after an accepted proposal)",
    responses=problem_responses(404, 409, 422),
)
async def create_placement(
    body: PlacementIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> PlacementOut:
    placement = await service.create_placement(context.uow, context.principal, body)
    created(response, f"/v1/foster-placements/{placement.id}", placement.version)
    return placement


@router.get("", summary="List foster placements")
async def list_placements(
    page: Annotated[PageRequest, Query()],
    region: Region | None = Query(None, description="The placing municipality's region."),
    municipality_number: str | None = Query(None, pattern=r"^[0-9]{4}$"),
    foster_home_id: UUID | None = Query(None),
    current: bool | None = Query(None, description="Not ended (true) or ended (false)."),
    context: Context = Depends(read_scope),
) -> Page[PlacementOut]:
    return await service.list_placements(
        context.uow,
        context.principal,
        page,
        region=region,
        municipality_number=municipality_number,
        foster_home_id=foster_home_id,
        current=current,
    )


@router.get("/{placement_id}", summary="Read a foster placement", responses=problem_responses(404))
async def get_placement(
    placement_id: UUID,
    response: Response,
    context: Context = Depends(read_scope),
) -> PlacementOut:
    placement = await service.get_placement(context.uow, context.principal, placement_id)
    response.headers["ETag"] = etag_of(placement.version)
    return placement


@router.post(
    "/{placement_id}/end",
    summary="End a placement, with the reason (If-Match optional: a second end is a 409)",
    responses=problem_responses(404, 409, 412, 422),
)
async def end_placement(
    placement_id: UUID,
    body: PlacementEndIn,
    response: Response,
    context: Context = Depends(write_scope),
    if_match: str | None = Depends(if_match_header),
) -> PlacementOut:
    placement = await service.end_placement(
        context.uow, context.principal, placement_id, body, if_match
    )
    response.headers["ETag"] = etag_of(placement.version)
    return placement
