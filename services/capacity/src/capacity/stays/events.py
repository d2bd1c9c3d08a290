"""Events of stays and single-child decisions: what the capacity KPIs count (days, ages,
functions, contract types, prices, end reasons) and a keyed `child_key`; nothing personal."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from capacity.codes import ContractType, EndReason, InstitutionFunction, Ownership
from capacity.events import registry
from common.events import EventData
from common.reference import Region


class StayAdmitted(EventData):
    stay_id: UUID
    institution_id: UUID
    region: Region
    municipality_number: str
    placement_request_id: UUID | None
    child_key: str
    age_years: int
    function: InstitutionFunction
    contract_type: ContractType
    ownership: Ownership
    admitted_at: datetime
    admitted_on: date
    lives_alone: bool
    day_price_nok: Decimal


class StayDischarged(EventData):
    stay_id: UUID
    institution_id: UUID
    region: Region
    municipality_number: str
    child_key: str
    function: InstitutionFunction
    contract_type: ContractType
    ownership: Ownership
    admitted_on: date
    discharged_at: datetime
    discharged_on: date
    days: int
    end_reason: EndReason


class SingleChildDecisionRecorded(EventData):
    decision_id: UUID
    stay_id: UUID
    region: Region
    child_key: str
    decided_on: date
    valid_until: date
    next_review_on: date
    reviewed_on: date | None


class SingleChildDecisionReviewed(EventData):
    decision_id: UUID
    stay_id: UUID
    region: Region
    child_key: str
    decided_on: date
    valid_until: date
    next_review_on: date
    reviewed_on: date


STAY_ADMITTED = registry.register(
    "capacity.stay.admitted.v1", StayAdmitted, "A child was admitted to an institution."
)
STAY_DISCHARGED = registry.register(
    "capacity.stay.discharged.v1", StayDischarged, "A stay ended, with its end reason."
)
SINGLE_CHILD_DECISION_RECORDED = registry.register(
    "capacity.single_child_decision.recorded.v1",
    SingleChildDecisionRecorded,
    "A single-child decision (enetiltak) was made.",
)
SINGLE_CHILD_DECISION_REVIEWED = registry.register(
    "capacity.single_child_decision.reviewed.v1",
    SingleChildDecisionReviewed,
    "A single-child decision was reviewed: its next review, perhaps its time horizon.",
)
