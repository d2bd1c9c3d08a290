"""Rules of placement requests: the duty-to-assist deadline, who may see what, offers by the
priority order, decisions, breaches. Answers in the API's terms; never commits (the unit of
work does) and never touches SQL (the repositories do)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, NoReturn
from uuid import UUID

from capacity.codes import (
    BreachCause,
    ContractType,
    Decision,
    OfferStatus,
    PlacementRequestStatus,
    Urgency,
)
from capacity.institutions.repository import InstitutionRepository
from capacity.placement_requests.events import (
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
from capacity.placement_requests.models import BreachConfirmation, Offer, PlacementRequest
from capacity.placement_requests.priority import RankedPlace, reason_for, rung_of
from capacity.placement_requests.ranking_cache import RankedPage, RankingCache
from capacity.placement_requests.repository import (
    BreachConfirmationRepository,
    FreePlaceRepository,
    OfferRepository,
    PlacementRequestRepository,
)
from capacity.placement_requests.schemas import (
    BreachConfirmationIn,
    BreachConfirmationOut,
    Candidate,
    CandidateList,
    CloseIn,
    DecisionIn,
    OfferIn,
    OfferOut,
    PlacementRequestIn,
    PlacementRequestOut,
)
from common import clock
from common.access import check_access, not_found, scope_list
from common.auth import Principal, ensure_agency, may_see_record
from common.errors import Conflict, Forbidden, InvalidInput, ensure_not_in_future
from common.ids import new_id
from common.pagination import OffsetPageRequest, Page, PageRequest
from common.pii import NationalIdVault, birth_date_of, mask
from common.reference import Region, region_of_municipality
from common.uow import UnitOfWork

RESOURCE = "placement_request"
ACUTE_DEADLINE = timedelta(hours=2)
DUTY_TO_ASSIST_ENDS_AT_AGE = 20
MAX_AGE = 25  # child welfare measures (aftercare) end at 25


def effective_status(placement_request: PlacementRequest, now: datetime) -> PlacementRequestStatus:
    """An open request past its deadline is breached, whether or not the sweeper has run."""
    if (
        placement_request.status is PlacementRequestStatus.open
        and placement_request.deadline_at is not None
        and placement_request.deadline_at <= now
    ):
        return PlacementRequestStatus.breached
    return PlacementRequestStatus(placement_request.status)


def deadline_for(urgency: Urgency, need_concluded_at: datetime, desired_start: date) -> datetime:
    if urgency is Urgency.acute:
        return need_concluded_at + ACUTE_DEADLINE
    return clock.end_of_day_in_oslo(desired_start)


def _view(
    placement_request: PlacementRequest,
    vault: NationalIdVault,
    now: datetime,
    confirmations: Sequence[BreachConfirmation] = (),
) -> PlacementRequestOut:
    status = effective_status(placement_request, now)
    breached_at = placement_request.breached_at
    if breached_at is None and status is PlacementRequestStatus.breached:
        breached_at = placement_request.deadline_at
    national_id = placement_request.national_id_encrypted
    return PlacementRequestOut(
        id=placement_request.id,
        status=status,
        deadline_at=placement_request.deadline_at,
        duty_to_assist=placement_request.deadline_at is not None,
        municipality_number=placement_request.municipality_number,
        region=placement_request.region,
        child_ref=placement_request.child_ref,
        birth_date=placement_request.birth_date,
        age_years=placement_request.age_years,
        national_id_masked=mask(vault.decrypt(national_id)) if national_id else None,
        urgency=placement_request.urgency,
        function=placement_request.function,
        need_concluded_at=placement_request.need_concluded_at,
        desired_start_date=placement_request.desired_start_date,
        child_views_recorded=placement_request.child_views_recorded,
        breached_at=breached_at,
        breach_cause=placement_request.breach_cause
        or (
            BreachCause.no_offer_by_deadline if status is PlacementRequestStatus.breached else None
        ),
        breach_confirmations=[BreachConfirmationOut.model_validate(c) for c in confirmations],
        closed_at=placement_request.closed_at,
        created_at=placement_request.created_at,
        version=placement_request.version,
    )


def _facts(placement_request: PlacementRequest) -> dict[str, Any]:
    return {
        "placement_request_id": placement_request.id,
        "region": placement_request.region,
        "municipality_number": placement_request.municipality_number,
        "urgency": placement_request.urgency,
        "function": placement_request.function,
    }


async def get_visible(
    uow: UnitOfWork,
    principal: Principal,
    placement_request_id: UUID,
    *,
    action: str = "read",
    purpose: str | None = None,
    for_update: bool = False,
) -> PlacementRequest:
    """The request, if the caller may see it (the access audited, granted or not); with
    `for_update` locked until commit, to be changed."""
    placement_request = await PlacementRequestRepository(uow).get(
        placement_request_id, for_update=for_update
    )
    return check_access(
        uow,
        principal,
        placement_request,
        resource_type=RESOURCE,
        resource_id=placement_request_id,
        action=action,
        purpose=purpose,
    )


async def create_placement_request(
    uow: UnitOfWork, principal: Principal, vault: NationalIdVault, data: PlacementRequestIn
) -> PlacementRequestOut:
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
    ensure_not_in_future("need_concluded_at", data.need_concluded_at)
    if data.desired_start_date < clock.oslo_date(data.need_concluded_at):
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
    if data.national_id is not None and birth_date_of(data.national_id) != data.birth_date:
        raise InvalidInput("national_id", "does not match birth_date")
    duty = age < DUTY_TO_ASSIST_ENDS_AT_AGE
    deadline = (
        deadline_for(data.urgency, data.need_concluded_at, data.desired_start_date)
        if duty
        else None
    )
    placement_request = PlacementRequestRepository(uow).add(
        PlacementRequest(
            id=new_id(),
            municipality_number=data.municipality_number,
            region=region,
            child_ref=data.child_ref,
            child_key=vault.child_key(data.municipality_number, data.child_ref, data.national_id),
            birth_date=data.birth_date,
            national_id_encrypted=vault.encrypt(data.national_id) if data.national_id else None,
            national_id_hash=vault.lookup_hash(data.national_id) if data.national_id else None,
            urgency=data.urgency,
            function=data.function,
            need_concluded_at=data.need_concluded_at,
            desired_start_date=data.desired_start_date,
            child_views_recorded=data.child_views_recorded,
            age_years=age,
            deadline_at=deadline,
            status=PlacementRequestStatus.open,
            created_at=now,
            updated_at=now,
        )
    )
    uow.audit("create", RESOURCE, placement_request.id)
    uow.emit(
        RECEIVED,
        subject=placement_request.id,
        data=PlacementRequestReceived(
            **_facts(placement_request),
            child_key=placement_request.child_key,
            age_years=age,
            need_concluded_at=data.need_concluded_at,
            desired_start_date=data.desired_start_date,
            deadline_at=deadline,
            duty_to_assist=duty,
            child_views_recorded=data.child_views_recorded,
        ),
    )
    return _view(placement_request, vault, now)


async def get_placement_request(
    uow: UnitOfWork, principal: Principal, vault: NationalIdVault, placement_request_id: UUID
) -> PlacementRequestOut:
    placement_request = await get_visible(uow, principal, placement_request_id)
    confirmations = await BreachConfirmationRepository(uow).list_of([placement_request.id])
    return _view(placement_request, vault, clock.now(), confirmations.get(placement_request.id, []))


async def list_placement_requests(
    uow: UnitOfWork,
    principal: Principal,
    vault: NationalIdVault,
    page: PageRequest,
    *,
    status: PlacementRequestStatus | None,
    region: Region | None,
    municipality_number: str | None,
    urgency: str | None,
    function: str | None,
) -> Page[PlacementRequestOut]:
    region, municipality_number = scope_list(
        uow, principal, region, municipality_number, resource_type=RESOURCE, what="requests"
    )
    now = clock.now()
    window = await PlacementRequestRepository(uow).list(
        page,
        now,
        status=status,
        region=region,
        municipality_number=municipality_number,
        urgency=urgency,
        function=function,
    )
    uow.audit("list", RESOURCE, listed=[row.id for row in window.items])
    confirmations = await BreachConfirmationRepository(uow).list_of(
        [placement_request.id for placement_request in window.items]
    )
    return window.map(lambda row: _view(row, vault, now, confirmations.get(row.id, [])))


async def search_placement_requests(
    uow: UnitOfWork, principal: Principal, vault: NationalIdVault, national_id: str
) -> Page[PlacementRequestOut]:
    """By national identity number (found by its keyed hash): the requests the caller may
    see; the search itself is audited, with how many were found."""
    found = await PlacementRequestRepository(uow).list_by_national_id_hash(
        vault.lookup_hash(national_id)
    )
    visible = [
        row
        for row in found
        if may_see_record(principal, region=row.region, municipality_number=row.municipality_number)
    ]
    uow.audit("search", RESOURCE, None, purpose=f"national id search, {len(visible)} found")
    for placement_request in visible:
        uow.audit("read", RESOURCE, placement_request.id, purpose="found by national id")
    now = clock.now()
    return Page[PlacementRequestOut](items=[_view(row, vault, now) for row in visible])


async def list_candidates(
    uow: UnitOfWork,
    principal: Principal,
    cache: RankingCache,
    placement_request_id: UUID,
    page: OffsetPageRequest,
) -> CandidateList:
    """Free places by the priority order, for the request's function, region and desired
    start date; a page is reused for a moment (see `RankingCache`)."""
    placement_request = await get_visible(
        uow, principal, placement_request_id, purpose="candidates"
    )
    function, on = placement_request.function, placement_request.desired_start_date
    region = placement_request.region
    key = (function, on, region, page.limit, page.offset)
    ranked = cache.get(key)
    if ranked is None:
        places = await FreePlaceRepository(uow).list_ranked(
            function, on, region, limit=page.limit + 1, offset=page.offset
        )
        ranked = RankedPage(
            [_candidate(place, placement_request) for place in places[: page.limit]],
            has_more=len(places) > page.limit,
        )
        cache.put(key, ranked)
    # Built from validated parts: constructed, not validated again on every answer.
    return CandidateList.model_construct(
        placement_request_id=placement_request.id,
        date=on,
        items=ranked.candidates,
        next_cursor=page.next_cursor(len(ranked.candidates) + ranked.has_more),
    )


def _candidate(place: RankedPlace, placement_request: PlacementRequest) -> Candidate:
    return Candidate(
        institution_id=place.institution_id,
        institution_name=place.institution_name,
        region=place.region,
        function=placement_request.function,
        contract_type=place.contract_type,
        ownership=place.ownership,
        rung=place.rung,
        free_places=place.free_places,
        reason=reason_for(place, placement_request.region, placement_request.desired_start_date),
    )


async def create_offer(
    uow: UnitOfWork, principal: Principal, placement_request_id: UUID, data: OfferIn
) -> OfferOut:
    ensure_agency(principal, "make offers")
    placement_request = await get_visible(
        uow, principal, placement_request_id, action="update", purpose="offer", for_update=True
    )
    status = effective_status(placement_request, clock.now())
    if status is PlacementRequestStatus.offered:
        raise Conflict("An offer is already awaiting the municipality's decision.")
    if status not in (PlacementRequestStatus.open, PlacementRequestStatus.breached):
        raise Conflict(
            f"The placement request is {status}; offers can only be made on open "
            "or breached requests."
        )
    if data.function != placement_request.function:
        raise InvalidInput("function", f"the request is for {placement_request.function}")
    ensure_not_in_future("offered_at", data.offered_at)
    if data.offered_at < placement_request.need_concluded_at:
        raise InvalidInput("offered_at", "must not be before the need was concluded")
    institution = await InstitutionRepository(uow).get(data.institution_id)
    if institution is None:
        raise InvalidInput("institution_id", f"no institution {data.institution_id}")
    if str(data.function) not in institution.functions:
        raise InvalidInput("function", f"{institution.name} has no {data.function} function")

    places = FreePlaceRepository(uow)
    function, on, region = (
        data.function,
        placement_request.desired_start_date,
        placement_request.region,
    )
    chosen = await places.get_ranked(function, on, region, institution.id, data.contract_type)
    if chosen is not None:
        rung = chosen.rung
    elif data.contract_type is ContractType.single_purchase:
        # A single purchase brings its own place, even where none is free under contract.
        has_framework = await places.has_framework(institution.id, function, on)
        rung = rung_of(data.contract_type, institution.region == region, has_framework)
    else:
        raise Conflict(
            f"{institution.name} has no free {data.contract_type} place for {function} on {on}."
        )
    best = await places.best_rung(function, on, region)
    if best is not None and best < rung and data.justification is None:
        raise InvalidInput(
            "justification",
            f"a step-{best} place was free (better than this "
            f"step-{rung} offer); say why this place serves the child better",
        )

    deadline = placement_request.deadline_at
    within_deadline = deadline is None or data.offered_at <= deadline
    if not within_deadline:
        _breach(uow, placement_request, BreachCause.no_offer_by_deadline)
    offer = OfferRepository(uow).add(
        Offer(
            id=new_id(),
            placement_request_id=placement_request.id,
            institution_id=institution.id,
            function=function,
            contract_type=data.contract_type,
            ownership=institution.ownership,
            rung=rung,
            best_available_rung=best,
            justification=data.justification,
            offered_at=data.offered_at,
            within_deadline=within_deadline,
            status=OfferStatus.pending,
        )
    )
    _set_status(placement_request, PlacementRequestStatus.offered)
    uow.emit(
        OFFERED,
        subject=placement_request.id,
        data=PlacementRequestOffered(
            **_facts(placement_request),
            offer_id=offer.id,
            institution_id=institution.id,
            institution_region=institution.region,
            contract_type=data.contract_type,
            ownership=institution.ownership,
            rung=rung,
            best_available_rung=best,
            justified=data.justification is not None,
            need_concluded_at=placement_request.need_concluded_at,
            offered_at=data.offered_at,
            within_deadline=within_deadline,
        ),
    )
    return OfferOut.model_validate(offer)


async def list_offers(
    uow: UnitOfWork, principal: Principal, placement_request_id: UUID
) -> Page[OfferOut]:
    placement_request = await get_visible(uow, principal, placement_request_id, purpose="offers")
    offers = await OfferRepository(uow).list_of(placement_request.id)
    return Page[OfferOut](items=[OfferOut.model_validate(offer) for offer in offers])


async def get_offer(
    uow: UnitOfWork, principal: Principal, placement_request_id: UUID, offer_id: UUID
) -> OfferOut:
    placement_request = await get_visible(uow, principal, placement_request_id, purpose="offer")
    offer = await OfferRepository(uow).get_of(placement_request.id, offer_id)
    if offer is None:
        _no_offer(uow, "read", placement_request_id, offer_id)
    return OfferOut.model_validate(offer)


def _no_offer(uow: UnitOfWork, action: str, placement_request_id: UUID, offer_id: UUID) -> NoReturn:
    detail = f"No offer {offer_id} on placement request {placement_request_id}."
    not_found(uow, detail, RESOURCE, placement_request_id, action, f"offer {offer_id}")


async def decide_offer(
    uow: UnitOfWork,
    principal: Principal,
    placement_request_id: UUID,
    offer_id: UUID,
    data: DecisionIn,
) -> OfferOut:
    placement_request = await get_visible(
        uow,
        principal,
        placement_request_id,
        action="update",
        purpose=f"offer {data.decision}",
        for_update=True,
    )
    offer = await OfferRepository(uow).get_of(placement_request.id, offer_id, for_update=True)
    if offer is None:
        _no_offer(uow, "update", placement_request_id, offer_id)
    if offer.status is not OfferStatus.pending:
        raise Conflict(f"The offer was already {offer.status}.")
    if data.decided_at < offer.offered_at:
        raise InvalidInput("decided_at", "must not be before the offer was made")
    ensure_not_in_future("decided_at", data.decided_at)
    if data.decision is Decision.declined and data.reason is None:
        raise InvalidInput("reason", "is required when an offer is declined")
    offer.status = OfferStatus(data.decision.value)
    offer.decided_at = data.decided_at
    offer.decision_reason = data.reason
    if data.decision is Decision.accepted:
        _set_status(placement_request, PlacementRequestStatus.accepted)
    elif placement_request.breached_at is not None:
        _set_status(placement_request, PlacementRequestStatus.breached)
    elif placement_request.deadline_at is not None and placement_request.deadline_at <= clock.now():
        _breach(uow, placement_request, BreachCause.offer_declined_after_deadline)
    else:
        _set_status(placement_request, PlacementRequestStatus.open)
    uow.emit(
        DECIDED,
        subject=placement_request.id,
        data=PlacementRequestDecided(
            **_facts(placement_request),
            offer_id=offer.id,
            decision=data.decision,
            decided_at=data.decided_at,
        ),
    )
    return OfferOut.model_validate(offer)


async def create_breach_confirmation(
    uow: UnitOfWork, principal: Principal, placement_request_id: UUID, data: BreachConfirmationIn
) -> BreachConfirmationOut:
    ensure_agency(principal, "confirm breaches")
    placement_request = await get_visible(
        uow,
        principal,
        placement_request_id,
        action="update",
        purpose="breach confirmation",
        for_update=True,
    )
    if placement_request.deadline_at is None:
        raise Conflict("The duty to assist does not apply to this request (20 or older).")
    if data.confirmed_at < placement_request.need_concluded_at:
        raise InvalidInput("confirmed_at", "must not be before the need was concluded")
    confirmation = BreachConfirmationRepository(uow).add(
        BreachConfirmation(
            id=new_id(),
            placement_request_id=placement_request.id,
            source=data.source,
            confirmed_at=data.confirmed_at,
        )
    )
    uow.emit(
        BREACH_CONFIRMED,
        subject=placement_request.id,
        data=PlacementRequestBreachConfirmed(
            **_facts(placement_request),
            child_key=placement_request.child_key,
            source=data.source,
            confirmed_at=data.confirmed_at,
        ),
    )
    return BreachConfirmationOut.model_validate(confirmation)


async def close_placement_request(
    uow: UnitOfWork,
    principal: Principal,
    vault: NationalIdVault,
    placement_request_id: UUID,
    data: CloseIn,
) -> PlacementRequestOut:
    placement_request = await get_visible(
        uow, principal, placement_request_id, action="update", purpose="close", for_update=True
    )
    now = clock.now()
    status = effective_status(placement_request, now)
    if status in (PlacementRequestStatus.accepted, PlacementRequestStatus.closed):
        raise Conflict(f"The placement request is already {status}.")
    if status is PlacementRequestStatus.offered:
        raise Conflict("An offer awaits a decision; decide on it before closing the request.")
    if data.closed_at < placement_request.need_concluded_at:
        raise InvalidInput("closed_at", "must not be before the need was concluded")
    if status is PlacementRequestStatus.breached and placement_request.breached_at is None:
        _breach(uow, placement_request, BreachCause.no_offer_by_deadline)
    placement_request.closed_at = data.closed_at
    placement_request.close_reason = data.reason
    _set_status(placement_request, PlacementRequestStatus.closed)
    uow.emit(
        CLOSED,
        subject=placement_request.id,
        data=PlacementRequestClosed(**_facts(placement_request), closed_at=data.closed_at),
    )
    confirmations = await BreachConfirmationRepository(uow).list_of([placement_request.id])
    return _view(placement_request, vault, now, confirmations.get(placement_request.id, []))


async def mark_breaches(uow: UnitOfWork, grace: timedelta) -> int:
    """Mark open requests past their deadline as breached, with their events. A request
    recorded after its deadline (a system sending what already happened) is given `grace`
    to record the offer that was made in time, so no breach is reported that never was."""
    breached = await PlacementRequestRepository(uow).mark_breached_past_deadline(clock.now(), grace)
    for placement_request in breached:
        assert placement_request.deadline_at is not None
        uow.emit(
            BREACHED,
            subject=placement_request.id,
            data=PlacementRequestBreached(
                **_facts(placement_request),
                child_key=placement_request.child_key,
                deadline_at=placement_request.deadline_at,
                breached_at=placement_request.deadline_at,
                cause=BreachCause.no_offer_by_deadline,
            ),
        )
    return len(breached)


def _breach(uow: UnitOfWork, placement_request: PlacementRequest, cause: BreachCause) -> None:
    deadline = placement_request.deadline_at
    assert deadline is not None
    breached_at = deadline if cause is BreachCause.no_offer_by_deadline else clock.now()
    placement_request.breached_at = breached_at
    placement_request.breach_cause = cause
    _set_status(placement_request, PlacementRequestStatus.breached)
    uow.emit(
        BREACHED,
        subject=placement_request.id,
        data=PlacementRequestBreached(
            **_facts(placement_request),
            child_key=placement_request.child_key,
            deadline_at=deadline,
            breached_at=breached_at,
            cause=cause,
        ),
    )


def _set_status(placement_request: PlacementRequest, status: PlacementRequestStatus) -> None:
    placement_request.status = status
    placement_request.version += 1
    placement_request.updated_at = clock.now()
