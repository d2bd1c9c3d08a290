"""Rules of cases: intake and triage, the derived priority (mandatory mediation and children
living at home first, then severity, then waiting time), closing and reopening. Answers in
the API's terms; never commits (the unit of work does) and never touches SQL (the
repositories do)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from common import clock
from common.access import check_access, scope_list
from common.auth import Principal
from common.errors import Conflict, Forbidden, InvalidInput, ensure_not_in_future
from common.etag import check_if_match
from common.ids import new_id
from common.pagination import OffsetPageRequest, Page, PageRequest
from common.reference import Region
from common.uow import UnitOfWork
from family_counselling.cases.events import (
    CASE_CLOSED,
    CASE_OPENED,
    CASE_REOPENED,
    CASE_TRIAGED,
    CaseClosed,
    CaseOpened,
    CaseReopened,
    CaseTriaged,
)
from family_counselling.cases.models import Case
from family_counselling.cases.repository import CaseRepository
from family_counselling.cases.schemas import (
    CaseIn,
    CaseOut,
    ChildOut,
    CloseIn,
    Priority,
    QueueItem,
    ReopenIn,
    TriageChange,
    WorkQueue,
)
from family_counselling.codes import (
    MANDATORY_MEDIATION,
    TRACK_SEVERITY,
    CaseStatus,
    CaseType,
    ChildHeard,
    Track,
)
from family_counselling.offices.service import get_visible as get_visible_office

RESOURCE = "case"
# A child who has turned seven is to be heard (barnelova § 31; "children over 7",
# DOMAIN.md): hearing a child is only meaningful from this age.
HEARD_FROM_AGE = 7
TRIAGE = (
    "track",
    "violence_between_adults",
    "violence_towards_children",
    "separate_mediation",
    "one_parent_absent",
)


def priority_of(case: Case) -> tuple[int, int]:
    """(group, severity): group 1 for mandatory mediation or children living at home (cases
    with children come first), else 2; severity from the conflict track (high-conflict
    mediation by severity, L1838-1840) and violence, towards the children weighing most."""
    children_at_home = any(child["lives_at_home"] for child in case.children)
    group = 1 if case.mediation_reason in MANDATORY_MEDIATION or children_at_home else 2
    severity = TRACK_SEVERITY[Track(case.track)] if case.track is not None else 0
    severity += 2 * case.violence_towards_children + case.violence_between_adults
    return group, severity


def _days_since_referral(case: Case, day: date) -> int:
    return (day - clock.oslo_date(case.referral_received_at)).days


def _days_waiting(case: Case, today: date) -> int | None:
    """To the first attended session, or to today while the case waits (Oslo days)."""
    if case.first_attended_at is not None:
        return _days_since_referral(case, clock.oslo_date(case.first_attended_at))
    if case.status is CaseStatus.closed:
        return None
    return _days_since_referral(case, today)


def _priority(case: Case, today: date) -> Priority:
    reasons = []
    if case.mediation_reason in MANDATORY_MEDIATION:
        reasons.append(f"mandatory mediation ({case.mediation_reason})")
    at_home = sum(1 for child in case.children if child["lives_at_home"])
    if at_home:
        reasons.append(f"{at_home} {'child' if at_home == 1 else 'children'} living at home")
    if not reasons:
        reasons.append("no child living at home and no mandatory mediation")
    severity = []
    if case.track is not None:
        severity.append(f"track {case.track}")
    if case.violence_towards_children:
        severity.append("violence towards the children")
    if case.violence_between_adults:
        severity.append("violence between the adults")
    waited = _days_waiting(case, today)
    text = "; ".join(reasons).capitalize()
    if severity:
        text += "; " + ", ".join(severity)
    if waited is not None and case.first_attended_at is None:
        text += f"; waiting {waited} day{'s' if waited != 1 else ''}"
    return Priority(group=case.priority_group, severity=case.severity, reason=text + ".")


def _view(case: Case, today: date) -> CaseOut:
    return CaseOut(
        id=case.id,
        office_id=case.office_id,
        region=case.region,
        case_type=case.case_type,
        mediation_reason=case.mediation_reason,
        children=[ChildOut(**child) for child in case.children],
        referral_received_at=case.referral_received_at,
        track=case.track,
        violence_between_adults=case.violence_between_adults,
        violence_towards_children=case.violence_towards_children,
        separate_mediation=case.separate_mediation,
        one_parent_absent=case.one_parent_absent,
        priority=_priority(case, today),
        status=case.status,
        first_attended_at=case.first_attended_at,
        days_waiting=_days_waiting(case, today),
        closed_at=case.closed_at,
        violence_registered=case.violence_registered,
        agreement_reached=case.agreement_reached,
        child_heard=case.child_heard,
        concern_report_sent=case.concern_report_sent,
        episode=case.episode,
        created_at=case.created_at,
        version=case.version,
    )


def facts(case: Case) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "office_id": case.office_id,
        "region": case.region,
        "municipality_number": case.municipality_number,
        "case_type": case.case_type,
    }


def _triage(case: Case) -> dict[str, Any]:
    return {name: getattr(case, name) for name in TRIAGE}


async def get_visible(
    uow: UnitOfWork,
    principal: Principal,
    case_id: UUID,
    *,
    action: str = "read",
    purpose: str | None = None,
    for_update: bool = False,
) -> Case:
    """The case, if the caller may see it (the access audited, granted or not)."""
    case = await CaseRepository(uow).get(case_id, for_update=for_update)
    return check_access(
        uow,
        principal,
        case,
        resource_type=RESOURCE,
        resource_id=case_id,
        action=action,
        purpose=purpose,
    )


def _check_triage(case_type: CaseType, track: Track | None) -> None:
    if track is not None and case_type is not CaseType.mediation:
        raise InvalidInput("track", "is set for mediations only")


async def create_case(uow: UnitOfWork, principal: Principal, data: CaseIn) -> CaseOut:
    office = await get_visible_office(uow, principal, data.office_id)
    ensure_not_in_future("referral_received_at", data.referral_received_at)
    if data.case_type is CaseType.mediation and data.mediation_reason is None:
        raise InvalidInput("mediation_reason", "is required for a mediation")
    if data.case_type is not CaseType.mediation and data.mediation_reason is not None:
        raise InvalidInput("mediation_reason", "is given for mediations only")
    _check_triage(data.case_type, data.track)
    case = Case(
        id=new_id(),
        office_id=office.id,
        region=office.region,
        municipality_number=office.municipality_number,
        case_type=data.case_type,
        mediation_reason=data.mediation_reason,
        children=[child.model_dump() for child in data.children],
        referral_received_at=data.referral_received_at,
        track=data.track,
        violence_between_adults=data.violence_between_adults,
        violence_towards_children=data.violence_towards_children,
        separate_mediation=data.separate_mediation,
        one_parent_absent=data.one_parent_absent,
        status=CaseStatus.open,
        episode=1,
    )
    case.priority_group, case.severity = priority_of(case)
    CaseRepository(uow).add(case)
    uow.audit("create", RESOURCE, case.id)
    uow.emit(
        CASE_OPENED,
        subject=case.id,
        data=CaseOpened(
            **facts(case),
            **_triage(case),
            mediation_reason=data.mediation_reason,
            children_ages=[child.age for child in data.children],
            children_at_home=sum(1 for child in data.children if child.lives_at_home),
            referral_received_at=data.referral_received_at,
        ),
    )
    return _view(case, clock.today_in_oslo())


async def get_case(uow: UnitOfWork, principal: Principal, case_id: UUID) -> CaseOut:
    return _view(await get_visible(uow, principal, case_id), clock.today_in_oslo())


async def list_cases(
    uow: UnitOfWork,
    principal: Principal,
    page: PageRequest,
    *,
    region: Region | None,
    office_id: UUID | None,
    case_type: CaseType | None,
    status: CaseStatus | None,
) -> Page[CaseOut]:
    region, _ = scope_list(uow, principal, region, None, resource_type=RESOURCE, what="cases")
    window = await CaseRepository(uow).list(
        page, region=region, office_id=office_id, case_type=case_type, status=status
    )
    uow.audit("list", RESOURCE, listed=[row.id for row in window.items])
    today = clock.today_in_oslo()
    return window.map(lambda case: _view(case, today))


async def change_triage(
    uow: UnitOfWork, principal: Principal, case_id: UUID, data: TriageChange, if_match: str
) -> CaseOut:
    case = await get_visible(
        uow, principal, case_id, action="update", purpose="triage", for_update=True
    )
    check_if_match(if_match, case.version)
    if case.status is CaseStatus.closed:
        raise Conflict("The case is closed; reopen it to change its triage.")
    changes = data.model_dump(exclude_unset=True)
    if "track" in changes:
        _check_triage(CaseType(case.case_type), data.track)
    for name, value in changes.items():
        if value is None and name != "track":
            raise InvalidInput(name, "must be true or false")
        setattr(case, name, value)
    case.priority_group, case.severity = priority_of(case)
    _touch(case)
    uow.emit(
        CASE_TRIAGED,
        subject=case.id,
        data=CaseTriaged(**facts(case), **_triage(case), triaged_at=clock.now()),
    )
    return _view(case, clock.today_in_oslo())


def has_child_over_7(case: Case) -> bool:
    return any(child["age"] >= HEARD_FROM_AGE for child in case.children)


async def close_case(
    uow: UnitOfWork, principal: Principal, case_id: UUID, data: CloseIn
) -> CaseOut:
    case = await get_visible(
        uow, principal, case_id, action="update", purpose="close", for_update=True
    )
    if case.status is CaseStatus.closed:
        raise Conflict("The case is closed already.")
    if data.closed_at < case.referral_received_at:
        raise InvalidInput("closed_at", "must not be before the referral was received")
    ensure_not_in_future("closed_at", data.closed_at)
    mediation = case.case_type is CaseType.mediation
    if mediation:
        if data.track is None:
            raise InvalidInput("track", "is required when a mediation is closed (the final track)")
        if data.agreement_reached is None:
            raise InvalidInput("agreement_reached", "is required when a mediation is closed")
        if has_child_over_7(case):
            if data.child_heard is None:
                raise InvalidInput("child_heard", "is required: the case has a child over 7")
            heard = ChildHeard.heard if data.child_heard else ChildHeard.not_heard
        elif data.child_heard:
            raise InvalidInput(
                "child_heard", "is only meaningful with a child over 7; none is in the case"
            )
        else:
            heard = ChildHeard.not_applicable
    else:
        for name in ("track", "agreement_reached", "child_heard"):
            if getattr(data, name) is not None:
                raise InvalidInput(name, "is recorded for mediations only")
        heard = None
    case.status = CaseStatus.closed
    case.closed_at = data.closed_at
    if mediation:
        case.track = data.track
        # The priority follows the triage it is derived from (a reopened case waits by it).
        case.priority_group, case.severity = priority_of(case)
    case.violence_registered = data.violence_registered
    case.agreement_reached = data.agreement_reached
    case.child_heard = heard
    case.concern_report_sent = data.concern_report_sent
    _touch(case)
    uow.emit(
        CASE_CLOSED,
        subject=case.id,
        data=CaseClosed(
            **facts(case),
            closed_at=data.closed_at,
            referral_received_at=case.referral_received_at,
            track=case.track,
            violence_registered=data.violence_registered,
            agreement_reached=data.agreement_reached,
            child_heard=heard,
            concern_report_sent=data.concern_report_sent,
            has_child_over_7=has_child_over_7(case),
        ),
    )
    return _view(case, clock.today_in_oslo())


async def reopen_case(
    uow: UnitOfWork, principal: Principal, case_id: UUID, data: ReopenIn
) -> CaseOut:
    case = await get_visible(
        uow, principal, case_id, action="update", purpose="reopen", for_update=True
    )
    if case.status is not CaseStatus.closed:
        raise Conflict("Only a closed case can be reopened.")
    assert case.closed_at is not None
    if data.referral_received_at < case.closed_at:
        raise InvalidInput("referral_received_at", "must not be before the case was closed")
    if data.reopened_at < data.referral_received_at:
        raise InvalidInput("reopened_at", "must not be before the new referral")
    ensure_not_in_future("reopened_at", data.reopened_at)
    case.status = CaseStatus.open
    case.referral_received_at = data.referral_received_at
    case.first_attended_at = None
    case.closed_at = None
    case.violence_registered = None
    case.agreement_reached = None
    case.child_heard = None
    case.concern_report_sent = None
    case.episode += 1
    _touch(case)
    uow.emit(
        CASE_REOPENED,
        subject=case.id,
        data=CaseReopened(
            **facts(case),
            reopened_at=data.reopened_at,
            referral_received_at=data.referral_received_at,
            episode=case.episode,
        ),
    )
    return _view(case, clock.today_in_oslo())


async def list_work_queue(
    uow: UnitOfWork, principal: Principal, office_id: UUID, page: OffsetPageRequest
) -> WorkQueue:
    """The office's cases still waiting for their first session, first to be seen first,
    each with the reason for its place."""
    try:
        office = await get_visible_office(uow, principal, office_id)
    except Forbidden:
        # Another region's cases asked for: audited as denied, like any list of cases.
        uow.audit("list", RESOURCE, None, "work queue", outcome="forbidden")
        raise
    cases = await CaseRepository(uow).list_queue(
        office.id, limit=page.limit + 1, offset=page.offset
    )
    today = clock.today_in_oslo()
    items = [
        QueueItem(
            position=page.offset + index + 1,
            case_id=case.id,
            case_type=case.case_type,
            referral_received_at=case.referral_received_at,
            days_waiting=_days_since_referral(case, today),
            priority=_priority(case, today),
        )
        for index, case in enumerate(cases[: page.limit])
    ]
    uow.audit("list", RESOURCE, purpose="work queue", listed=[item.case_id for item in items])
    return WorkQueue(
        office_id=office.id, on=today, items=items, next_cursor=page.next_cursor(len(cases))
    )


def _touch(case: Case) -> None:
    case.version += 1
    case.updated_at = clock.now()
