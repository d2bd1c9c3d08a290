from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from capacity.codes import InstitutionFunction, Ownership
from capacity.dependencies import Context, read_scope, write_scope
from capacity.institutions import service
from capacity.institutions.schemas import (
    InstitutionIn,
    InstitutionOut,
    PlaceContractChange,
    PlaceContractIn,
    PlaceContractOut,
)
from common.errors import problem_responses
from common.etag import etag_of, required_if_match
from common.http import created
from common.pagination import Page, PageRequest
from common.reference import Region
from common.routing import UnitOfWorkRoute

router = APIRouter(
    prefix="/v1/institutions",
    tags=["institutions"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "", status_code=201, summary="Register an institution", responses=problem_responses(409, 422)
)
async def create_institution(
    body: InstitutionIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> InstitutionOut:
    institution = await service.create_institution(context.uow, context.principal, body)
    created(response, f"/v1/institutions/{institution.id}", institution.version)
    return institution


@router.get("", summary="List institutions")
async def list_institutions(
    page: Annotated[PageRequest, Query()],
    region: Region | None = Query(None),
    ownership: Ownership | None = Query(None),
    function: InstitutionFunction | None = Query(None),
    context: Context = Depends(read_scope),
) -> Page[InstitutionOut]:
    return await service.list_institutions(
        context.uow, context.principal, page, region=region, ownership=ownership, function=function
    )


@router.get("/{institution_id}", summary="Read an institution", responses=problem_responses(404))
async def get_institution(
    institution_id: UUID,
    response: Response,
    context: Context = Depends(read_scope),
) -> InstitutionOut:
    institution = await service.get_institution(context.uow, context.principal, institution_id)
    response.headers["ETag"] = etag_of(institution.version)
    return institution


@router.post(
    "/{institution_id}/place-contracts",
    status_code=201,
    summary="Add places under a contract for a period",
    responses=problem_responses(404, 409, 422),
)
async def create_place_contract(
    institution_id: UUID,
    body: PlaceContractIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> PlaceContractOut:
    contract = await service.create_place_contract(
        context.uow, context.principal, institution_id, body
    )
    location = f"/v1/institutions/{institution_id}/place-contracts/{contract.id}"
    created(response, location, contract.version)
    return contract


@router.get(
    "/{institution_id}/place-contracts",
    summary="The institution's place contracts",
    responses=problem_responses(404),
)
async def list_place_contracts(
    institution_id: UUID,
    context: Context = Depends(read_scope),
) -> Page[PlaceContractOut]:
    return await service.list_place_contracts(context.uow, context.principal, institution_id)


@router.get(
    "/{institution_id}/place-contracts/{contract_id}",
    summary="Read a place contract",
    responses=problem_responses(404),
)
async def get_place_contract(
    institution_id: UUID,
    contract_id: UUID,
    response: Response,
    context: Context = Depends(read_scope),
) -> PlaceContractOut:
    contract = await service.get_place_contract(
        context.uow, context.principal, institution_id, contract_id
    )
    response.headers["ETag"] = etag_of(contract.version)
    return contract


@router.patch(
    "/{institution_id}/place-contracts/{contract_id}",
    summary="End or correct a place contract (If-Match required)",
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def update_place_contract(
    institution_id: UUID,
    contract_id: UUID,
    body: PlaceContractChange,
    response: Response,
    context: Context = Depends(write_scope),
    if_match: str = Depends(required_if_match),
) -> PlaceContractOut:
    contract = await service.update_place_contract(
        context.uow, context.principal, institution_id, contract_id, body, if_match
    )
    response.headers["ETag"] = etag_of(contract.version)
    return contract
