"""Rules for institutions and place contracts. Answers in the API's terms; never commits
(the unit of work does) and never touches SQL (the repositories do)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from capacity.institutions.events import (
    INSTITUTION_REGISTERED,
    PLACE_CONTRACT_CHANGED,
    InstitutionRegistered,
    PlaceContractChanged,
)
from capacity.institutions.models import Institution, PlaceContract
from capacity.institutions.repository import InstitutionRepository, PlaceContractRepository
from capacity.institutions.schemas import (
    InstitutionIn,
    InstitutionOut,
    PlaceContractChange,
    PlaceContractIn,
    PlaceContractOut,
)
from common.auth import Principal, ensure_agency, ensure_may_see_region
from common.errors import InvalidInput, NotFound
from common.etag import check_if_match
from common.ids import new_id
from common.pagination import Page, PageRequest
from common.reference import Region, region_of_municipality
from common.uow import UnitOfWork


async def create_institution(
    uow: UnitOfWork, principal: Principal, data: InstitutionIn
) -> InstitutionOut:
    ensure_agency(principal, "register institutions")
    region = region_of_municipality(data.municipality_number)
    if data.region is not None and data.region != region:
        raise InvalidInput(
            "region",
            f"municipality {data.municipality_number} lies in region {region}, not {data.region}",
        )
    ensure_may_see_region(principal, region, "institution")
    institution = InstitutionRepository(uow).add(
        Institution(
            id=new_id(),
            name=data.name,
            region=region,
            municipality_number=data.municipality_number,
            ownership=data.ownership,
            functions=[str(function) for function in data.functions],
        )
    )
    uow.emit(
        INSTITUTION_REGISTERED,
        subject=institution.id,
        data=InstitutionRegistered(
            institution_id=institution.id,
            name=institution.name,
            region=region,
            municipality_number=institution.municipality_number,
            ownership=data.ownership,
            functions=list(data.functions),
        ),
    )
    return InstitutionOut.model_validate(institution)


async def _get_visible(uow: UnitOfWork, principal: Principal, institution_id: UUID) -> Institution:
    """Institutions are not child-level records: a municipality sees every one (it may be
    offered a place anywhere); a region's token its own region's."""
    institution = await InstitutionRepository(uow).get(institution_id)
    if institution is None:
        raise NotFound(f"No institution {institution_id}.")
    if principal.municipality_number is None:
        ensure_may_see_region(principal, institution.region, "institution")
    return institution


async def get_institution(
    uow: UnitOfWork, principal: Principal, institution_id: UUID
) -> InstitutionOut:
    return InstitutionOut.model_validate(await _get_visible(uow, principal, institution_id))


async def list_institutions(
    uow: UnitOfWork,
    principal: Principal,
    page: PageRequest,
    *,
    region: Region | None,
    ownership: str | None,
    function: str | None,
) -> Page[InstitutionOut]:
    if principal.region is not None:
        if region is not None:
            ensure_may_see_region(principal, region, "list")
        region = principal.region
    window = await InstitutionRepository(uow).list(
        page, region=region, ownership=ownership, function=function
    )
    return window.map(InstitutionOut.model_validate)


async def create_place_contract(
    uow: UnitOfWork, principal: Principal, institution_id: UUID, data: PlaceContractIn
) -> PlaceContractOut:
    ensure_agency(principal, "change place contracts")
    institution = await _get_visible(uow, principal, institution_id)
    if data.function not in institution.functions:
        raise InvalidInput(
            "function",
            f"the institution has no {data.function} function "
            f"(it has {', '.join(institution.functions)})",
        )
    contract = PlaceContractRepository(uow).add(
        PlaceContract(
            id=new_id(),
            institution_id=institution.id,
            function=data.function,
            contract_type=data.contract_type,
            budgeted_places=data.budgeted_places,
            valid_from=data.valid_from,
            valid_to=data.valid_to,
            day_price_nok=data.day_price_nok,
        )
    )
    _emit_contract(uow, institution, contract, "created")
    return PlaceContractOut.model_validate(contract)


async def _get_contract(
    uow: UnitOfWork,
    institution: Institution,
    contract_id: UUID,
    *,
    for_update: bool = False,
) -> PlaceContract:
    contract = await PlaceContractRepository(uow).get_of(
        institution.id, contract_id, for_update=for_update
    )
    if contract is None:
        raise NotFound(f"No place contract {contract_id} at institution {institution.id}.")
    return contract


async def get_place_contract(
    uow: UnitOfWork, principal: Principal, institution_id: UUID, contract_id: UUID
) -> PlaceContractOut:
    institution = await _get_visible(uow, principal, institution_id)
    return PlaceContractOut.model_validate(await _get_contract(uow, institution, contract_id))


async def list_place_contracts(
    uow: UnitOfWork, principal: Principal, institution_id: UUID
) -> Page[PlaceContractOut]:
    institution = await _get_visible(uow, principal, institution_id)
    contracts = await PlaceContractRepository(uow).list_of(institution.id)
    return Page[PlaceContractOut](items=[PlaceContractOut.model_validate(c) for c in contracts])


async def update_place_contract(
    uow: UnitOfWork,
    principal: Principal,
    institution_id: UUID,
    contract_id: UUID,
    data: PlaceContractChange,
    if_match: str,
) -> PlaceContractOut:
    """End a contract, or correct its places or price (the If-Match names the version)."""
    ensure_agency(principal, "change place contracts")
    institution = await _get_visible(uow, principal, institution_id)
    contract = await _get_contract(uow, institution, contract_id, for_update=True)
    check_if_match(if_match, contract.version)
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        raise InvalidInput("body", "name at least one of budgeted_places, valid_to, day_price_nok")
    if (
        "valid_to" in changes
        and changes["valid_to"] is not None
        and changes["valid_to"] < contract.valid_from
    ):
        raise InvalidInput("valid_to", "must not be before valid_from")
    for field in ("budgeted_places", "day_price_nok"):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "may not be null")
    for field, value in changes.items():
        setattr(contract, field, value)
    contract.version += 1
    _emit_contract(uow, institution, contract, "updated")
    return PlaceContractOut.model_validate(contract)


def _emit_contract(
    uow: UnitOfWork,
    institution: Institution,
    contract: PlaceContract,
    change: Literal["created", "updated"],
) -> None:
    uow.emit(
        PLACE_CONTRACT_CHANGED,
        subject=contract.id,
        data=PlaceContractChanged(
            contract_id=contract.id,
            change=change,
            institution_id=institution.id,
            region=institution.region,
            ownership=institution.ownership,
            function=contract.function,
            contract_type=contract.contract_type,
            budgeted_places=contract.budgeted_places,
            valid_from=contract.valid_from,
            valid_to=contract.valid_to,
            day_price_nok=contract.day_price_nok,
        ),
    )
