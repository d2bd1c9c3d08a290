"""Events of cases. They carry what the family-counselling KPIs need (office, region, case
type, reasons and tracks as codes, the children's ages in years, times); never a name, a
birth date or free text."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from common.events import EventData
from common.reference import Region
from family_counselling.codes import CaseType, ChildHeard, MediationReason, Track
from family_counselling.events import registry


class _CaseFacts(EventData):
    case_id: UUID
    office_id: UUID
    region: Region
    municipality_number: str
    case_type: CaseType


class _Triage(EventData):
    track: Track | None
    violence_between_adults: bool
    violence_towards_children: bool
    separate_mediation: bool
    one_parent_absent: bool


class CaseOpened(_CaseFacts, _Triage):
    mediation_reason: MediationReason | None
    children_ages: list[int]
    children_at_home: int
    referral_received_at: datetime


class CaseTriaged(_CaseFacts, _Triage):
    triaged_at: datetime


class CaseClosed(_CaseFacts):
    closed_at: datetime
    referral_received_at: datetime
    track: Track | None
    violence_registered: bool
    agreement_reached: bool | None
    child_heard: ChildHeard | None
    concern_report_sent: bool
    has_child_over_7: bool


class CaseReopened(_CaseFacts):
    reopened_at: datetime
    referral_received_at: datetime
    episode: int


CASE_OPENED = registry.register(
    "family_counselling.case.opened.v1",
    CaseOpened,
    "A case was opened on a referral (families come without one: when the office received "
    "the request).",
)
CASE_TRIAGED = registry.register(
    "family_counselling.case.triaged.v1",
    CaseTriaged,
    "A case's triage changed (conflict track, violence, separate mediation, a parent absent).",
)
CASE_CLOSED = registry.register(
    "family_counselling.case.closed.v1",
    CaseClosed,
    "A case was closed: final track, violence registered, agreement, child heard, concern.",
)
CASE_REOPENED = registry.register(
    "family_counselling.case.reopened.v1",
    CaseReopened,
    "A closed case was reopened on a new referral: its wait starts again.",
)
