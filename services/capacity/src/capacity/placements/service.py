"""Rules of placement requests: the duty-to-assist deadline, who may see what, offers by the
priority order, decisions, breaches. Never commits: the unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from capacity.codes import (
    BreachCause,
    ContractType,
    Decision,
    OfferStatus,
    PlacementRequestStatus,
    Urgency,
)
from capacity.institutions import repository as institutions
from capacity.placements import repository
from capacity.placements.events import (
    BREACH_CONFIRMED,
    BREACHED,
    CLOSED,
    DECIDED,
    OFFERED,
    RECEIVED,
    PlacementRequestBreachConfirmed,
    PlacementRequestBreached,
    PlacementRequestClosed,
    PlacementRequestDecided,
    PlacementRequestOffered,
    PlacementRequestReceived,
)
from capacity.placements.models import BreachConfirmation, Offer, PlacementRequest
from capacity.placements.priority import RankedPlace, reason_for, rung_of
from capacity.placements.ranking_cache import RankedPage, RankingCache
from capacity.placements.schemas import (
    BreachConfirmationIn,
    BreachConfirmationOut,
    Candidate,
    CloseIn,
    DecisionIn,
    OfferIn,
    PlacementRequestIn,
    PlacementRequestOut,
)
from common import clock
from common.auth import Principal, ensure_agency, ensure_may_see_record, scoped_filters
from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from common.ids import new_id
from common.pagination import PageRequest
from common.pii import NationalIdVault, mask
from common.reference import Region, region_of_municipality
from common.uow import UnitOfWork

RESOURCE = "placement_request"
ACUTE_DEADLINE = timedelta(hours=2)
DUTY_TO_ASSIST_ENDS_AT_AGE = 20
MAX_AGE = 25  # child welfare measures (aftercare) end at 25


def effective_status(request: PlacementRequest, now: datetime) -> PlacementRequestStatus:
    """An open request past its deadline is breached, whether or not the sweeper has run."""
    if (
        request.status is PlacementRequestStatus.open
        and request.deadline_at is not None
        and request.deadline_at <= now
    ):
        return PlacementRequestStatus.breached
    return PlacementRequestStatus(request.status)


def deadline_for(urgency: Urgency, need_concluded_at: datetime, desired_start: Any) -> datetime:
    if urgency is Urgency.acute:
        return need_concluded_at + ACUTE_DEADLINE
    return clock.end_of_day_in_oslo(desired_start)


def ensure_may_see(principal: Principal, request: PlacementRequest) -> None:
    ensure_may_see_record(
        principal,
        region=request.region,
        municipality_number=request.municipality_number,
        what="placement request",
    )


def to_out(
    request: PlacementRequest,
    vault: NationalIdVault,
    now: datetime,
    confirmations: Sequence[BreachConfirmation] = (),
) -> PlacementRequestOut:
    status = effective_status(request, now)
    breached_at = request.breached_at
    if breached_at is None and status is PlacementRequestStatus.breached:
        breached_at = request.deadline_at
    national_id = request.national_id_encrypted
    return PlacementRequestOut(
        id=request.id,
        status=status,
        deadline_at=request.deadline_at,
        duty_to_assist=request.deadline_at is not None,
        municipality_number=request.municipality_number,
        region=request.region,
        child_ref=request.child_ref,
        birth_date=request.birth_date,
        age_years=request.age_years,
        national_id_masked=mask(vault.decrypt(national_id)) if national_id else None,
        urgency=request.urgency,
        function=request.function,
        need_concluded_at=request.need_concluded_at,
        desired_start_date=request.desired_start_date,
        child_views_recorded=request.child_views_recorded,
        breached_at=breached_at,
        breach_cause=request.breach_cause
        or (
            BreachCause.no_offer_by_deadline if status is PlacementRequestStatus.breached else None
        ),
        breach_confirmations=[BreachConfirmationOut.model_validate(c) for c in confirmations],
        closed_at=request.closed_at,
        created_at=request.created_at,
    )


def _facts(request: PlacementRequest) -> dict[str, Any]:
    return {
        "placement_request_id": request.id,
        "region": request.region,
        "municipality_number": request.municipality_number,
        "urgency": request.urgency,
        "function": request.function,
    }


async def create_request(
    uow: UnitOfWork, principal: Principal, vault: NationalIdVault, data: PlacementRequestIn
) -> PlacementRequest:
    if principal.municipality_number not in (None, data.municipality_number):
        raise Forbidden(
            f"Your token is for municipality {principal.municipality_number}; it "
            f"may not ask on behalf of {data.municipality_number}."
        )
    region = region_of_municipality(data.municipality_number)
    if principal.region is not None and principal.region != region:
        raise Forbidden(
            f"Your token is limited to region {principal.region}; municipality "
            f"{data.municipality_number} lies in region {region}."
        )
    now = clock.now()
    if data.need_concluded_at > now + clock.CLOCK_SKEW:
        raise InvalidInput("need_concluded_at", "must not be in the future")
    need_date = clock.oslo_date(data.need_concluded_at)
    if data.desired_start_date < need_date:
        raise InvalidInput(
            "desired_start_date", "must not be before the day the need was concluded"
        )
    if data.birth_date > data.desired_start_date:
        raise InvalidInput("birth_date", "must not be after the desired start date")
    age = clock.age_on(data.birth_date, data.desired_start_date)
    if age > MAX_AGE:
        raise InvalidInput(
            "birth_date",
            f"gives age {age} on the desired start date; child welfare measures end at {MAX_AGE}",
        )
    if data.national_id is not None and not _same_birthday(data.national_id, data.birth_date):
        raise InvalidInput("national_id", "does not match birth_date")
    duty = age < DUTY_TO_ASSIST_ENDS_AT_AGE
    deadline = (
        deadline_for(data.urgency, data.need_concluded_at, data.desired_start_date)
        if duty
        else None
    )
    values: dict[str, Any] = {
        "id": new_id(),
        "municipality_number": data.municipality_number,
        "region": region,
        "child_ref": data.child_ref,
        "child_key": child_key(vault, data.municipality_number, data.child_ref, data.national_id),
        "birth_date": data.birth_date,
        "national_id_encrypted": vault.encrypt(data.national_id) if data.national_id else None,
        "national_id_hash": vault.lookup_hash(data.national_id) if data.national_id else None,
        "urgency": data.urgency,
        "function": data.function,
        "need_concluded_at": data.need_concluded_at,
        "desired_start_date": data.desired_start_date,
        "child_views_recorded": data.child_views_recorded,
        "age_years": age,
        "deadline_at": deadline,
        "status": PlacementRequestStatus.open,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    uow.insert(PlacementRequest.__table__, values)  # type: ignore[arg-type]
    request = PlacementRequest(**values)
    uow.audit("create", RESOURCE, request.id)
    uow.emit(
        RECEIVED,
        subject=request.id,
        data=PlacementRequestReceived(
            **_facts(request),
            child_key=request.child_key,
            age_years=age,
            need_concluded_at=data.need_concluded_at,
            desired_start_date=data.desired_start_date,
            deadline_at=deadline,
            duty_to_assist=duty,
            child_views_recorded=data.child_views_recorded,
        ),
    )
    return request


def child_key(
    vault: NationalIdVault, municipality_number: str, child_ref: str, national_id: str | None
) -> str:
    """The same child gets the same key across requests and stays, without revealing who."""
    if national_id is not None:
        return vault.pseudonym("nid", national_id)
    return vault.pseudonym("ref", municipality_number, child_ref)


def _same_birthday(national_id: str, birth_date: Any) -> bool:
    day = int(national_id[:2])
    day = day - 40 if day > 40 else day  # D-number
    return (day, int(national_id[2:4]), national_id[4:6]) == (
        birth_date.day,
        birth_date.month,
        f"{birth_date.year % 100:02d}",
    )


async def load_request(
    uow: UnitOfWork, principal: Principal, request_id: UUID, *, for_update: bool = False
) -> PlacementRequest:
    """The request, if the caller may see it. A reading unit gets a detached copy; a writing
    unit the session's (locked with `for_update`), which it may change."""
    request = (
        await repository.read_request(uow, request_id)
        if uow.read_only
        else await repository.get_request(uow.session, request_id, for_update=for_update)
    )
    if request is None:
        raise NotFound(f"No placement request {request_id}.")
    ensure_may_see(principal, request)
    return request


