"""Rules of foster placements: a placement follows an accepted proposal, records the placing
municipality against the home's (placed far from home), and ends with a reason. Answers in
the API's terms; never commits (the unit of work does) and never touches SQL (the
repositories do)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from common import clock
from common.access import check_access, scope_list
from common.auth import Principal
from common.errors import Conflict, InvalidInput
from common.etag import check_if_match
from common.ids import new_id
from common.pagination import Page, PageRequest
from common.reference import Region
from common.uow import UnitOfWork
from foster_care.codes import FosterHomeKind, FosterHomeRequestStatus, ProposalStatus, Stage
from foster_care.foster_home_requests.repository import ProposalRepository
from foster_care.foster_home_requests.service import get_visible as get_visible_request
from foster_care.foster_homes.repository import FosterHomeRepository
from foster_care.placements.events import (
    PLACEMENT_ENDED,
    PLACEMENT_STARTED,
    FosterPlacementEnded,
    FosterPlacementStarted,
)
from foster_care.placements.models import FosterPlacement
from foster_care.placements.repository import FosterPlacementRepository
from foster_care.placements.schemas import PlacementEndIn, PlacementIn, PlacementOut

RESOURCE = "foster_placement"
# A move-in is planned at most this far ahead.
PLANNED_AHEAD = timedelta(days=366)


def _view(placement: FosterPlacement) -> PlacementOut:
    return PlacementOut(
        id=placement.id,
        foster_home_request_id=placement.foster_home_request_id,
        foster_home_id=placement.foster_home_id,
        region=placement.region,
        municipality_number=placement.municipality_number,
        home_region=placement.home_region,
        home_municipality_number=placement.home_municipality_number,
        kind=placement.kind,
        kinship=placement.kind is FosterHomeKind.kinship,
        emergency=placement.kind is FosterHomeKind.emergency,
        far_from_home=placement.far_from_home,
        age_years=placement.age_years,
        start_date=placement.start_date,
        end_date=placement.end_date,
        end_reason=placement.end_reason,
        created_at=placement.created_at,
        version=placement.version,
    )


def _facts(placement: FosterPlacement) -> dict[str, Any]:
    return {
        "placement_id": placement.id,
        "foster_home_request_id": placement.foster_home_request_id,
        "foster_home_id": placement.foster_home_id,
        "region": placement.region,
        "municipality_number": placement.municipality_number,
        "home_region": placement.home_region,
        "home_municipality_number": placement.home_municipality_number,
        "kind": placement.kind,
        "child_key": placement.child_key,
        "start_date": placement.start_date,
    }


async def create_placement(
    uow: UnitOfWork, principal: Principal, data: PlacementIn
) -> PlacementOut:
    # The home first: every writer that locks a home and a request locks them in this order
    # (a home's withdrawal declines its requests' proposals), so none waits on the other.
    home = await FosterHomeRepository(uow).get(data.foster_home_id, for_update=True)
    request = await get_visible_request(
        uow, principal, data.request_id, action="update", purpose="placement", for_update=True
    )
    if request.status is FosterHomeRequestStatus.placed:
        raise Conflict("The request has been placed already.")
    if request.status is FosterHomeRequestStatus.withdrawn:
        raise Conflict("The request was withdrawn.")
    proposal = await ProposalRepository(uow).get_live_of(request.id)
    if proposal is None or proposal.status is not ProposalStatus.accepted:
        raise Conflict(
            "A placement follows an accepted proposal: propose the home and record the "
            "decision first."
            if proposal is None
            else "The proposal awaits a decision; accept it before placing the child."
        )
    if proposal.foster_home_id != data.foster_home_id:
        raise Conflict(f"The accepted proposal is for foster home {proposal.foster_home_id}.")
    if data.start_date < request.birth_date:
        raise InvalidInput("start_date", "must not be before the child's birth date")
    if data.start_date > clock.today_in_oslo() + PLANNED_AHEAD:
        raise InvalidInput("start_date", "must be within a year from today")
    assert home is not None  # the accepted proposal's home exists (foreign key)
    if home.stage is not Stage.approved or home.paused_at is not None:
        state = "paused" if home.stage is Stage.approved else f"in stage {home.stage}"
        raise Conflict(f"The foster home is {state}; no child moves in.")
    assert home.approved_at is not None
    if data.start_date < clock.oslo_date(home.approved_at):
        raise InvalidInput("start_date", "must not be before the foster home was approved")
    repository = FosterPlacementRepository(uow)
    placement_number = await repository.count_of_child(request.child_key) + 1
    placement = repository.add(
        FosterPlacement(
            id=new_id(),
            foster_home_request_id=request.id,
            foster_home_id=home.id,
            proposal_id=proposal.id,
            region=request.region,
            municipality_number=request.municipality_number,
            home_region=home.region,
            home_municipality_number=home.municipality_number,
            kind=home.kind,
            child_key=request.child_key,
            age_years=clock.age_on(request.birth_date, data.start_date),
            far_from_home=home.region != request.region,
            start_date=data.start_date,
        )
    )
    request.status = FosterHomeRequestStatus.placed
    request.placed_on = data.start_date
    request.version += 1
    request.updated_at = clock.now()
    uow.audit("create", RESOURCE, placement.id)
    uow.emit(
        PLACEMENT_STARTED,
        subject=placement.id,
        data=FosterPlacementStarted(
            **_facts(placement),
            age_years=placement.age_years,
            far_from_home=placement.far_from_home,
            desired_start_date=request.desired_start_date,
            placement_number=placement_number,
        ),
    )
    return _view(placement)


async def _get_visible(
    uow: UnitOfWork,
    principal: Principal,
    placement_id: UUID,
    *,
    action: str = "read",
    for_update: bool = False,
) -> FosterPlacement:
    placement = await FosterPlacementRepository(uow).get(placement_id, for_update=for_update)
    return check_access(
        uow,
        principal,
        placement,
        resource_type=RESOURCE,
        resource_id=placement_id,
        action=action,
        what="foster placement",
    )


async def get_placement(uow: UnitOfWork, principal: Principal, placement_id: UUID) -> PlacementOut:
    return _view(await _get_visible(uow, principal, placement_id))


async def list_placements(
    uow: UnitOfWork,
    principal: Principal,
    page: PageRequest,
    *,
    region: Region | None,
    municipality_number: str | None,
    foster_home_id: UUID | None,
    current: bool | None,
) -> Page[PlacementOut]:
    region, municipality_number = scope_list(
        uow, principal, region, municipality_number, resource_type=RESOURCE, what="placements"
    )
    window = await FosterPlacementRepository(uow).list(
        page,
        region=region,
        municipality_number=municipality_number,
        foster_home_id=foster_home_id,
        current=current,
    )
    uow.audit("list", RESOURCE, listed=[row.id for row in window.items])
    return window.map(_view)


async def end_placement(
    uow: UnitOfWork,
    principal: Principal,
    placement_id: UUID,
    data: PlacementEndIn,
    if_match: str | None,
) -> PlacementOut:
    placement = await _get_visible(uow, principal, placement_id, action="update", for_update=True)
    check_if_match(if_match, placement.version)
    if placement.end_date is not None:
        raise Conflict(f"The placement ended on {placement.end_date} already.")
    if data.end_date < placement.start_date:
        raise InvalidInput("end_date", "must not be before the start date")
    if data.end_date > clock.today_in_oslo():
        raise InvalidInput("end_date", "must not be in the future: record an end when it happens")
    placement.end_date = data.end_date
    placement.end_reason = data.reason
    placement.version += 1
    uow.emit(
        PLACEMENT_ENDED,
        subject=placement.id,
        data=FosterPlacementEnded(**_facts(placement), end_date=data.end_date, reason=data.reason),
    )
    return _view(placement)
