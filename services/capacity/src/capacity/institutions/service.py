"""Rules for institutions and place contracts. Never commits: the unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from capacity.institutions import repository
from capacity.institutions.events import (
    INSTITUTION_REGISTERED,
    PLACE_CONTRACT_CHANGED,
    InstitutionRegistered,
    PlaceContractChanged,
)
from capacity.institutions.models import Institution, PlaceContract
from capacity.institutions.schemas import InstitutionIn, PlaceContractChange, PlaceContractIn
from common.auth import Principal, ensure_agency, ensure_may_see_region
from common.errors import Conflict, InvalidInput, NotFound
from common.etag import check_if_match
from common.ids import new_id
from common.pagination import PageRequest
from common.reference import Region, region_of_municipality
from common.uow import UnitOfWork


async def register_institution(
    uow: UnitOfWork, principal: Principal, data: InstitutionIn
) -> Institution:
    ensure_agency(principal, "register institutions")
    region = region_of_municipality(data.municipality_number)
    if data.region is not None and data.region != region:
        raise InvalidInput(
            "region",
            f"municipality {data.municipality_number} lies in region {region}, not {data.region}",
        )
    ensure_may_see_region(principal, region, "institution")
    institution = Institution(
        id=new_id(),
        name=data.name,
        region=region,
        municipality_number=data.municipality_number,
        ownership=data.ownership,
        functions=[str(function) for function in data.functions],
        version=1,
    )
    uow.session.add(institution)
    await uow.session.flush()
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
    return institution


async def get_institution(
    uow: UnitOfWork, principal: Principal, institution_id: UUID
) -> Institution:
    institution = await repository.get_institution(uow.session, institution_id)
    if institution is None:
        raise NotFound(f"No institution {institution_id}.")
    if principal.municipality_number is None:
        ensure_may_see_region(principal, institution.region, "institution")
    return institution


async def list_institutions(
    uow: UnitOfWork,
    principal: Principal,
    page: PageRequest,
    *,
    region: Region | None,
    ownership: str | None,
    function: str | None,
) -> Sequence[Institution]:
    if principal.region is not None:
        if region is not None:
            ensure_may_see_region(principal, region, "list")
        region = principal.region
    return await repository.list_institutions(
        uow.session, page, region=region, ownership=ownership, function=function
    )


async def add_place_contract(
    uow: UnitOfWork, principal: Principal, institution_id: UUID, data: PlaceContractIn
) -> PlaceContract:
    ensure_agency(principal, "change place contracts")
    institution = await get_institution(uow, principal, institution_id)
    if data.function not in institution.functions:
        raise InvalidInput(
            "function",
            f"the institution has no {data.function} function "
            f"(it has {', '.join(institution.functions)})",
        )
    contract = PlaceContract(
        id=new_id(),
        institution_id=institution.id,
        function=data.function,
        contract_type=data.contract_type,
        budgeted_places=data.budgeted_places,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        day_price_nok=data.day_price_nok,
    )
    try:
        async with uow.session.begin_nested():  # a savepoint: the conflict is an answer
            uow.session.add(contract)
            await uow.session.flush()
    except IntegrityError as exc:
        if "place_contract_no_overlap" in str(exc.orig):
            raise Conflict(
                f"Institution {institution.id} already has {data.contract_type} places for "
                f"{data.function} in a period overlapping {data.valid_from}–"
                f"{data.valid_to or 'open'}; end that contract first."
            ) from None
        raise
    _emit_contract(uow, institution, contract, "created")
    return contract


async def get_place_contract(
    uow: UnitOfWork,
    principal: Principal,
    institution_id: UUID,
    contract_id: UUID,
    *,
    for_update: bool = False,
) -> PlaceContract:
    institution = await get_institution(uow, principal, institution_id)
    contract = await repository.get_contract(
        uow.session, institution.id, contract_id, for_update=for_update
    )
    if contract is None:
        raise NotFound(f"No place contract {contract_id} at institution {institution_id}.")
    return contract


async def change_place_contract(
    uow: UnitOfWork,
    principal: Principal,
    institution_id: UUID,
    contract_id: UUID,
    data: PlaceContractChange,
    if_match: str | None,
) -> PlaceContract:
    ensure_agency(principal, "change place contracts")
    institution = await get_institution(uow, principal, institution_id)
    contract = await get_place_contract(
        uow, principal, institution_id, contract_id, for_update=True
    )
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
    try:
        async with uow.session.begin_nested():
            await uow.session.flush()
    except IntegrityError as exc:
        if "place_contract_no_overlap" in str(exc.orig):
            raise Conflict(
                "The longer period would overlap another contract of the same "
                "function and contract type."
            ) from None
        raise
    _emit_contract(uow, institution, contract, "updated")
    return contract


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


async def list_place_contracts(
    uow: UnitOfWork, principal: Principal, institution_id: UUID
) -> Sequence[PlaceContract]:
    institution = await get_institution(uow, principal, institution_id)
    return await repository.list_contracts(uow.session, institution.id)