async def read_request(
    uow: UnitOfWork, principal: Principal, request_id: UUID
) -> tuple[PlacementRequest, list[BreachConfirmation]]:
    request = await load_request(uow, principal, request_id)
    uow.audit("read", RESOURCE, request.id)
    confirmations = await repository.confirmations_of(uow, [request.id])
    return request, confirmations.get(request.id, [])


async def list_requests(
    uow: UnitOfWork,
    principal: Principal,
    page: PageRequest,
    *,
    status: PlacementRequestStatus | None,
    region: Region | None,
    municipality_number: str | None,
    urgency: str | None,
    function: str | None,
) -> tuple[Sequence[PlacementRequest], dict[UUID, list[BreachConfirmation]]]:
    region, municipality_number = scoped_filters(principal, region, municipality_number, "requests")
    rows = await repository.list_requests(
        uow.session,
        page,
        clock.now(),
        status=status,
        region=region,
        municipality_number=municipality_number,
        urgency=urgency,
        function=function,
    )
    for row in rows[: page.limit]:
        uow.audit("list", RESOURCE, row.id)
    return rows, await repository.confirmations_of(uow, [row.id for row in rows])


async def search_by_national_id(
    uow: UnitOfWork, principal: Principal, vault: NationalIdVault, national_id: str
) -> Sequence[PlacementRequest]:
    rows = await repository.find_by_national_id_hash(uow.session, vault.lookup_hash(national_id))
    visible = [row for row in rows if _may_see(principal, row)]
    uow.audit("search", RESOURCE, None, purpose=f"national id search, {len(visible)} found")
    for row in visible:
        uow.audit("read", RESOURCE, row.id, purpose="found by national id")
    return visible


