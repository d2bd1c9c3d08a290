from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from capacity.codes import InstitutionFunction, Ownership
from capacity.institutions import service
from capacity.institutions.schemas import (
    InstitutionIn,
    InstitutionOut,
    PlaceContractChange,
    PlaceContractIn,
    PlaceContractOut,
)
from common.auth import Principal, require_scopes
from common.errors import problem_responses
from common.etag import etag_of, if_match_header
from common.pagination import Page, PageRequest, page_of, page_request
from common.reference import Region
from common.routing import UnitOfWorkRoute, get_uow
from common.uow import UnitOfWork

router = APIRouter(
    prefix="/v1/institutions",
    tags=["institutions"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)
read = require_scopes("capacity.read")
write = require_scopes("capacity.write")


@router.post(
    "", status_code=201, summary="Register an institution", responses=problem_responses(409, 422)
)
async def register_institution(
    body: InstitutionIn,
    response: Response,
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
) -> InstitutionOut:
    institution = await service.register_institution(uow, principal, body)
    response.headers["Location"] = f"/v1/institutions/{institution.id}"
    response.headers["ETag"] = etag_of(institution.version)
    return InstitutionOut.model_validate(institution)


@router.get("", summary="List institutions")
async def list_institutions(
    region: Region | None = Query(None),
    ownership: Ownership | None = Query(None),
    function: InstitutionFunction | None = Query(None),
    page: PageRequest = Depends(page_request),
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
) -> Page[InstitutionOut]:
    rows = await service.list_institutions(
        uow, principal, page, region=region, ownership=ownership, function=function
    )
    items = [InstitutionOut.model_validate(row) for row in rows]
    return page_of(items, page, lambda item: item.id)


@router.get("/{institution_id}", summary="Read an institution", responses=problem_responses(404))
async def get_institution(
    institution_id: UUID,
    response: Response,
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
) -> InstitutionOut:
    institution = await service.get_institution(uow, principal, institution_id)
    response.headers["ETag"] = etag_of(institution.version)
    return InstitutionOut.model_validate(institution)


@router.post(
    "/{institution_id}/place-contracts",
    status_code=201,
    summary="Add places under a contract for a period",
    responses=problem_responses(404, 409, 422),
)
async def add_place_contract(
    institution_id: UUID,
    body: PlaceContractIn,
    response: Response,
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
) -> PlaceContractOut:
    contract = await service.add_place_contract(uow, principal, institution_id, body)
    response.headers["Location"] = (
        f"/v1/institutions/{institution_id}/place-contracts/{contract.id}"
    )
    return PlaceContractOut.model_validate(contract)


@router.get(
    "/{institution_id}/place-contracts",
    summary="The institution's place contracts",
    responses=problem_responses(404),
)
async def list_place_contracts(
    institution_id: UUID,
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
) -> Page[PlaceContractOut]:
    contracts = await service.list_place_contracts(uow, principal, institution_id)
    return Page[PlaceContractOut](items=[PlaceContractOut.model_validate(c) for c in contracts])


@router.get(
    "/{institution_id}/place-contracts/{contract_id}",
    summary="Read a place contract",
    responses=problem_responses(404),
)
async def get_place_contract(
    institution_id: UUID,
    contract_id: UUID,
    response: Response,
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
) -> PlaceContractOut:
    contract = await service.get_place_contract(uow, principal, institution_id, contract_id)
    response.headers["ETag"] = etag_of(contract.version)
    return PlaceContractOut.model_validate(contract)


@router.patch(
    "/{institution_id}/place-contracts/{contract_id}",
    summary="End or correct a place contract (send If-Match)",
    responses=problem_responses(404, 409, 412, 422),
)
async def change_place_contract(
    institution_id: UUID,
    contract_id: UUID,
    body: PlaceContractChange,
    response: Response,
    if_match: str | None = Depends(if_match_header),
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
) -> PlaceContractOut:
    contract = await service.change_place_contract(
        uow, principal, institution_id, contract_id, body, if_match
    )
    response.headers["ETag"] = etag_of(contract.version)
    return PlaceContractOut.model_validate(contract)
