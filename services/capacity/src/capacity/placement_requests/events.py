"""Events of placement requests. They carry what the capacity KPIs need (region,
municipality, urgency, function, age in years, times, rungs) and a keyed `child_key` for
counting unique children; never the child_ref, a name, a national id or free text."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from capacity.codes import (
    BreachCause,
    BreachSource,
    ContractType,
    Decision,
    InstitutionFunction,
    Ownership,
    Urgency,
)
from capacity.events import registry
from common.events import EventData
from common.reference import Region


class _RequestFacts(EventData):
    placement_request_id: UUID
    region: Region
    municipality_number: str
    urgency: Urgency
    function: InstitutionFunction


class PlacementRequestReceived(_RequestFacts):
    child_key: str
    age_years: int
    need_concluded_at: datetime
    desired_start_date: date
    deadline_at: datetime | None
    duty_to_assist: bool
    child_views_recorded: bool


class PlacementRequestOffered(_RequestFacts):
    offer_id: UUID
    institution_id: UUID
    institution_region: Region
    contract_type: ContractType
    ownership: Ownership
    rung: int
    best_available_rung: int | None
    justified: bool
    need_concluded_at: datetime
    offered_at: datetime
    within_deadline: bool


class PlacementRequestDecided(_RequestFacts):
    offer_id: UUID
    decision: Decision
    decided_at: datetime


class PlacementRequestBreached(_RequestFacts):
    child_key: str
    deadline_at: datetime
    breached_at: datetime
    cause: BreachCause


class PlacementRequestBreachConfirmed(_RequestFacts):
    child_key: str
    source: BreachSource
    confirmed_at: datetime


class PlacementRequestClosed(_RequestFacts):
    closed_at: datetime


RECEIVED = registry.register(
    "capacity.placement_request.received.v1",
    PlacementRequestReceived,
    "A municipality asked for a place; with the deadline of the duty to assist.",
)
OFFERED = registry.register(
    "capacity.placement_request.offered.v1",
    PlacementRequestOffered,
    "Bufetat offered a place, at a step of the priority order.",
)
DECIDED = registry.register(
    "capacity.placement_request.decided.v1",
    PlacementRequestDecided,
    "The municipality accepted or declined an offer.",
)
BREACHED = registry.register(
    "capacity.placement_request.breached.v1",
    PlacementRequestBreached,
    "The deadline passed without an acceptable offer: a breach of the duty to assist.",
)
BREACH_CONFIRMED = registry.register(
    "capacity.placement_request.breach_confirmed.v1",
    PlacementRequestBreachConfirmed,
    "A breach was confirmed by the county governor or by Bufetat's own assessment.",
)
CLOSED = registry.register(
    "capacity.placement_request.closed.v1",
    PlacementRequestClosed,
    "The request was closed without a placement (withdrawn or resolved otherwise).",
)