def _may_see(principal: Principal, request: PlacementRequest) -> bool:
    try:
        ensure_may_see(principal, request)
    except Forbidden:
        return False
    return True


async def candidates(
    uow: UnitOfWork,
    principal: Principal,
    cache: RankingCache,
    request_id: UUID,
    *,
    limit: int,
    offset: int,
) -> tuple[PlacementRequest, RankedPage]:
    """A page of `limit` candidates from `offset`, and whether more follow."""
    request = await load_request(uow, principal, request_id)
    uow.audit("read", RESOURCE, request.id, purpose="candidates")
    key = (request.function, request.desired_start_date, request.region, limit, offset)
    page = cache.get(key)
    if page is None:
        places = await repository.ranked_places(
            uow,
            request.function,
            request.desired_start_date,
            request.region,
            limit=limit + 1,
            offset=offset,
        )
        page = RankedPage(
            [to_candidate(place, request) for place in places[:limit]],
            has_more=len(places) > limit,
        )
        cache.put(key, page)
    return request, page


def to_candidate(place: RankedPlace, request: PlacementRequest) -> Candidate:
    return Candidate(
        institution_id=place.institution_id,
        institution_name=place.institution_name,
        region=place.region,
        function=request.function,
        contract_type=place.contract_type,
        ownership=place.ownership,
        rung=place.rung,
        free_places=place.free_places,
        reason=reason_for(place, request.region, request.desired_start_date),
    )


