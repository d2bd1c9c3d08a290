"""Rules of foster homes: the recruitment stages in order, the training gate before
approval, places and pauses. Answers in the API's terms; never commits (the unit of work
does) and never touches SQL (the repositories do)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from common import clock
from common.access import check_access
from common.auth import Principal, ensure_agency, ensure_may_see_region
from common.errors import Conflict, InvalidInput, NotFound, ensure_not_in_future
from common.etag import check_if_match
from common.ids import new_id
from common.pagination import Page, PageRequest
from common.reference import Region, region_of_municipality
from common.uow import UnitOfWork
from foster_care.codes import (
    FosterHomeKind,
    FosterHomeRequestStatus,
    Need,
    Stage,
)
from foster_care.foster_home_requests.repository import (
    FosterHomeRequestRepository,
    PlaceRepository,
)
from foster_care.foster_home_requests.service import release_proposals_of
from foster_care.foster_homes.events import (
    FOSTER_HOME_AVAILABILITY_CHANGED,
    FOSTER_HOME_REGISTERED,
    FOSTER_HOME_STAGE_CHANGED,
    FosterHomeAvailabilityChanged,
    FosterHomeRegistered,
    FosterHomeStageChanged,
)
from foster_care.foster_homes.models import FosterHome, StageTransition
from foster_care.foster_homes.repository import FosterHomeRepository, StageTransitionRepository
from foster_care.foster_homes.schemas import (
    FosterHomeChange,
    FosterHomeIn,
    FosterHomeOut,
    PauseIn,
    ResumeIn,
    TransitionIn,
    TransitionOut,
)
from foster_care.placements.repository import FosterPlacementRepository

# The recruitment stages in order. The home study (utredning) may run while the family is
# still in basic training, so a home in `home_study` may yet complete its training; it is
# approved only once it has (the training gate).
_NEXT: dict[Stage, tuple[Stage, ...]] = {
    Stage.inquiry: (Stage.information_meeting,),
    Stage.information_meeting: (Stage.pre_assessment,),
    Stage.pre_assessment: (Stage.training,),
    Stage.training: (Stage.training_completed, Stage.home_study),
    Stage.training_completed: (Stage.home_study,),
    Stage.home_study: (Stage.approved,),
    Stage.approved: (),
    Stage.withdrawn: (),
}
TRAINING_GATE = (
    "Approval requires completed basic training (PRIDE or SOLID): every home Bufetat "
    "places a child in has it, emergency and specialised homes too (2023 allocation "
    "letter, L955-956)."
)


def allowed_next(home: FosterHome) -> list[Stage]:
    if home.stage is Stage.withdrawn:
        return []
    stages = list(_NEXT[Stage(home.stage)])
    if home.stage is Stage.home_study and home.training_completed_at is None:
        stages.insert(0, Stage.training_completed)
    return [*stages, Stage.withdrawn]


def is_available(home: FosterHome) -> bool:
    return home.stage is Stage.approved and home.paused_at is None


def _view(home: FosterHome, transitions: Sequence[StageTransition]) -> FosterHomeOut:
    return FosterHomeOut(
        id=home.id,
        region=home.region,
        municipality_number=home.municipality_number,
        kind=home.kind,
        recruitment_source=home.recruitment_source,
        kinship_request_id=home.kinship_request_id,
        status=home.stage,
        allowed_next=allowed_next(home),
        inquiry_at=home.inquiry_at,
        training_programme=home.training_programme,
        training_completed_at=home.training_completed_at,
        approved_at=home.approved_at,
        withdrawn_at=home.withdrawn_at,
        withdrawal_reason=home.withdrawal_reason,
        places=home.places,
        suited_for=[Need(need) for need in home.suited_for],
        available=is_available(home),
        paused_at=home.paused_at,
        pause_reason=home.pause_reason,
        transitions=[TransitionOut.model_validate(t) for t in transitions],
        created_at=home.created_at,
        version=home.version,
    )


def _facts(home: FosterHome) -> dict[str, Any]:
    return {
        "foster_home_id": home.id,
        "region": home.region,
        "municipality_number": home.municipality_number,
        "kind": home.kind,
        "recruitment_source": home.recruitment_source,
    }


def _ensure_not_municipality(principal: Principal) -> None:
    # Foster homes are families Bufetat recruits: a municipality sees the homes proposed
    # for its own requests (candidates, proposals), never the register.
    ensure_agency(principal, "read or change the register of foster homes")


async def get_visible(
    uow: UnitOfWork, principal: Principal, foster_home_id: UUID, *, for_update: bool = False
) -> FosterHome:
    _ensure_not_municipality(principal)
    home = await FosterHomeRepository(uow).get(foster_home_id, for_update=for_update)
    if home is None:
        raise NotFound(f"No foster home {foster_home_id}.")
    ensure_may_see_region(principal, home.region, "foster home")
    return home


async def _answer(uow: UnitOfWork, home: FosterHome) -> FosterHomeOut:
    transitions = await StageTransitionRepository(uow).list_of([home.id])
    return _view(home, transitions.get(home.id, []))


async def create_foster_home(
    uow: UnitOfWork, principal: Principal, data: FosterHomeIn
) -> FosterHomeOut:
    _ensure_not_municipality(principal)
    region = region_of_municipality(data.municipality_number)
    if data.region is not None and data.region != region:
        raise InvalidInput(
            "region",
            f"municipality {data.municipality_number} lies in region {region}, not {data.region}",
        )
    ensure_may_see_region(principal, region, "foster home")
    ensure_not_in_future("inquiry_at", data.inquiry_at)
    if data.kind is FosterHomeKind.kinship:
        if data.kinship_request_id is None:
            raise InvalidInput(
                "kinship_request_id",
                "is required for a kinship home: it is recruited for one child's request",
            )
        request = check_access(
            uow,
            principal,
            await FosterHomeRequestRepository(uow).get(data.kinship_request_id),
            resource_type="foster_home_request",
            resource_id=data.kinship_request_id,
            action="update",
            purpose="kinship home recruited",
        )
        if request.status in (FosterHomeRequestStatus.placed, FosterHomeRequestStatus.withdrawn):
            raise Conflict(f"The foster-home request is {request.status}; it needs no home.")
    elif data.kinship_request_id is not None:
        raise InvalidInput("kinship_request_id", "is only for kinship homes")
    home = FosterHomeRepository(uow).add(
        FosterHome(
            id=new_id(),
            region=region,
            municipality_number=data.municipality_number,
            kind=data.kind,
            recruitment_source=data.recruitment_source,
            kinship_request_id=data.kinship_request_id,
            stage=Stage.inquiry,
            inquiry_at=data.inquiry_at,
            places=0,
            suited_for=[str(need) for need in data.suited_for],
        )
    )
    uow.emit(
        FOSTER_HOME_REGISTERED,
        subject=home.id,
        data=FosterHomeRegistered(
            **_facts(home),
            inquiry_at=data.inquiry_at,
            for_kinship=data.kind is FosterHomeKind.kinship,
        ),
    )
    return _view(home, [])


async def get_foster_home(
    uow: UnitOfWork, principal: Principal, foster_home_id: UUID
) -> FosterHomeOut:
    return await _answer(uow, await get_visible(uow, principal, foster_home_id))


async def list_foster_homes(
    uow: UnitOfWork,
    principal: Principal,
    page: PageRequest,
    *,
    region: Region | None,
    kind: FosterHomeKind | None,
    status: Stage | None,
    available: bool | None,
) -> Page[FosterHomeOut]:
    _ensure_not_municipality(principal)
    if principal.region is not None:
        if region is not None:
            ensure_may_see_region(principal, region, "list")
        region = principal.region
    window = await FosterHomeRepository(uow).list(
        page, region=region, kind=kind, stage=status, available=available
    )
    transitions = await StageTransitionRepository(uow).list_of([home.id for home in window.items])
    return window.map(lambda home: _view(home, transitions.get(home.id, [])))


async def transition_foster_home(
    uow: UnitOfWork,
    principal: Principal,
    foster_home_id: UUID,
    data: TransitionIn,
    if_match: str | None,
) -> FosterHomeOut:
    home = await get_visible(uow, principal, foster_home_id, for_update=True)
    check_if_match(if_match, home.version)
    allowed = allowed_next(home)
    if data.to not in allowed:
        named = ", ".join(allowed) if allowed else "none (the home has withdrawn)"
        raise Conflict(
            f"A home in stage {home.stage} cannot go to {data.to}; allowed next: {named}."
        )
    if data.to is Stage.approved and home.training_completed_at is None:
        raise Conflict(TRAINING_GATE)
    if data.to is Stage.withdrawn:
        living = await FosterPlacementRepository(uow).count_current_in(
            home.id, clock.today_in_oslo()
        )
        if living:
            raise Conflict(
                f"{living} {'child lives' if living == 1 else 'children live'} in the home; "
                "end the placement first (its reason says why)."
            )
    transitions = StageTransitionRepository(uow)
    history = (await transitions.list_of([home.id])).get(home.id, [])
    latest = max([home.inquiry_at, *(t.at for t in history)])
    if data.at < latest:
        raise InvalidInput("at", f"must not be before the previous stage ({latest.isoformat()})")
    ensure_not_in_future("at", data.at)
    if (data.reason is None) == (data.to is Stage.withdrawn):
        raise InvalidInput(
            "reason",
            "is required with withdrawn" if data.reason is None else "is only for withdrawn",
        )
    if data.places is not None and data.to is not Stage.approved:
        raise InvalidInput("places", "is given with approved (or changed later)")
    if data.training_programme is not None and data.to not in (
        Stage.training,
        Stage.training_completed,
    ):
        raise InvalidInput("training_programme", "is given with training or training_completed")
    if (
        data.to is Stage.training_completed
        and (data.training_programme or home.training_programme) is None
    ):
        raise InvalidInput(
            "training_programme", "say which basic training was completed (PRIDE or SOLID)"
        )

    from_stage = Stage(home.stage)
    if data.training_programme is not None:
        home.training_programme = data.training_programme
    if data.to is Stage.training_completed:
        home.training_completed_at = data.at
        # Completed during the home study: the home stays in the home study.
        if from_stage is not Stage.home_study:
            home.stage = Stage.training_completed
    else:
        home.stage = data.to
    if data.to is Stage.approved:
        home.approved_at = data.at
        home.places = data.places or 1
    if data.to is Stage.withdrawn:
        home.withdrawn_at = data.at
        home.withdrawal_reason = data.reason
        await release_proposals_of(uow, home.id, data.at)
    _touch(home)
    transition = transitions.add(
        StageTransition(
            id=new_id(),
            foster_home_id=home.id,
            from_stage=from_stage,
            to_stage=data.to,
            at=data.at,
            training_programme=data.training_programme,
            reason=data.reason,
            note=data.note,
        )
    )
    uow.emit(
        FOSTER_HOME_STAGE_CHANGED,
        subject=home.id,
        data=FosterHomeStageChanged(
            **_facts(home),
            from_stage=from_stage,
            to_stage=data.to,
            at=data.at,
            training_programme=home.training_programme
            if data.to in (Stage.training, Stage.training_completed)
            else None,
            withdrawal_reason=data.reason,
        ),
    )
    if data.to is Stage.approved:
        _availability_changed(uow, home, data.at)
    return _view(home, [*history, transition])


async def pause_foster_home(
    uow: UnitOfWork, principal: Principal, foster_home_id: UUID, data: PauseIn
) -> FosterHomeOut:
    home = await get_visible(uow, principal, foster_home_id, for_update=True)
    if home.stage is not Stage.approved:
        raise Conflict(f"Only an approved home can be paused; this one is in {home.stage}.")
    if home.paused_at is not None:
        raise Conflict("The home is paused already.")
    _check_after_approval(home, data.at)
    home.paused_at = data.at
    home.pause_reason = data.reason
    _touch(home)
    _availability_changed(uow, home, data.at)
    return await _answer(uow, home)


async def resume_foster_home(
    uow: UnitOfWork, principal: Principal, foster_home_id: UUID, data: ResumeIn
) -> FosterHomeOut:
    home = await get_visible(uow, principal, foster_home_id, for_update=True)
    if home.paused_at is None:
        raise Conflict("The home is not paused.")
    if data.at < home.paused_at:
        raise InvalidInput("at", "must not be before the pause")
    _check_after_approval(home, data.at)
    home.paused_at = None
    home.pause_reason = None
    _touch(home)
    _availability_changed(uow, home, data.at)
    return await _answer(uow, home)


async def change_foster_home(
    uow: UnitOfWork,
    principal: Principal,
    foster_home_id: UUID,
    data: FosterHomeChange,
    if_match: str,
) -> FosterHomeOut:
    home = await get_visible(uow, principal, foster_home_id, for_update=True)
    check_if_match(if_match, home.version)
    if data.suited_for is not None:
        home.suited_for = [str(need) for need in data.suited_for]
    if data.places is not None and data.places != home.places:
        if home.stage is not Stage.approved:
            raise Conflict(f"Places are set at approval; this home is in {home.stage}.")
        held = await PlaceRepository(uow).count_held(home.id, clock.today_in_oslo())
        if data.places < held:
            raise Conflict(
                f"{held} of the home's places are taken or proposed; it cannot have fewer."
            )
        home.places = data.places
        _availability_changed(uow, home, clock.now())
    _touch(home)
    return await _answer(uow, home)


def _check_after_approval(home: FosterHome, at: datetime) -> None:
    assert home.approved_at is not None
    if at < home.approved_at:
        raise InvalidInput("at", "must not be before the approval")
    ensure_not_in_future("at", at)


def _availability_changed(uow: UnitOfWork, home: FosterHome, at: datetime) -> None:
    uow.emit(
        FOSTER_HOME_AVAILABILITY_CHANGED,
        subject=home.id,
        data=FosterHomeAvailabilityChanged(
            **_facts(home),
            places=home.places,
            available=is_available(home),
            at=at,
            pause_reason=home.pause_reason,
        ),
    )


def _touch(home: FosterHome) -> None:
    home.version += 1
    home.updated_at = clock.now()
