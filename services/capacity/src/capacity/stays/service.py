"""Rules of stays: capacity on admission, discharge, the derived flags, and single-child
decisions (enetiltak). Never commits: the unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from capacity.codes import (
    ContractType,
    InstitutionFunction,
    OfferStatus,
    PlacementRequestStatus,
)
from capacity.institutions import repository as institutions
from capacity.placements import repository as placements
from capacity.placements.service import child_key
from capacity.stays import repository
from capacity.stays.events import (
    SINGLE_CHILD_DECISION_RECORDED,
    STAY_ADMITTED,
    STAY_DISCHARGED,
    SingleChildDecisionRecorded,
    StayAdmitted,
    StayDischarged,
)
from capacity.stays.models import SingleChildDecision, Stay
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
from common.auth import (
    Principal,
    ensure_agency,
    ensure_may_see_record,
    ensure_may_see_region,
    scoped_filters,
)
from common.errors import Conflict, InvalidInput, NotFound
from common.etag import check_if_match
from common.ids import new_id
from common.pagination import PageRequest
from common.pii import NationalIdVault, mask
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


def decision_out(decision: SingleChildDecision, today: date) -> SingleChildDecisionOut:
    out = SingleChildDecisionOut.model_validate(decision)
    out.review_overdue = decision.next_review_on < today
    out.valid = decision_valid_on(decision, today)
    return out


def to_out(stay: Stay, decisions: Sequence[SingleChildDecision], vault: NationalIdVault) -> StayOut:
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
        single_child_decisions=[decision_out(d, today) for d in decisions],
    )


def ensure_may_see(principal: Principal, stay: Stay) -> None:
    ensure_may_see_record(
        principal, region=stay.region, municipality_number=stay.municipality_number, what="stay"
    )


async def admit(
    uow: UnitOfWork, principal: Principal, vault: NationalIdVault, data: StayIn
) -> Stay:
    ensure_agency(principal, "admit children to institutions")
    institution = await institutions.get_institution(uow.session, data.institution_id)
    if institution is None:
        raise InvalidInput("institution_id", f"no institution {data.institution_id}")
    ensure_may_see_region(principal, institution.region, "institution")
    if str(data.function) not in institution.functions:
        raise InvalidInput("function", f"{institution.name} has no {data.function} function")
    if data.admitted_at > clock.now() + clock.CLOCK_SKEW:
        raise InvalidInput("admitted_at", "must not be in the future")
    admitted_on = clock.oslo_date(data.admitted_at)
    if data.birth_date > admitted_on:
        raise InvalidInput("birth_date", "must not be after the admission")
    age = clock.age_on(data.birth_date, admitted_on)
    if age > MAX_AGE:
        raise InvalidInput(
            "birth_date", f"gives age {age} at admission; child welfare measures end at {MAX_AGE}"
        )
    if data.placement_request_id is not None:
        await _check_placement_request(uow, data)

    if data.contract_type is not ContractType.single_purchase:
        # A single purchase brings its own place; every other admission needs a free one.
        places = await repository.lock_contracted_places(
            uow.session, institution.id, data.function, data.contract_type, admitted_on
        )
        if places == 0:
            raise Conflict(
                f"{institution.name} has no {data.contract_type} places for "
                f"{data.function} on {admitted_on}."
            )
        occupied = await repository.occupied_places(
            uow.session, institution.id, data.function, data.contract_type, admitted_on
        )
        if occupied >= places:
            raise Conflict(
                f"All {places} {data.contract_type} places for {data.function} at "
                f"{institution.name} are taken on {admitted_on}."
            )

    stay = Stay(
        id=new_id(),
        institution_id=institution.id,
        region=institution.region,
        municipality_number=data.municipality_number,
        placement_request_id=data.placement_request_id,
        child_ref=data.child_ref,
        child_key=child_key(vault, data.municipality_number, data.child_ref, data.national_id),
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
        version=1,
    )
    uow.session.add(stay)
    await uow.session.flush()
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
    return stay


async def _check_placement_request(uow: UnitOfWork, data: StayIn) -> None:
    assert data.placement_request_id is not None
    request = await placements.get_request(uow.session, data.placement_request_id)
    if request is None:
        raise InvalidInput(
            "placement_request_id", f"no placement request {data.placement_request_id}"
        )
    if request.municipality_number != data.municipality_number:
        raise InvalidInput("municipality_number", "differs from the placement request's")
    if request.status is not PlacementRequestStatus.accepted:
        raise Conflict(
            f"The placement request is {request.status}; a stay follows an accepted offer."
        )
    offers = await placements.offers_of(uow.session, request.id)
    accepted = next((o for o in offers if o.status is OfferStatus.accepted), None)
    if accepted is not None and accepted.institution_id != data.institution_id:
        raise Conflict("The accepted offer was for another institution.")


async def load_stay(
    uow: UnitOfWork, principal: Principal, stay_id: UUID, *, for_update: bool = False
) -> Stay:
    stay = await repository.get_stay(uow.session, stay_id, for_update=for_update)
    if stay is None:
        raise NotFound(f"No stay {stay_id}.")
    ensure_may_see(principal, stay)
    return stay


async def read_stay(
    uow: UnitOfWork, principal: Principal, stay_id: UUID
) -> tuple[Stay, list[SingleChildDecision]]:
    stay = await load_stay(uow, principal, stay_id)
    uow.audit("read", RESOURCE, stay.id)
    decisions = await repository.decisions_of(uow.session, [stay.id])
    return stay, decisions.get(stay.id, [])


async def list_stays(
    uow: UnitOfWork,
    principal: Principal,
    page: PageRequest,
    *,
    region: Region | None,
    municipality_number: str | None,
    institution_id: UUID | None,
    open_only: bool | None,
) -> tuple[Sequence[Stay], dict[UUID, list[SingleChildDecision]]]:
    region, municipality_number = scoped_filters(
        principal, region, municipality_number, "children's stays"
    )
    rows = await repository.list_stays(
        uow.session,
        page,
        region=region,
        municipality_number=municipality_number,
        institution_id=institution_id,
        open_only=open_only,
    )
    for row in rows[: page.limit]:
        uow.audit("list", RESOURCE, row.id)
    return rows, await repository.decisions_of(uow.session, [row.id for row in rows])


async def discharge(
    uow: UnitOfWork, principal: Principal, stay_id: UUID, data: DischargeIn, if_match: str | None
) -> tuple[Stay, list[SingleChildDecision]]:
    ensure_agency(principal, "discharge children")
    stay = await load_stay(uow, principal, stay_id, for_update=True)
    check_if_match(if_match, stay.version)
    if stay.discharged_at is not None:
        raise Conflict("The stay has already ended.")
    if data.discharged_at < stay.admitted_at:
        raise InvalidInput("discharged_at", "must not be before admitted_at")
    if data.discharged_at > clock.now() + clock.CLOCK_SKEW:
        raise InvalidInput("discharged_at", "must not be in the future")
    stay.discharged_at = data.discharged_at
    stay.discharged_on = clock.oslo_date(data.discharged_at)
    stay.end_reason = data.end_reason
    stay.version += 1
    uow.audit("update", RESOURCE, stay.id, purpose="discharge")
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
    decisions = await repository.decisions_of(uow.session, [stay.id])
    return stay, decisions.get(stay.id, [])


async def record_decision(
    uow: UnitOfWork, principal: Principal, stay_id: UUID, data: SingleChildDecisionIn
) -> SingleChildDecision:
    ensure_agency(principal, "record single-child decisions")
    stay = await load_stay(uow, principal, stay_id, for_update=True)
    if not stay.lives_alone:
        raise Conflict("The stay is not one where the child lives alone.")
    _check_dates(data.decided_on, data.valid_until, data.next_review_on)
    decision = SingleChildDecision(
        id=new_id(),
        stay_id=stay.id,
        decided_on=data.decided_on,
        justification=data.justification,
        valid_until=data.valid_until,
        next_review_on=data.next_review_on,
        version=1,
    )
    uow.session.add(decision)
    await uow.session.flush()
    uow.audit("update", RESOURCE, stay.id, purpose="single-child decision")
    _emit_decision(uow, stay, decision)
    return decision


async def read_decision(
    uow: UnitOfWork, principal: Principal, stay_id: UUID, decision_id: UUID
) -> SingleChildDecision:
    stay = await load_stay(uow, principal, stay_id)
    decision = await repository.get_decision(uow.session, stay.id, decision_id)
    if decision is None:
        raise NotFound(f"No single-child decision {decision_id} on stay {stay_id}.")
    uow.audit("read", RESOURCE, stay.id, purpose="single-child decision")
    return decision


async def review_decision(
    uow: UnitOfWork,
    principal: Principal,
    stay_id: UUID,
    decision_id: UUID,
    data: SingleChildReviewIn,
    if_match: str | None,
) -> SingleChildDecision:
    ensure_agency(principal, "review single-child decisions")
    stay = await load_stay(uow, principal, stay_id)
    decision = await repository.get_decision(uow.session, stay.id, decision_id, for_update=True)
    if decision is None:
        raise NotFound(f"No single-child decision {decision_id} on stay {stay_id}.")
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
    uow.audit("update", RESOURCE, stay.id, purpose="single-child decision review")
    _emit_decision(uow, stay, decision)
    return decision


def _check_dates(decided_on: date, valid_until: date, next_review_on: date) -> None:
    if valid_until < decided_on:
        raise InvalidInput("valid_until", "must not be before decided_on")
    if next_review_on < decided_on:
        raise InvalidInput("next_review_on", "must not be before decided_on")


def _emit_decision(uow: UnitOfWork, stay: Stay, decision: SingleChildDecision) -> None:
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
            reviewed_on=decision.last_reviewed_on,
        ),
    )