async def make_offer(
    uow: UnitOfWork, principal: Principal, request_id: UUID, data: OfferIn
) -> Offer:
    ensure_agency(principal, "make offers")
    request = await load_request(uow, principal, request_id, for_update=True)
    status = effective_status(request, clock.now())
    if status is PlacementRequestStatus.offered:
        raise Conflict("An offer is already awaiting the municipality's decision.")
    if status not in (PlacementRequestStatus.open, PlacementRequestStatus.breached):
        raise Conflict(
            f"The placement request is {status}; offers can only be made on open "
            "or breached requests."
        )
    if data.function != request.function:
        raise InvalidInput("function", f"the request is for {request.function}")
    if data.offered_at > clock.now() + clock.CLOCK_SKEW:
        raise InvalidInput("offered_at", "must not be in the future")
    if data.offered_at < request.need_concluded_at:
        raise InvalidInput("offered_at", "must not be before the need was concluded")
    institution = await institutions.get_institution(uow.session, data.institution_id)
    if institution is None:
        raise InvalidInput("institution_id", f"no institution {data.institution_id}")
    if str(data.function) not in institution.functions:
        raise InvalidInput("function", f"{institution.name} has no {data.function} function")

    on = request.desired_start_date
    chosen = await repository.ranked_place(
        uow, request.function, on, request.region, institution.id, data.contract_type
    )
    if chosen is not None:
        rung = chosen.rung
    elif data.contract_type is ContractType.single_purchase:
        # A single purchase brings its own place, even where none is free under contract.
        has_framework = await repository.has_framework(uow, institution.id, request.function, on)
        rung = rung_of(data.contract_type, institution.region == request.region, has_framework)
    else:
        raise Conflict(
            f"{institution.name} has no free {data.contract_type} place for "
            f"{data.function} on {on}."
        )
    best = await repository.best_rung(uow, request.function, on, request.region)
    if best is not None and best < rung and data.justification is None:
        raise InvalidInput(
            "justification",
            f"a step-{best} place was free (better than this "
            f"step-{rung} offer); say why this place serves the child better",
        )

    within_deadline = request.deadline_at is None or data.offered_at <= request.deadline_at
    if request.deadline_at is not None and not within_deadline:
        _breach(uow, request, BreachCause.no_offer_by_deadline)
    offer = Offer(
        id=new_id(),
        placement_request_id=request.id,
        institution_id=institution.id,
        function=data.function,
        contract_type=data.contract_type,
        ownership=institution.ownership,
        rung=rung,
        best_available_rung=best,
        justification=data.justification,
        offered_at=data.offered_at,
        within_deadline=within_deadline,
        status=OfferStatus.pending,
    )
    uow.session.add(offer)
    _set_status(request, PlacementRequestStatus.offered)
    try:
        await uow.session.flush()
    except IntegrityError:  # another offer won the race for the pending slot
        raise Conflict("An offer is already awaiting the municipality's decision.") from None
    uow.audit("update", RESOURCE, request.id, purpose="offer")
    uow.emit(
        OFFERED,
        subject=request.id,
        data=PlacementRequestOffered(
            **_facts(request),
            offer_id=offer.id,
            institution_id=institution.id,
            institution_region=institution.region,
            contract_type=data.contract_type,
            ownership=institution.ownership,
            rung=rung,
            best_available_rung=best,
            justified=data.justification is not None,
            need_concluded_at=request.need_concluded_at,
            offered_at=data.offered_at,
            within_deadline=within_deadline,
        ),
    )
    return offer


async def list_offers(uow: UnitOfWork, principal: Principal, request_id: UUID) -> Sequence[Offer]:
    request = await load_request(uow, principal, request_id)
    uow.audit("read", RESOURCE, request.id, purpose="offers")
    return await repository.offers_of(uow.session, request.id)


async def read_offer(
    uow: UnitOfWork, principal: Principal, request_id: UUID, offer_id: UUID
) -> Offer:
    request = await load_request(uow, principal, request_id)
    offer = await repository.get_offer(uow.session, request.id, offer_id)
    if offer is None:
        raise NotFound(f"No offer {offer_id} on placement request {request_id}.")
    uow.audit("read", RESOURCE, request.id, purpose="offer")
    return offer


async def decide(
    uow: UnitOfWork, principal: Principal, request_id: UUID, offer_id: UUID, data: DecisionIn
) -> Offer:
    request = await load_request(uow, principal, request_id, for_update=True)
    offer = await repository.get_offer(uow.session, request.id, offer_id, for_update=True)
    if offer is None:
        raise NotFound(f"No offer {offer_id} on placement request {request_id}.")
    if offer.status is not OfferStatus.pending:
        raise Conflict(f"The offer was already {offer.status}.")
    if data.decided_at < offer.offered_at:
        raise InvalidInput("decided_at", "must not be before the offer was made")
    if data.decided_at > clock.now() + clock.CLOCK_SKEW:
        raise InvalidInput("decided_at", "must not be in the future")
    if data.decision is Decision.declined and data.reason is None:
        raise InvalidInput("reason", "is required when an offer is declined")
    offer.status = OfferStatus(data.decision.value)
    offer.decided_at = data.decided_at
    offer.decision_reason = data.reason
    if data.decision is Decision.accepted:
        _set_status(request, PlacementRequestStatus.accepted)
    elif request.breached_at is not None:
        _set_status(request, PlacementRequestStatus.breached)
    elif request.deadline_at is not None and request.deadline_at <= clock.now():
        _breach(uow, request, BreachCause.offer_declined_after_deadline)
    else:
        _set_status(request, PlacementRequestStatus.open)
    uow.audit("update", RESOURCE, request.id, purpose=f"offer {data.decision}")
    uow.emit(
        DECIDED,
        subject=request.id,
        data=PlacementRequestDecided(
            **_facts(request), offer_id=offer.id, decision=data.decision, decided_at=data.decided_at
        ),
    )
    return offer


