"""Events of foster-home requests. They carry what the foster-care KPIs need (region,
municipality, dates, needs and reasons as codes, age in years) and a keyed `child_key` for
counting unique children; never the child_ref, a birth date, a national id or free text."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from common.events import EventData
from common.reference import Region
from foster_care.codes import (
    BreachSource,
    ConversationMethod,
    Decision,
    DeclineReason,
    FosterHomeKind,
    Need,
    RequestWithdrawalReason,
    WaitingReason,
)
from foster_care.events import registry


class _RequestFacts(EventData):
    foster_home_request_id: UUID
    region: Region
    municipality_number: str


class FosterHomeRequestReceived(_RequestFacts):
    child_key: str
    age_years: int
    desired_start_date: date
    requested_at: datetime
    needs: list[Need]
    child_wishes_recorded: bool
    kinship_assessed: bool


class WaitingReasonRecorded(_RequestFacts):
    reason: WaitingReason
    from_date: date


class FamilyGroupConferenceOffered(_RequestFacts):
    conference_id: UUID
    child_key: str
    offered_on: date
    aims_to_recruit_home: bool


class FamilyGroupConferenceHeld(FamilyGroupConferenceOffered):
    held_on: date


class ChildConversationRecorded(_RequestFacts):
    conversation_id: UUID
    held_on: date
    method: ConversationMethod
    view_recorded: bool


class FosterHomeProposed(_RequestFacts):
    proposal_id: UUID
    foster_home_id: UUID
    home_region: Region
    home_kind: FosterHomeKind
    proposed_at: datetime


class ProposalDecided(_RequestFacts):
    proposal_id: UUID
    foster_home_id: UUID
    decision: Decision
    decline_reason: DeclineReason | None
    decided_at: datetime


class FosterHomeRequestWithdrawn(_RequestFacts):
    withdrawn_at: datetime
    reason: RequestWithdrawalReason


class FosterHomeRequestBreachConfirmed(_RequestFacts):
    child_key: str
    source: BreachSource
    confirmed_at: datetime


RECEIVED = registry.register(
    "foster_care.foster_home_request.received.v1",
    FosterHomeRequestReceived,
    "A municipality asked for a foster home for a child, from a desired start date.",
)
WAITING_REASON_RECORDED = registry.register(
    "foster_care.foster_home_request.waiting_reason_recorded.v1",
    WaitingReasonRecorded,
    "Why the child is still waiting, from a date on.",
)
FAMILY_GROUP_CONFERENCE_OFFERED = registry.register(
    "foster_care.foster_home_request.family_group_conference_offered.v1",
    FamilyGroupConferenceOffered,
    "A family group conference (familieråd) was offered (S 1.5.2).",
)
FAMILY_GROUP_CONFERENCE_HELD = registry.register(
    "foster_care.foster_home_request.family_group_conference_held.v1",
    FamilyGroupConferenceHeld,
    "A family group conference was held, with whether it aimed at recruiting a home.",
)
CHILD_CONVERSATION_RECORDED = registry.register(
    "foster_care.foster_home_request.child_conversation_recorded.v1",
    ChildConversationRecorded,
    "The child was talked to alone and their view recorded (when and how; never what).",
)
PROPOSED = registry.register(
    "foster_care.foster_home_request.proposed.v1",
    FosterHomeProposed,
    "A foster home was proposed for the child.",
)
PROPOSAL_DECIDED = registry.register(
    "foster_care.foster_home_request.proposal_decided.v1",
    ProposalDecided,
    "A proposal was accepted, or declined with the reason's code.",
)
WITHDRAWN = registry.register(
    "foster_care.foster_home_request.withdrawn.v1",
    FosterHomeRequestWithdrawn,
    "The municipality withdrew the request (the child no longer waits).",
)
BREACH_CONFIRMED = registry.register(
    "foster_care.foster_home_request.breach_confirmed.v1",
    FosterHomeRequestBreachConfirmed,
    "A breach of the duty to assist was confirmed by the county governor or by Bufetat.",
)
