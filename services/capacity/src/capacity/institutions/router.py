from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from capacity.codes import InstitutionFunction, Ownership
from capacity.dependencies import read_scope, write_scope
from capacity.institutions import service
from capacity.institutions.schemas import (
    InstitutionIn,
    InstitutionOut,
    PlaceContractChange,
    PlaceContractIn,
    PlaceContractOut,
)
from common.auth import Principal
from common.errors import problem_responses
from common.etag import etag_of, required_if_match
from common.http import created
from common.pagination import Page, PageRequest, page_request
from common.reference import Region
from common.routing import UnitOfWorkRoute, get_uow
from common.uow import UnitOfWork

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
    principal: Principal = Depends(write_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> InstitutionOut:
    institution = await service.create_institution(uow, principal, body)
    created(response, f"/v1/institutions/{institution.id}", institution.version)
    return institution


@router.get("", summary="List institutions")
async def list_institutions(
    region: Region | None = Query(None),
    ownership: Ownership | None = Query(None),
    function: InstitutionFunction | None = Query(None),
    page: PageRequest = Depends(page_request),
    principal: Principal = Depends(read_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> Page[InstitutionOut]:
    return await service.list_institutions(
        uow, principal, page, region=region, ownership=ownership, function=function
    )


@router.get("/{institution_id}", summary="Read an institution", responses=problem_responses(404))
async def get_institution(
    institution_id: UUID,
    response: Response,
    principal: Principal = Depends(read_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> InstitutionOut:
    institution = await service.get_institution(uow, principal, institution_id)
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
    principal: Principal = Depends(write_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> PlaceContractOut:
    contract = await service.create_place_contract(uow, principal, institution_id, body)
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
    principal: Principal = Depends(read_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> Page[PlaceContractOut]:
    return await service.list_place_contracts(uow, principal, institution_id)


@router.get(
    "/{institution_id}/place-contracts/{contract_id}",
    summary="Read a place contract",
    responses=problem_responses(404),
)
async def get_place_contract(
    institution_id: UUID,
    contract_id: UUID,
    response: Response,
    principal: Principal = Depends(read_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> PlaceContractOut:
    contract = await service.get_place_contract(uow, principal, institution_id, contract_id)
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
    principal: Principal = Depends(write_scope),
    if_match: str = Depends(required_if_match),
    uow: UnitOfWork = Depends(get_uow),
) -> PlaceContractOut:
    contract = await service.update_place_contract(
        uow, principal, institution_id, contract_id, body, if_match
    )
    response.headers["ETag"] = etag_of(contract.version)
    return contract