async def confirm_breach(
    uow: UnitOfWork, principal: Principal, request_id: UUID, data: BreachConfirmationIn
) -> BreachConfirmation:
    ensure_agency(principal, "confirm breaches")
    request = await load_request(uow, principal, request_id, for_update=True)
    if request.deadline_at is None:
        raise Conflict("The duty to assist does not apply to this request (20 or older).")
    if data.confirmed_at < request.need_concluded_at:
        raise InvalidInput("confirmed_at", "must not be before the need was concluded")
    confirmation = BreachConfirmation(
        id=new_id(),
        placement_request_id=request.id,
        source=data.source,
        confirmed_at=data.confirmed_at,
    )
    try:
        async with uow.session.begin_nested():  # a savepoint: the conflict is an answer
            uow.session.add(confirmation)
            await uow.session.flush()
    except IntegrityError:
        raise Conflict(f"The breach was already confirmed ({data.source}).") from None
    uow.audit("update", RESOURCE, request.id, purpose="breach confirmation")
    uow.emit(
        BREACH_CONFIRMED,
        subject=request.id,
        data=PlacementRequestBreachConfirmed(
            **_facts(request),
            child_key=request.child_key,
            source=data.source,
            confirmed_at=data.confirmed_at,
        ),
    )
    return confirmation


async def close_request(
    uow: UnitOfWork, principal: Principal, request_id: UUID, data: CloseIn
) -> PlacementRequest:
    request = await load_request(uow, principal, request_id, for_update=True)
    status = effective_status(request, clock.now())
    if status in (PlacementRequestStatus.accepted, PlacementRequestStatus.closed):
        raise Conflict(f"The placement request is already {status}.")
    if status is PlacementRequestStatus.offered:
        raise Conflict("An offer awaits a decision; decide on it before closing the request.")
    if data.closed_at < request.need_concluded_at:
        raise InvalidInput("closed_at", "must not be before the need was concluded")
    if status is PlacementRequestStatus.breached and request.breached_at is None:
        _breach(uow, request, BreachCause.no_offer_by_deadline)
    request.closed_at = data.closed_at
    request.close_reason = data.reason
    _set_status(request, PlacementRequestStatus.closed)
    uow.audit("update", RESOURCE, request.id, purpose="close")
    uow.emit(
        CLOSED,
        subject=request.id,
        data=PlacementRequestClosed(**_facts(request), closed_at=data.closed_at),
    )
    return request


async def sweep_breaches(uow: UnitOfWork) -> int:
    """Mark open requests past their deadline as breached, with their events."""
    breached = await repository.mark_overdue_breached(uow.session, clock.now())
    for request in breached:
        assert request.deadline_at is not None
        uow.emit(
            BREACHED,
            subject=request.id,
            data=PlacementRequestBreached(
                **_facts(request),
                child_key=request.child_key,
                deadline_at=request.deadline_at,
                breached_at=request.deadline_at,
                cause=BreachCause.no_offer_by_deadline,
            ),
        )
    return len(breached)


def _breach(uow: UnitOfWork, request: PlacementRequest, cause: BreachCause) -> None:
    assert request.deadline_at is not None
    breached_at = request.deadline_at if cause is BreachCause.no_offer_by_deadline else clock.now()
    request.breached_at = breached_at
    request.breach_cause = cause
    _set_status(request, PlacementRequestStatus.breached)
    uow.emit(
        BREACHED,
        subject=request.id,
        data=PlacementRequestBreached(
            **_facts(request),
            child_key=request.child_key,
            deadline_at=request.deadline_at,
            breached_at=breached_at,
            cause=cause,
        ),
    )


def _set_status(request: PlacementRequest, status: PlacementRequestStatus) -> None:
    request.status = status
    request.version += 1
    request.updated_at = clock.now()
