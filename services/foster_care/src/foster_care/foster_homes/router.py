from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from common.errors import problem_responses
from common.etag import etag_of, if_match_header, required_if_match
from common.http import created
from common.pagination import Page, PageRequest
from common.reference import Region
from common.routing import UnitOfWorkRoute
from foster_care.codes import FosterHomeKind, Stage
from foster_care.dependencies import Context, read_scope, write_scope
from foster_care.foster_homes import service
from foster_care.foster_homes.schemas import (
    FosterHomeChange,
    FosterHomeIn,
    FosterHomeOut,
    PauseIn,
    ResumeIn,
    TransitionIn,
)

router = APIRouter(
    prefix="/v1/foster-homes",
    tags=["foster homes"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "",
    status_code=201,
    summary="Register a family's inquiry (the first recruitment stage)",
    responses=problem_responses(409, 422),
)
async def create_foster_home(
    body: FosterHomeIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> FosterHomeOut:
    home = await service.create_foster_home(context.uow, context.principal, body)
    created(response, f"/v1/foster-homes/{home.id}", home.version)
    return home


@router.get("", summary="List foster homes")
async def list_foster_homes(
    page: Annotated[PageRequest, Query()],
    region: Region | None = Query(None),
    kind: FosterHomeKind | None = Query(None),
    status: Stage | None = Query(None, description="The recruitment stage."),
    available: bool | None = Query(None, description="Approved and not paused."),
    context: Context = Depends(read_scope),
) -> Page[FosterHomeOut]:
    return await service.list_foster_homes(
        context.uow,
        context.principal,
        page,
        region=region,
        kind=kind,
        status=status,
        available=available,
    )


@router.get("/{foster_home_id}", summary="Read a foster home", responses=problem_responses(404))
async def get_foster_home(
    foster_home_id: UUID,
    response: Response,
    context: Context = Depends(read_scope),
) -> FosterHomeOut:
    home = await service.get_foster_home(context.uow, context.principal, foster_home_id)
    response.headers["ETag"] = etag_of(home.version)
    return home


@router.patch(
    "/{foster_home_id}",
    summary="Change an approved home's places or the needs it meets (If-Match required)",
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def change_foster_home(
    foster_home_id: UUID,
    body: FosterHomeChange,
    response: Response,
    context: Context = Depends(write_scope),
    if_match: str = Depends(required_if_match),
) -> FosterHomeOut:
    home = await service.change_foster_home(
        context.uow, context.principal, foster_home_id, body, if_match
    )
    response.headers["ETag"] = etag_of(home.version)
    return home


@router.post(
    "/{foster_home_id}/transitions",
    summary="Move a home to its next recruitment stage, or withdraw it (If-Match optional)",
    description="Out of order → 409 naming the allowed next stages; `approved` before basic "
    "training (PRIDE or SOLID) was completed → 409.",
    responses=problem_responses(404, 409, 412, 422),
)
async def transition_foster_home(
    foster_home_id: UUID,
    body: TransitionIn,
    response: Response,
    context: Context = Depends(write_scope),
    if_match: str | None = Depends(if_match_header),
) -> FosterHomeOut:
    home = await service.transition_foster_home(
        context.uow, context.principal, foster_home_id, body, if_match
    )
    response.headers["ETag"] = etag_of(home.version)
    return home


@router.post(
    "/{foster_home_id}/pause",
    summary="Pause an approved home (not proposed while paused)",
    responses=problem_responses(404, 409, 422),
)
async def pause_foster_home(
    foster_home_id: UUID,
    body: PauseIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> FosterHomeOut:
    home = await service.pause_foster_home(context.uow, context.principal, foster_home_id, body)
    response.headers["ETag"] = etag_of(home.version)
    return home


@router.post(
    "/{foster_home_id}/resume",
    summary="Resume a paused home",
    responses=problem_responses(404, 409, 422),
)
async def resume_foster_home(
    foster_home_id: UUID,
    body: ResumeIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> FosterHomeOut:
    home = await service.resume_foster_home(context.uow, context.principal, foster_home_id, body)
    response.headers["ETag"] = etag_of(home.version)
    return home
