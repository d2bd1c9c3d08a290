"""Rules of foster-home requests: kinship first, who may see what, the waiting list as of
any date, candidates, proposals (the child talked to alone before a kinship home), the
decisions on them and breaches. Answers in the API's terms; never commits (the unit of work
does) and never touches SQL (the repositories do)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, NoReturn
from uuid import UUID

from common import clock
from common.access import check_access, not_found, scope_list
from common.auth import Principal, ensure_agency, may_see_record
from common.errors import Conflict, Forbidden, InvalidInput, ensure_not_in_future
from common.ids import new_id
from common.pagination import OffsetPageRequest, Page, PageRequest
from common.pii import NationalIdVault, birth_date_of, mask
from common.reference import Region, region_of_municipality
from common.uow import UnitOfWork
from foster_care.codes import (
    WAITING_REASON_OF_DECLINE,
    Decision,
    DeclineReason,
    FosterHomeKind,
    FosterHomeRequestStatus,
    Need,
    ProposalStatus,
    Stage,
    WaitingReason,
)
from foster_care.foster_home_requests.events import (
    BREACH_CONFIRMED,
    CHILD_CONVERSATION_RECORDED,
    FAMILY_GROUP_CONFERENCE_HELD,
    FAMILY_GROUP_CONFERENCE_OFFERED,
    PROPOSAL_DECIDED,
    PROPOSED,
    RECEIVED,
    WAITING_REASON_RECORDED,
    WITHDRAWN,
    ChildConversationRecorded,
    FamilyGroupConferenceHeld,
    FamilyGroupConferenceOffered,
    FosterHomeProposed,
    FosterHomeRequestBreachConfirmed,
    FosterHomeRequestReceived,
    FosterHomeRequestWithdrawn,
    ProposalDecided,
    WaitingReasonRecorded,
)
from foster_care.foster_home_requests.models import (
    BreachConfirmation,
    ChildConversation,
    FamilyGroupConference,
    FosterHomeRequest,
    Proposal,
    WaitingReasonEntry,
)
from foster_care.foster_home_requests.repository import (
    BreachConfirmationRepository,
    ChildConversationRepository,
    FamilyGroupConferenceRepository,
    FosterHomeRequestRepository,
    PlaceRepository,
    ProposalRepository,
    WaitingListRepository,
    WaitingReasonRepository,
)
from foster_care.foster_home_requests.schemas import (
    BreachConfirmationIn,
    BreachConfirmationOut,
    Candidate,
    CandidateList,
    ChildConversationIn,
    ChildConversationOut,
    ConferenceHeldIn,
    DecisionIn,
    FamilyGroupConferenceIn,
    FamilyGroupConferenceOut,
    FosterHomeRequestIn,
    FosterHomeRequestOut,
    ProposalIn,
    ProposalOut,
    WaitingChild,
    WaitingList,
    WaitingReasonIn,
    WaitingReasonOut,
    WithdrawIn,
)
from foster_care.foster_homes.repository import FosterHomeRepository

RESOURCE = "foster_home_request"
# Bufetat's duty to assist ends at 20 (barnevernsloven § 16-3 with § 1-3).
AGE_LIMIT = 20
SIX_WEEKS = timedelta(weeks=6)
KINSHIP_FIRST = (
    "must be true: the municipality assesses the child's family and close network first, "
    "and asks Bufetat for a foster home only after that (the kinship-first rule)"
)
TALK_ALONE_FIRST = (
    "is a kinship home: the child must first be talked to alone and their view recorded "
    "(POST .../child-conversations, held on or before the proposal): the young people's own "
    "demand (Barnevernsproffene)"
)


def days_waiting(request: FosterHomeRequest, on: date) -> int | None:
    """Oslo calendar days the child has waited on `on`, or None when not waiting then."""
    if (
        request.desired_start_date >= on
        or (request.placed_on is not None and request.placed_on <= on)
        or (request.withdrawn_on is not None and request.withdrawn_on <= on)
    ):
        return None
    return (on - request.desired_start_date).days


def _view(
    request: FosterHomeRequest,
    vault: NationalIdVault,
    today: date,
    waiting_reason: WaitingReason | None,
    confirmations: Sequence[BreachConfirmation] = (),
) -> FosterHomeRequestOut:
    waited = days_waiting(request, today)
    national_id = request.national_id_encrypted
    return FosterHomeRequestOut(
        id=request.id,
        status=request.status,
        municipality_number=request.municipality_number,
        region=request.region,
        child_ref=request.child_ref,
        birth_date=request.birth_date,
        age_years=request.age_years,
        national_id_masked=mask(vault.decrypt(national_id)) if national_id else None,
        desired_start_date=request.desired_start_date,
        requested_at=request.requested_at,
        needs=[Need(need) for need in request.needs],
        child_wishes_recorded=request.child_wishes_recorded,
        child_wishes_recorded_on=request.child_wishes_recorded_on,
        kinship_assessed=request.kinship_assessed,
        waiting_reason=(waiting_reason or WaitingReason.no_suitable_home)
        if waited is not None
        else None,
        days_waiting=waited,
        more_than_six_weeks=waited is not None and waited > SIX_WEEKS.days,
        placed_on=request.placed_on,
        withdrawn_at=request.withdrawn_at,
        withdrawal_reason=request.withdrawal_reason,
        breach_confirmations=[BreachConfirmationOut.model_validate(c) for c in confirmations],
        created_at=request.created_at,
        version=request.version,
    )


def _facts(request: FosterHomeRequest) -> dict[str, Any]:
    return {
        "foster_home_request_id": request.id,
        "region": request.region,
        "municipality_number": request.municipality_number,
    }


async def get_visible(
    uow: UnitOfWork,
    principal: Principal,
    foster_home_request_id: UUID,
    *,
    action: str = "read",
    purpose: str | None = None,
    for_update: bool = False,
) -> FosterHomeRequest:
    """The request, if the caller may see it (the access audited, granted or not); with
    `for_update` locked until commit, to be changed."""
    request = await FosterHomeRequestRepository(uow).get(
        foster_home_request_id, for_update=for_update
    )
    return check_access(
        uow,
        principal,
        request,
        resource_type=RESOURCE,
        resource_id=foster_home_request_id,
        action=action,
        purpose=purpose,
        what="foster-home request",
    )


async def _answer(
    uow: UnitOfWork, vault: NationalIdVault, request: FosterHomeRequest
) -> FosterHomeRequestOut:
    today = clock.today_in_oslo()
    reasons = await WaitingReasonRepository(uow).list_current([request.id], today)
    confirmations = await BreachConfirmationRepository(uow).list_of([request.id])
    return _view(request, vault, today, reasons.get(request.id), confirmations.get(request.id, []))


async def create_foster_home_request(
    uow: UnitOfWork, principal: Principal, vault: NationalIdVault, data: FosterHomeRequestIn
) -> FosterHomeRequestOut:
    if principal.municipality_number not in (None, data.municipality_number):
        raise Forbidden(
            f"Your token is for municipality {principal.municipality_number}; it "
            f"may not ask on behalf of {data.municipality_number}."
        )
    region = region_of_municipality(data.municipality_number)
    if data.region is not None and data.region != region:
        raise InvalidInput(
            "region",
            f"municipality {data.municipality_number} lies in region {region}, not {data.region}",
        )
    if principal.region is not None and principal.region != region:
        raise Forbidden(
            f"Your token is limited to region {principal.region}; municipality "
            f"{data.municipality_number} lies in region {region}."
        )
    if not data.kinship_assessed:
        raise InvalidInput("kinship_assessed", KINSHIP_FIRST)
    ensure_not_in_future("requested_at", data.requested_at)
    if data.birth_date > data.desired_start_date:
        raise InvalidInput("birth_date", "must not be after the desired start date")
    age = clock.age_on(data.birth_date, data.desired_start_date)
    if age >= AGE_LIMIT:
        raise InvalidInput(
            "birth_date",
            f"gives age {age} on the desired start date; Bufetat's duty to assist ends at "
            f"{AGE_LIMIT}",
        )
    if data.national_id is not None and birth_date_of(data.national_id) != data.birth_date:
        raise InvalidInput("national_id", "does not match birth_date")
    if data.child_wishes_recorded and data.child_wishes_recorded_on is None:
        raise InvalidInput("child_wishes_recorded_on", "is required when the wishes were recorded")
    if not data.child_wishes_recorded and data.child_wishes_recorded_on is not None:
        raise InvalidInput("child_wishes_recorded_on", "is only given when they were recorded")
    if data.child_wishes_recorded_on is not None:
        ensure_not_in_future("child_wishes_recorded_on", data.child_wishes_recorded_on)
    request = FosterHomeRequestRepository(uow).add(
        FosterHomeRequest(
            id=new_id(),
            municipality_number=data.municipality_number,
            region=region,
            child_ref=data.child_ref,
            child_key=vault.child_key(data.municipality_number, data.child_ref, data.national_id),
            birth_date=data.birth_date,
            national_id_encrypted=vault.encrypt(data.national_id) if data.national_id else None,
            national_id_hash=vault.lookup_hash(data.national_id) if data.national_id else None,
            age_years=age,
            desired_start_date=data.desired_start_date,
            requested_at=data.requested_at,
            requested_on=clock.oslo_date(data.requested_at),
            needs=[str(need) for need in data.needs],
            child_wishes_recorded=data.child_wishes_recorded,
            child_wishes_recorded_on=data.child_wishes_recorded_on,
            kinship_assessed=True,
            status=FosterHomeRequestStatus.open,
        )
    )
    uow.audit("create", RESOURCE, request.id)
    uow.emit(
        RECEIVED,
        subject=request.id,
        data=FosterHomeRequestReceived(
            **_facts(request),
            child_key=request.child_key,
            age_years=age,
            desired_start_date=data.desired_start_date,
            requested_at=data.requested_at,
            needs=list(data.needs),
            child_wishes_recorded=data.child_wishes_recorded,
            kinship_assessed=True,
        ),
    )
    return _view(request, vault, clock.today_in_oslo(), None)


async def get_foster_home_request(
    uow: UnitOfWork, principal: Principal, vault: NationalIdVault, foster_home_request_id: UUID
) -> FosterHomeRequestOut:
    request = await get_visible(uow, principal, foster_home_request_id)
    return await _answer(uow, vault, request)


async def list_foster_home_requests(
    uow: UnitOfWork,
    principal: Principal,
    vault: NationalIdVault,
    page: PageRequest,
    *,
    status: FosterHomeRequestStatus | None,
    region: Region | None,
    municipality_number: str | None,
) -> Page[FosterHomeRequestOut]:
    region, municipality_number = scope_list(
        uow, principal, region, municipality_number, resource_type=RESOURCE, what="requests"
    )
    window = await FosterHomeRequestRepository(uow).list(
        page, status=status, region=region, municipality_number=municipality_number
    )
    uow.audit("list", RESOURCE, listed=[row.id for row in window.items])
    confirmations = await BreachConfirmationRepository(uow).list_of(
        [request.id for request in window.items]
    )
    today = clock.today_in_oslo()
    reasons = await WaitingReasonRepository(uow).list_current(
        [request.id for request in window.items], today
    )
    return window.map(
        lambda row: _view(row, vault, today, reasons.get(row.id), confirmations.get(row.id, []))
    )


async def search_foster_home_requests(
    uow: UnitOfWork, principal: Principal, vault: NationalIdVault, national_id: str
) -> Page[FosterHomeRequestOut]:
    """By national identity number (found by its keyed hash): the requests the caller may
    see; the search itself is audited, with how many were found."""
    found = await FosterHomeRequestRepository(uow).list_by_national_id_hash(
        vault.lookup_hash(national_id)
    )
    visible = [
        row
        for row in found
        if may_see_record(principal, region=row.region, municipality_number=row.municipality_number)
    ]
    uow.audit("search", RESOURCE, None, purpose=f"national id search, {len(visible)} found")
    answers = []
    for request in visible:
        uow.audit("read", RESOURCE, request.id, purpose="found by national id")
        answers.append(await _answer(uow, vault, request))
    return Page[FosterHomeRequestOut](items=answers)


def _still_waiting(request: FosterHomeRequest, what: str) -> None:
    if request.status in (FosterHomeRequestStatus.placed, FosterHomeRequestStatus.withdrawn):
        raise Conflict(f"The foster-home request is {request.status}; {what}.")


# waiting reasons ---------------------------------------------------------------------------


async def create_waiting_reason(
    uow: UnitOfWork, principal: Principal, foster_home_request_id: UUID, data: WaitingReasonIn
) -> WaitingReasonOut:
    request = await get_visible(
        uow,
        principal,
        foster_home_request_id,
        action="update",
        purpose="waiting reason",
        for_update=True,
    )
    _still_waiting(request, "the child no longer waits")
    ensure_not_in_future("from_date", data.from_date)
    if data.from_date < request.requested_on:
        raise InvalidInput("from_date", "must not be before the request was made")
    entry = WaitingReasonRepository(uow).add(
        WaitingReasonEntry(
            id=new_id(),
            foster_home_request_id=request.id,
            reason=data.reason,
            from_date=data.from_date,
        )
    )
    _touch(request)
    _reason_recorded(uow, request, data.reason, data.from_date)
    return WaitingReasonOut.model_validate(entry)


async def list_waiting_reasons(
    uow: UnitOfWork, principal: Principal, foster_home_request_id: UUID
) -> Page[WaitingReasonOut]:
    request = await get_visible(uow, principal, foster_home_request_id, purpose="waiting reasons")
    entries = await WaitingReasonRepository(uow).list_of(request.id)
    return Page[WaitingReasonOut](items=[WaitingReasonOut.model_validate(e) for e in entries])


def _reason_recorded(
    uow: UnitOfWork, request: FosterHomeRequest, reason: WaitingReason, from_date: date
) -> None:
    uow.emit(
        WAITING_REASON_RECORDED,
        subject=request.id,
        data=WaitingReasonRecorded(**_facts(request), reason=reason, from_date=from_date),
    )


# family group conferences ------------------------------------------------------------------


async def create_family_group_conference(
    uow: UnitOfWork,
    principal: Principal,
    foster_home_request_id: UUID,
    data: FamilyGroupConferenceIn,
) -> FamilyGroupConferenceOut:
    request = await get_visible(
        uow,
        principal,
        foster_home_request_id,
        action="update",
        purpose="family group conference",
        for_update=True,
    )
    ensure_not_in_future("offered_on", data.offered_on)
    if data.held_on is not None:
        if data.held_on < data.offered_on:
            raise InvalidInput("held_on", "must not be before the conference was offered")
        ensure_not_in_future("held_on", data.held_on)
    conference = FamilyGroupConferenceRepository(uow).add(
        FamilyGroupConference(
            id=new_id(),
            foster_home_request_id=request.id,
            offered_on=data.offered_on,
            held_on=data.held_on,
            aims_to_recruit_home=data.aims_to_recruit_home,
        )
    )
    offered = FamilyGroupConferenceOffered(
        **_facts(request),
        conference_id=conference.id,
        child_key=request.child_key,
        offered_on=data.offered_on,
        aims_to_recruit_home=data.aims_to_recruit_home,
    )
    uow.emit(FAMILY_GROUP_CONFERENCE_OFFERED, subject=request.id, data=offered)
    if data.held_on is not None:
        held = FamilyGroupConferenceHeld(**offered.model_dump(), held_on=data.held_on)
        uow.emit(FAMILY_GROUP_CONFERENCE_HELD, subject=request.id, data=held)
    return FamilyGroupConferenceOut.model_validate(conference)


async def list_family_group_conferences(
    uow: UnitOfWork, principal: Principal, foster_home_request_id: UUID
) -> Page[FamilyGroupConferenceOut]:
    request = await get_visible(
        uow, principal, foster_home_request_id, purpose="family group conferences"
    )
    conferences = await FamilyGroupConferenceRepository(uow).list_of(request.id)
    return Page[FamilyGroupConferenceOut](
        items=[FamilyGroupConferenceOut.model_validate(c) for c in conferences]
    )


async def record_conference_held(
    uow: UnitOfWork,
    principal: Principal,
    foster_home_request_id: UUID,
    conference_id: UUID,
    data: ConferenceHeldIn,
) -> FamilyGroupConferenceOut:
    request = await get_visible(
        uow,
        principal,
        foster_home_request_id,
        action="update",
        purpose="family group conference held",
        for_update=True,
    )
    conference = await FamilyGroupConferenceRepository(uow).get_of(
        request.id, conference_id, for_update=True
    )
    if conference is None:
        _missing(uow, "family group conference", request.id, conference_id)
    if conference.held_on is not None:
        raise Conflict(f"The conference was held on {conference.held_on} already.")
    if data.held_on < conference.offered_on:
        raise InvalidInput("held_on", "must not be before the conference was offered")
    ensure_not_in_future("held_on", data.held_on)
    conference.held_on = data.held_on
    conference.version += 1
    uow.emit(
        FAMILY_GROUP_CONFERENCE_HELD,
        subject=request.id,
        data=FamilyGroupConferenceHeld(
            **_facts(request),
            conference_id=conference.id,
            child_key=request.child_key,
            offered_on=conference.offered_on,
            aims_to_recruit_home=conference.aims_to_recruit_home,
            held_on=data.held_on,
        ),
    )
    return FamilyGroupConferenceOut.model_validate(conference)


def _missing(uow: UnitOfWork, what: str, request_id: UUID, item_id: UUID) -> NoReturn:
    detail = f"No {what} {item_id} on foster-home request {request_id}."
    not_found(uow, detail, RESOURCE, request_id, "read", f"{what} {item_id}")


# talks with the child ----------------------------------------------------------------------


async def create_child_conversation(
    uow: UnitOfWork, principal: Principal, foster_home_request_id: UUID, data: ChildConversationIn
) -> ChildConversationOut:
    request = await get_visible(
        uow,
        principal,
        foster_home_request_id,
        action="update",
        purpose="talk with the child alone",
        for_update=True,
    )
    ensure_not_in_future("held_on", data.held_on)
    conversation = ChildConversationRepository(uow).add(
        ChildConversation(
            id=new_id(),
            foster_home_request_id=request.id,
            held_on=data.held_on,
            method=data.method,
            view_recorded=data.view_recorded,
        )
    )
    uow.emit(
        CHILD_CONVERSATION_RECORDED,
        subject=request.id,
        data=ChildConversationRecorded(
            **_facts(request),
            conversation_id=conversation.id,
            held_on=data.held_on,
            method=data.method,
            view_recorded=data.view_recorded,
        ),
    )
    return ChildConversationOut.model_validate(conversation)


async def list_child_conversations(
    uow: UnitOfWork, principal: Principal, foster_home_request_id: UUID
) -> Page[ChildConversationOut]:
    request = await get_visible(uow, principal, foster_home_request_id, purpose="talks")
    conversations = await ChildConversationRepository(uow).list_of(request.id)
    return Page[ChildConversationOut](
        items=[ChildConversationOut.model_validate(c) for c in conversations]
    )


# candidates and proposals ------------------------------------------------------------------


async def list_candidates(
    uow: UnitOfWork, principal: Principal, foster_home_request_id: UUID, page: OffsetPageRequest
) -> CandidateList:
    """Approved, trained, available homes with a free place: the child's own region first,
    then by how many of the recorded needs they meet."""
    request = await get_visible(uow, principal, foster_home_request_id, purpose="candidates")
    rows = await PlaceRepository(uow).list_candidates(
        request, clock.today_in_oslo(), limit=page.limit + 1, offset=page.offset
    )
    candidates = [_candidate(row, request) for row in rows[: page.limit]]
    return CandidateList(
        foster_home_request_id=request.id,
        items=candidates,
        next_cursor=page.next_cursor(len(rows)),
    )


def _label(need: str) -> str:
    return need.replace("_", " ")


def _candidate(row: dict[str, Any], request: FosterHomeRequest) -> Candidate:
    met = [Need(need) for need in row["needs_met"]]
    missed = [Need(need) for need in request.needs if need not in row["needs_met"]]
    own = row["region"] == request.region
    where = f"Own region ({row['region']})" if own else f"Another region ({row['region']})"
    kind = str(row["kind"]).replace("_", " ")
    free = row["free_places"]
    reason = (
        f"{where}; approved {kind} home trained in {row['training_programme']}, "
        f"{free} free place{'s' if free != 1 else ''}"
    )
    if request.needs:
        reason += f"; meets {len(met)} of {len(request.needs)} needs"
        if met:
            reason += f" ({', '.join(_label(n) for n in met)})"
        if missed:
            reason += f"; not {', '.join(_label(n) for n in missed)}"
    if row["kind"] == FosterHomeKind.kinship:
        reason += "; recruited in this child's own network"
    return Candidate(
        foster_home_id=row["id"],
        region=row["region"],
        municipality_number=row["municipality_number"],
        kind=row["kind"],
        own_region=own,
        needs_met=met,
        needs_missed=missed,
        free_places=free,
        reason=reason + ".",
    )


async def create_proposal(
    uow: UnitOfWork, principal: Principal, foster_home_request_id: UUID, data: ProposalIn
) -> ProposalOut:
    ensure_agency(principal, "propose foster homes")
    # The home's row is locked until commit: two proposals for its last place are made one
    # after the other, and the second sees the first. Locked before the request, as every
    # writer that locks both does (a home's withdrawal declines its requests' proposals).
    home = await FosterHomeRepository(uow).get(data.foster_home_id, for_update=True)
    request = await get_visible(
        uow,
        principal,
        foster_home_request_id,
        action="update",
        purpose="proposal",
        for_update=True,
    )
    if request.status is FosterHomeRequestStatus.proposed:
        raise Conflict(
            "A proposal on this request is awaiting a decision or was accepted; decide on it "
            "or place the child first."
        )
    _still_waiting(request, "no home can be proposed")
    ensure_not_in_future("proposed_at", data.proposed_at)
    if data.proposed_at < request.requested_at:
        raise InvalidInput("proposed_at", "must not be before the request was made")
    if home is None:
        raise InvalidInput("foster_home_id", f"no foster home {data.foster_home_id}")
    if home.stage is not Stage.approved:
        raise Conflict(
            f"The foster home is in stage {home.stage}; only approved homes are proposed."
        )
    if home.paused_at is not None:
        raise Conflict("The foster home is paused; resume it before proposing it.")
    assert home.approved_at is not None
    if data.proposed_at < home.approved_at:
        raise InvalidInput("proposed_at", "must not be before the foster home was approved")
    if home.kind is FosterHomeKind.kinship:
        if home.kinship_request_id != request.id:
            raise Conflict("The kinship home was recruited for another child's request.")
        talked = await ChildConversationRepository(uow).get_alone_with_view_by(
            request.id, clock.oslo_date(data.proposed_at)
        )
        if talked is None:
            raise InvalidInput("foster_home_id", TALK_ALONE_FIRST)
    held = await PlaceRepository(uow).count_held(home.id, clock.today_in_oslo())
    if held >= home.places:
        raise Conflict(
            f"The foster home has no free place: its {home.places} "
            f"place{'s are' if home.places != 1 else ' is'} taken or proposed to another child."
        )
    proposal = ProposalRepository(uow).add(
        Proposal(
            id=new_id(),
            foster_home_request_id=request.id,
            foster_home_id=home.id,
            proposed_at=data.proposed_at,
            status=ProposalStatus.pending,
        )
    )
    _set_status(request, FosterHomeRequestStatus.proposed)
    uow.emit(
        PROPOSED,
        subject=request.id,
        data=FosterHomeProposed(
            **_facts(request),
            proposal_id=proposal.id,
            foster_home_id=home.id,
            home_region=home.region,
            home_kind=home.kind,
            proposed_at=data.proposed_at,
        ),
    )
    return ProposalOut.model_validate(proposal)


async def list_proposals(
    uow: UnitOfWork, principal: Principal, foster_home_request_id: UUID
) -> Page[ProposalOut]:
    request = await get_visible(uow, principal, foster_home_request_id, purpose="proposals")
    proposals = await ProposalRepository(uow).list_of(request.id)
    return Page[ProposalOut](items=[ProposalOut.model_validate(p) for p in proposals])


async def get_proposal(
    uow: UnitOfWork, principal: Principal, foster_home_request_id: UUID, proposal_id: UUID
) -> ProposalOut:
    request = await get_visible(uow, principal, foster_home_request_id, purpose="proposal")
    proposal = await ProposalRepository(uow).get_of(request.id, proposal_id)
    if proposal is None:
        _missing(uow, "proposal", request.id, proposal_id)
    return ProposalOut.model_validate(proposal)


async def decide_proposal(
    uow: UnitOfWork,
    principal: Principal,
    foster_home_request_id: UUID,
    proposal_id: UUID,
    data: DecisionIn,
) -> ProposalOut:
    request = await get_visible(
        uow,
        principal,
        foster_home_request_id,
        action="update",
        purpose=f"proposal {data.decision}",
        for_update=True,
    )
    proposal = await ProposalRepository(uow).get_of(request.id, proposal_id, for_update=True)
    if proposal is None:
        _missing(uow, "proposal", request.id, proposal_id)
    if proposal.status is not ProposalStatus.pending:
        raise Conflict(f"The proposal was already {proposal.status}.")
    if data.decided_at < proposal.proposed_at:
        raise InvalidInput("decided_at", "must not be before the proposal was made")
    ensure_not_in_future("decided_at", data.decided_at)
    if data.decision is Decision.declined and data.reason is None:
        raise InvalidInput("reason", "is required when a proposal is declined")
    if data.decision is Decision.accepted and data.reason is not None:
        raise InvalidInput("reason", "is only given when a proposal is declined")
    proposal.note = data.note
    if data.decision is Decision.declined:
        assert data.reason is not None
        _decline(uow, request, proposal, data.reason, data.decided_at)
        return ProposalOut.model_validate(proposal)
    proposal.status = ProposalStatus.accepted
    proposal.decided_at = data.decided_at
    _touch(request)
    _decided(uow, request, proposal)
    return ProposalOut.model_validate(proposal)


async def release_proposals_of(uow: UnitOfWork, foster_home_id: UUID, at: datetime) -> None:
    """A home that withdrew holds no place: its live proposals are declined (`home_withdrew`)
    and their children wait again, for that reason (the caller holds the home's lock)."""
    for proposal in await ProposalRepository(uow).list_live_of_home(foster_home_id):
        request = await FosterHomeRequestRepository(uow).get(
            proposal.foster_home_request_id, for_update=True
        )
        assert request is not None
        uow.audit("update", RESOURCE, request.id, "proposed home withdrew")
        _decline(uow, request, proposal, DeclineReason.home_withdrew, max(at, proposal.proposed_at))


def _decline(
    uow: UnitOfWork,
    request: FosterHomeRequest,
    proposal: Proposal,
    reason: DeclineReason,
    decided_at: datetime,
) -> None:
    """The proposal declined: the request is open again, and why the child still waits
    follows from why."""
    proposal.status = ProposalStatus.declined
    proposal.decided_at = decided_at
    proposal.decline_reason = reason
    _set_status(request, FosterHomeRequestStatus.open)
    waiting, from_date = WAITING_REASON_OF_DECLINE[reason], clock.oslo_date(decided_at)
    WaitingReasonRepository(uow).add(
        WaitingReasonEntry(
            id=new_id(), foster_home_request_id=request.id, reason=waiting, from_date=from_date
        )
    )
    _decided(uow, request, proposal)
    _reason_recorded(uow, request, waiting, from_date)


def _decided(uow: UnitOfWork, request: FosterHomeRequest, proposal: Proposal) -> None:
    assert proposal.decided_at is not None
    uow.emit(
        PROPOSAL_DECIDED,
        subject=request.id,
        data=ProposalDecided(
            **_facts(request),
            proposal_id=proposal.id,
            foster_home_id=proposal.foster_home_id,
            decision=Decision(proposal.status.value),
            decline_reason=proposal.decline_reason,
            decided_at=proposal.decided_at,
        ),
    )


# breaches and withdrawal -------------------------------------------------------------------


async def create_breach_confirmation(
    uow: UnitOfWork, principal: Principal, foster_home_request_id: UUID, data: BreachConfirmationIn
) -> BreachConfirmationOut:
    ensure_agency(principal, "confirm breaches")
    request = await get_visible(
        uow,
        principal,
        foster_home_request_id,
        action="update",
        purpose="breach confirmation",
        for_update=True,
    )
    if data.confirmed_at < request.requested_at:
        raise InvalidInput("confirmed_at", "must not be before the request was made")
    ensure_not_in_future("confirmed_at", data.confirmed_at)
    confirmation = BreachConfirmationRepository(uow).add(
        BreachConfirmation(
            id=new_id(),
            foster_home_request_id=request.id,
            source=data.source,
            confirmed_at=data.confirmed_at,
        )
    )
    uow.emit(
        BREACH_CONFIRMED,
        subject=request.id,
        data=FosterHomeRequestBreachConfirmed(
            **_facts(request),
            child_key=request.child_key,
            source=data.source,
            confirmed_at=data.confirmed_at,
        ),
    )
    return BreachConfirmationOut.model_validate(confirmation)


async def withdraw_foster_home_request(
    uow: UnitOfWork,
    principal: Principal,
    vault: NationalIdVault,
    foster_home_request_id: UUID,
    data: WithdrawIn,
) -> FosterHomeRequestOut:
    request = await get_visible(
        uow,
        principal,
        foster_home_request_id,
        action="update",
        purpose="withdraw",
        for_update=True,
    )
    _still_waiting(request, "it cannot be withdrawn")
    live = await ProposalRepository(uow).get_live_of(request.id)
    if live is not None and live.status is ProposalStatus.pending:
        raise Conflict("A proposal awaits a decision; decide on it before withdrawing.")
    if data.withdrawn_at < request.requested_at:
        raise InvalidInput("withdrawn_at", "must not be before the request was made")
    ensure_not_in_future("withdrawn_at", data.withdrawn_at)
    request.withdrawn_at = data.withdrawn_at
    request.withdrawn_on = clock.oslo_date(data.withdrawn_at)
    request.withdrawal_reason = data.reason
    _set_status(request, FosterHomeRequestStatus.withdrawn)
    uow.emit(
        WITHDRAWN,
        subject=request.id,
        data=FosterHomeRequestWithdrawn(
            **_facts(request), withdrawn_at=data.withdrawn_at, reason=data.reason
        ),
    )
    return await _answer(uow, vault, request)


# the waiting list --------------------------------------------------------------------------


async def list_waiting(
    uow: UnitOfWork,
    principal: Principal,
    page: OffsetPageRequest,
    *,
    as_of: date | None,
    region: Region | None,
    municipality_number: str | None,
) -> WaitingList:
    """Every child whose desired start date had passed and who was not placed (nor the
    request withdrawn) as of the end of `as_of`, longest waiting first."""
    today = clock.today_in_oslo()
    as_of = as_of or today
    if as_of > today:
        raise InvalidInput("as_of", "must not be in the future: the list is what was known")
    region, municipality_number = scope_list(
        uow, principal, region, municipality_number, resource_type=RESOURCE, what="requests"
    )
    rows = await WaitingListRepository(uow).list(
        as_of,
        region=region,
        municipality_number=municipality_number,
        limit=page.limit + 1,
        offset=page.offset,
    )
    items = [
        WaitingChild(
            request_id=row["id"],
            region=row["region"],
            municipality_number=row["municipality_number"],
            desired_start_date=row["desired_start_date"],
            days_waiting=row["days_waiting"],
            more_than_six_weeks=row["days_waiting"] > SIX_WEEKS.days,
            waiting_reason=row["waiting_reason"],
            age_years=row["age_years"],
        )
        for row in rows[: page.limit]
    ]
    uow.audit("list", RESOURCE, purpose="waiting list", listed=[i.request_id for i in items])
    return WaitingList(as_of=as_of, items=items, next_cursor=page.next_cursor(len(rows)))


def _set_status(request: FosterHomeRequest, status: FosterHomeRequestStatus) -> None:
    request.status = status
    _touch(request)


def _touch(request: FosterHomeRequest) -> None:
    request.version += 1
    request.updated_at = clock.now()
