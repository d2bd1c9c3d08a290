"""Rules of offices and mediation slots. Answers in the API's terms; never commits (the unit
of work does) and never touches SQL (the repositories do)."""

from __future__ import annotations

from uuid import UUID

from common import clock
from common.auth import Principal, ensure_may_see_region
from common.errors import InvalidInput, NotFound
from common.ids import new_id
from common.pagination import Page, PageRequest
from common.reference import Region, region_of_municipality
from common.uow import UnitOfWork
from family_counselling.offices.events import (
    MEDIATION_SLOT_PUBLISHED,
    OFFICE_REGISTERED,
    MediationSlotPublished,
    OfficeRegistered,
)
from family_counselling.offices.models import MediationSlot, Office
from family_counselling.offices.repository import MediationSlotRepository, OfficeRepository
from family_counselling.offices.schemas import OfficeIn, OfficeOut, SlotIn, SlotOut

MAX_SLOTS = 500


async def get_visible(
    uow: UnitOfWork, principal: Principal, office_id: UUID, *, for_update: bool = False
) -> Office:
    """Offices are not child-level records: a region's token sees its own region's."""
    office = await OfficeRepository(uow).get(office_id, for_update=for_update)
    if office is None:
        raise NotFound(f"No office {office_id}.")
    ensure_may_see_region(principal, office.region, "office")
    return office


async def create_office(uow: UnitOfWork, principal: Principal, data: OfficeIn) -> OfficeOut:
    region = region_of_municipality(data.municipality_number)
    if data.region is not None and data.region != region:
        raise InvalidInput(
            "region",
            f"municipality {data.municipality_number} lies in region {region}, not {data.region}",
        )
    ensure_may_see_region(principal, region, "office")
    office = OfficeRepository(uow).add(
        Office(
            id=new_id(),
            name=data.name,
            region=region,
            municipality_number=data.municipality_number,
            ownership=data.ownership,
            therapist_hours_per_week=data.therapist_hours_per_week,
        )
    )
    uow.emit(
        OFFICE_REGISTERED,
        subject=office.id,
        data=OfficeRegistered(
            office_id=office.id,
            name=office.name,
            region=region,
            municipality_number=office.municipality_number,
            ownership=data.ownership,
            therapist_hours_per_week=data.therapist_hours_per_week,
        ),
    )
    return OfficeOut.model_validate(office)


async def get_office(uow: UnitOfWork, principal: Principal, office_id: UUID) -> OfficeOut:
    return OfficeOut.model_validate(await get_visible(uow, principal, office_id))


async def list_offices(
    uow: UnitOfWork,
    principal: Principal,
    page: PageRequest,
    *,
    region: Region | None,
    ownership: str | None,
) -> Page[OfficeOut]:
    if principal.region is not None:
        if region is not None:
            ensure_may_see_region(principal, region, "list")
        region = principal.region
    window = await OfficeRepository(uow).list(page, region=region, ownership=ownership)
    return window.map(OfficeOut.model_validate)


def _slot(slot: MediationSlot) -> SlotOut:
    return SlotOut(
        id=slot.id,
        office_id=slot.office_id,
        starts_at=slot.starts_at,
        booked=slot.booked_case_id is not None,
    )


async def create_slot(
    uow: UnitOfWork, principal: Principal, office_id: UUID, data: SlotIn
) -> SlotOut:
    office = await get_visible(uow, principal, office_id)
    if data.starts_at <= clock.now():
        raise InvalidInput("starts_at", "must be in the future: a slot is offered for booking")
    slot = MediationSlotRepository(uow).add(
        MediationSlot(id=new_id(), office_id=office.id, starts_at=data.starts_at)
    )
    uow.emit(
        MEDIATION_SLOT_PUBLISHED,
        subject=office.id,
        data=MediationSlotPublished(
            slot_id=slot.id, office_id=office.id, region=office.region, starts_at=data.starts_at
        ),
    )
    return _slot(slot)


async def list_slots(
    uow: UnitOfWork, principal: Principal, office_id: UUID, *, free: bool
) -> Page[SlotOut]:
    office = await get_visible(uow, principal, office_id)
    slots = await MediationSlotRepository(uow).list_of(
        office.id, free_after=clock.now() if free else None, limit=MAX_SLOTS
    )
    return Page[SlotOut](items=[_slot(slot) for slot in slots])
