"""Rules of stays: free places on admission, discharge, the derived flags, and single-child
decisions (enetiltak). Answers in the API's terms; never commits (the unit of work does)
and never touches SQL (the repositories do)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NoReturn
from uuid import UUID

from capacity.codes import ContractType, InstitutionFunction, PlacementRequestStatus
from capacity.institutions.models import Institution
from capacity.institutions.repository import InstitutionRepository, PlaceContractRepository
from capacity.placement_requests.repository import OfferRepository, PlacementRequestRepository
from capacity.placement_requests.service import RESOURCE as PLACEMENT_REQUEST
from capacity.stays.events import (
    SINGLE_CHILD_DECISION_RECORDED,
    SINGLE_CHILD_DECISION_REVIEWED,
    STAY_ADMITTED,
    STAY_DISCHARGED,
    SingleChildDecisionRecorded,
    SingleChildDecisionReviewed,
    StayAdmitted,
    StayDischarged,
)
from capacity.stays.models import SingleChildDecision, Stay
from capacity.stays.repository import SingleChildDecisionRepository, StayRepository
from capacity.stays.schemas import (
    DischargeIn,
    SingleChildDecisionIn,
    SingleChildDecisionOut,
    SingleChildReviewIn,
    StayFlags,
    StayIn,
    StayOut,
)
from common import clock
from common.access import check_access, not_found, scope_list
from common.auth import Principal, ensure_agency, ensure_may_see_region
from common.errors import Conflict, InvalidInput, NotFound, ensure_not_in_future
from common.etag import check_if_match
from common.ids import new_id
from common.pagination import Page, PageRequest
from common.pii import NationalIdVault, birth_date_of, mask
from common.reference import Region
from common.uow import UnitOfWork

RESOURCE = "stay"
SIX_WEEKS_DAYS = 42
UNDER_AGE = 13
MAX_AGE = 25


def decision_valid_on(decision: SingleChildDecision, day: date) -> bool:
    return decision.decided_on <= day <= decision.valid_until and decision.next_review_on >= day


def flags(stay: Stay, decisions: Sequence[SingleChildDecision], today: date) -> StayFlags:
    as_of = stay.discharged_on or today
    days = clock.days_between(stay.admitted_on, as_of)
    alone_long = stay.lives_alone and days > SIX_WEEKS_DAYS
    latest = max(decisions, key=lambda d: (d.decided_on, d.id), default=None)
    return StayFlags(
        under_13_at_admission=stay.age_at_admission < UNDER_AGE,
        acute_beyond_six_weeks=stay.function is InstitutionFunction.acute and days > SIX_WEEKS_DAYS,
        living_alone_beyond_six_weeks=alone_long,
        living_alone_without_valid_decision=alone_long
        and not any(decision_valid_on(d, as_of) for d in decisions),
        single_child_review_overdue=stay.discharged_on is None
        and latest is not None
        and latest.next_review_on < today,
    )


def _decision_view(decision: SingleChildDecision, today: date) -> SingleChildDecisionOut:
    out = SingleChildDecisionOut.model_validate(decision)
    out.review_overdue = decision.next_review_on < today
    out.valid = decision_valid_on(decision, today)
    return out


def _view(stay: Stay, decisions: Sequence[SingleChildDecision], vault: NationalIdVault) -> StayOut:
    today = clock.today_in_oslo()
    encrypted = stay.national_id_encrypted
    return StayOut(
        id=stay.id,
        institution_id=stay.institution_id,
        region=stay.region,
        municipality_number=stay.municipality_number,
        placement_request_id=stay.placement_request_id,
        child_ref=stay.child_ref,
        birth_date=stay.birth_date,
        national_id_masked=mask(vault.decrypt(encrypted)) if encrypted else None,
        function=stay.function,
        contract_type=stay.contract_type,
        ownership=stay.ownership,
        admitted_at=stay.admitted_at,
        age_at_admission=stay.age_at_admission,
        lives_alone=stay.lives_alone,
        day_price_nok=f"{stay.day_price_nok:.2f}",
        discharged_at=stay.discharged_at,
        end_reason=stay.end_reason,
        days=clock.days_between(stay.admitted_on, stay.discharged_on or today),
        flags=flags(stay, decisions, today),
        single_child_decisions=[_decision_view(d, today) for d in decisions],
        version=stay.version,
    )


async def _get_visible(
    uow: UnitOfWork,
    principal: Principal,
    stay_id: UUID,
    *,
    action: str = "read",
    purpose: str | None = None,
    for_update: bool = False,
) -> Stay:
    """The stay, if the caller may see it (the access audited, granted or not)."""
    stay = await StayRepository(uow).get(stay_id, for_update=for_update)
    return check_access(
        uow,
        principal,
        stay,
        resource_type=RESOURCE,
        resource_id=stay_id,
        action=action,
        purpose=purpose,
    )


async def _decisions_of(uow: UnitOfWork, stay: Stay) -> list[SingleChildDecision]:
    return (await SingleChildDecisionRepository(uow).list_of([stay.id])).get(stay.id, [])


async def create_stay(
    uow: UnitOfWork, principal: Principal, vault: NationalIdVault, data: StayIn
) -> StayOut:
    """An admission: the child takes a free place (a single purchase brings its own)."""
    ensure_agency(principal, "admit children to institutions")
    institution = await InstitutionRepository(uow).get(data.institution_id)
    if institution is None:
        raise InvalidInput("institution_id", f"no institution {data.institution_id}")
    ensure_may_see_region(principal, institution.region, "institution")
    if str(data.function) not in institution.functions:
        raise InvalidInput("function", f"{institution.name} has no {data.function} function")
    ensure_not_in_future("admitted_at", data.admitted_at)
    admitted_on = clock.oslo_date(data.admitted_at)
    if data.birth_date > admitted_on:
        raise InvalidInput("birth_date", "must not be after the admission")
    age = clock.age_on(data.birth_date, admitted_on)
    if age > MAX_AGE:
        raise InvalidInput(
            "birth_date", f"gives age {age} at admission; child welfare measures end at {MAX_AGE}"
        )
    if data.national_id is not None and birth_date_of(data.national_id) != data.birth_date:
        raise InvalidInput("national_id", "does not match birth_date")
    if data.placement_request_id is not None:
        await _check_placement_request(uow, principal, data.placement_request_id, data)
    if data.contract_type is not ContractType.single_purchase:
        await _check_free_place(uow, institution, data, admitted_on)

    stay = StayRepository(uow).add(
        Stay(
            id=new_id(),
            institution_id=institution.id,
            region=institution.region,
            municipality_number=data.municipality_number,
            placement_request_id=data.placement_request_id,
            child_ref=data.child_ref,
            child_key=vault.child_key(data.municipality_number, data.child_ref, data.national_id),
            birth_date=data.birth_date,
            national_id_encrypted=vault.encrypt(data.national_id) if data.national_id else None,
            national_id_hash=vault.lookup_hash(data.national_id) if data.national_id else None,
            function=data.function,
            contract_type=data.contract_type,
            ownership=institution.ownership,
            admitted_at=data.admitted_at,
            admitted_on=admitted_on,
            age_at_admission=age,
            lives_alone=data.lives_alone,
            day_price_nok=data.day_price_nok,
        )
    )
    uow.audit("create", RESOURCE, stay.id)
    uow.emit(
        STAY_ADMITTED,
        subject=stay.id,
        data=StayAdmitted(
            stay_id=stay.id,
            institution_id=institution.id,
            region=institution.region,
            municipality_number=stay.municipality_number,
            placement_request_id=stay.placement_request_id,
            child_key=stay.child_key,
            age_years=age,
            function=data.function,
            contract_type=data.contract_type,
            ownership=institution.ownership,
            admitted_at=data.admitted_at,
            admitted_on=admitted_on,
            lives_alone=data.lives_alone,
            day_price_nok=data.day_price_nok,
        ),
    )
    return _view(stay, [], vault)


async def _check_placement_request(
    uow: UnitOfWork, principal: Principal, placement_request_id: UUID, data: StayIn
) -> None:
    """The stay meets this request: the caller may see it (before anything is said about
    it), it was accepted for this institution, and it is admitted once (its row is locked
    until commit, and the unique index on `stay.placement_request_id` refuses a second)."""
    placement_request = await PlacementRequestRepository(uow).get(
        placement_request_id, for_update=True
    )
    try:
        check_access(
            uow,
            principal,
            placement_request,
            resource_type=PLACEMENT_REQUEST,
            resource_id=placement_request_id,
            action="update",
            purpose="admission",
        )
    except NotFound:  # a field of the body names it: 422, not 404
        raise InvalidInput(
            "placement_request_id", f"no placement request {placement_request_id}"
        ) from None
    assert placement_request is not None
    if placement_request.municipality_number != data.municipality_number:
        raise InvalidInput("municipality_number", "differs from the placement request's")
    if placement_request.status is not PlacementRequestStatus.accepted:
        raise Conflict(
            f"The placement request is {placement_request.status}; a stay follows an "
            "accepted offer."
        )
    accepted = await OfferRepository(uow).get_accepted_of(placement_request.id)
    if accepted is not None and accepted.institution_id != data.institution_id:
        raise Conflict("The accepted offer was for another institution.")


async def _check_free_place(
    uow: UnitOfWork, institution: Institution, data: StayIn, admitted_on: date
) -> None:
    """A stay takes its place from the admission on: the place must be free on every day
    from then to today, not only on the day of admission (a backdated admission would
    overbook the days between)."""
    last_day = max(admitted_on, clock.today_in_oslo())
    await PlaceContractRepository(uow).lock_places(
        institution.id, data.function, data.contract_type, admitted_on, last_day
    )
    fewest = await StayRepository(uow).get_fewest_free_places(
        institution.id, data.function, data.contract_type, admitted_on, last_day
    )
    places = f"{data.contract_type} places for {data.function}"
    if fewest.contracted == 0:
        raise Conflict(f"{institution.name} has no {places} on {fewest.day}.")
    if fewest.taken >= fewest.contracted:
        raise Conflict(
            f"All {fewest.contracted} {places} at {institution.name} are taken on {fewest.day}."
        )


async def get_stay(
    uow: UnitOfWork, principal: Principal, vault: NationalIdVault, stay_id: UUID
) -> StayOut:
    stay = await _get_visible(uow, principal, stay_id)
    return _view(stay, await _decisions_of(uow, stay), vault)


async def list_stays(
    uow: UnitOfWork,
    principal: Principal,
    vault: NationalIdVault,
    page: PageRequest,
    *,
    region: Region | None,
    municipality_number: str | None,
    institution_id: UUID | None,
    open_only: bool | None,
) -> Page[StayOut]:
    region, municipality_number = scope_list(
        uow,
        principal,
        region,
        municipality_number,
        resource_type=RESOURCE,
        what="children's stays",
    )
    window = await StayRepository(uow).list(
        page,
        region=region,
        municipality_number=municipality_number,
        institution_id=institution_id,
        open_only=open_only,
    )
    uow.audit("list", RESOURCE, listed=[row.id for row in window.items])
    decisions = await SingleChildDecisionRepository(uow).list_of([s.id for s in window.items])
    return window.map(lambda stay: _view(stay, decisions.get(stay.id, []), vault))


async def discharge_stay(
    uow: UnitOfWork,
    principal: Principal,
    vault: NationalIdVault,
    stay_id: UUID,
    data: DischargeIn,
    if_match: str | None,
) -> StayOut:
    ensure_agency(principal, "discharge children")
    stay = await _get_visible(
        uow, principal, stay_id, action="update", purpose="discharge", for_update=True
    )
    check_if_match(if_match, stay.version)
    if stay.discharged_at is not None:
        raise Conflict("The stay has already ended.")
    if data.discharged_at < stay.admitted_at:
        raise InvalidInput("discharged_at", "must not be before admitted_at")
    ensure_not_in_future("discharged_at", data.discharged_at)
    stay.discharged_at = data.discharged_at
    stay.discharged_on = clock.oslo_date(data.discharged_at)
    stay.end_reason = data.end_reason
    stay.version += 1
    uow.emit(
        STAY_DISCHARGED,
        subject=stay.id,
        data=StayDischarged(
            stay_id=stay.id,
            institution_id=stay.institution_id,
            region=stay.region,
            municipality_number=stay.municipality_number,
            child_key=stay.child_key,
            function=stay.function,
            contract_type=stay.contract_type,
            ownership=stay.ownership,
            admitted_on=stay.admitted_on,
            discharged_at=data.discharged_at,
            discharged_on=stay.discharged_on,
            days=clock.days_between(stay.admitted_on, stay.discharged_on),
            end_reason=data.end_reason,
        ),
    )
    return _view(stay, await _decisions_of(uow, stay), vault)


async def create_single_child_decision(
    uow: UnitOfWork, principal: Principal, stay_id: UUID, data: SingleChildDecisionIn
) -> SingleChildDecisionOut:
    """One decision is in force at a time: one overlapping another's period is a 409 (the
    one in force is reviewed instead)."""
    ensure_agency(principal, "record single-child decisions")
    stay = await _get_visible(
        uow,
        principal,
        stay_id,
        action="update",
        purpose="single-child decision",
        for_update=True,
    )
    if not stay.lives_alone:
        raise Conflict("The stay is not one where the child lives alone.")
    _check_dates(data.decided_on, data.valid_until, data.next_review_on)
    decision = SingleChildDecisionRepository(uow).add(
        SingleChildDecision(
            id=new_id(),
            stay_id=stay.id,
            decided_on=data.decided_on,
            justification=data.justification,
            valid_until=data.valid_until,
            next_review_on=data.next_review_on,
        )
    )
    uow.emit(
        SINGLE_CHILD_DECISION_RECORDED,
        subject=stay.id,
        data=SingleChildDecisionRecorded(
            decision_id=decision.id,
            stay_id=stay.id,
            region=stay.region,
            child_key=stay.child_key,
            decided_on=decision.decided_on,
            valid_until=decision.valid_until,
            next_review_on=decision.next_review_on,
            reviewed_on=None,
        ),
    )
    return _decision_view(decision, clock.today_in_oslo())


async def get_single_child_decision(
    uow: UnitOfWork, principal: Principal, stay_id: UUID, decision_id: UUID
) -> SingleChildDecisionOut:
    stay = await _get_visible(uow, principal, stay_id, purpose="single-child decision")
    decision = await SingleChildDecisionRepository(uow).get_of(stay.id, decision_id)
    if decision is None:
        _no_decision(uow, "read", stay_id, decision_id)
    return _decision_view(decision, clock.today_in_oslo())


async def review_single_child_decision(
    uow: UnitOfWork,
    principal: Principal,
    stay_id: UUID,
    decision_id: UUID,
    data: SingleChildReviewIn,
    if_match: str,
) -> SingleChildDecisionOut:
    ensure_agency(principal, "review single-child decisions")
    stay = await _get_visible(
        uow, principal, stay_id, action="update", purpose="single-child decision review"
    )
    decision = await SingleChildDecisionRepository(uow).get_of(
        stay.id, decision_id, for_update=True
    )
    if decision is None:
        _no_decision(uow, "update", stay_id, decision_id)
    check_if_match(if_match, decision.version)
    if data.reviewed_on < decision.decided_on:
        raise InvalidInput("reviewed_on", "must not be before the decision")
    valid_until = data.valid_until or decision.valid_until
    _check_dates(decision.decided_on, valid_until, data.next_review_on)
    if data.next_review_on < data.reviewed_on:
        raise InvalidInput("next_review_on", "must not be before reviewed_on")
    decision.last_reviewed_on = data.reviewed_on
    decision.next_review_on = data.next_review_on
    decision.valid_until = valid_until
    if data.justification is not None:
        decision.justification = data.justification
    decision.version += 1
    uow.emit(
        SINGLE_CHILD_DECISION_REVIEWED,
        subject=stay.id,
        data=SingleChildDecisionReviewed(
            decision_id=decision.id,
            stay_id=stay.id,
            region=stay.region,
            child_key=stay.child_key,
            decided_on=decision.decided_on,
            valid_until=decision.valid_until,
            next_review_on=decision.next_review_on,
            reviewed_on=data.reviewed_on,
        ),
    )
    return _decision_view(decision, clock.today_in_oslo())


def _no_decision(uow: UnitOfWork, action: str, stay_id: UUID, decision_id: UUID) -> NoReturn:
    detail = f"No single-child decision {decision_id} on stay {stay_id}."
    not_found(uow, detail, RESOURCE, stay_id, action, f"single-child decision {decision_id}")


def _check_dates(decided_on: date, valid_until: date, next_review_on: date) -> None:
    if valid_until < decided_on:
        raise InvalidInput("valid_until", "must not be before decided_on")
    if next_review_on < decided_on:
        raise InvalidInput("next_review_on", "must not be before decided_on")
