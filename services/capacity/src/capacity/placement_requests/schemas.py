from __future__ import annotations

import datetime
from datetime import date
from uuid import UUID

from pydantic import ConfigDict, Field

from capacity.codes import (
    BreachCause,
    BreachSource,
    ContractType,
    Decision,
    InstitutionFunction,
    OfferStatus,
    Ownership,
    PlacementRequestStatus,
    Urgency,
)
from common.pii import NationalId
from common.reference import MunicipalityNumber, Region
from common.schemas import BirthDate, ChildRef, Day, Input, Instant, Output, Text


class PlacementRequestIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "municipality_number": "4601",
                    "child_ref": "bergen-2024-0117",
                    "birth_date": "2010-05-04",
                    "urgency": "acute",
                    "function": "acute",
                    "need_concluded_at": "2024-03-01T10:00:00+01:00",
                    "desired_start_date": "2024-03-01",
                    "child_views_recorded": True,
                }
            ]
        },
    )

    municipality_number: MunicipalityNumber
    child_ref: ChildRef
    birth_date: BirthDate
    urgency: Urgency
    function: InstitutionFunction
    need_concluded_at: Instant
    desired_start_date: Day
    child_views_recorded: bool = Field(
        description="The child's views were collected and passed on (barnets synspunkter)."
    )
    national_id: NationalId | None = None


class BreachConfirmationOut(Output):
    model_config = ConfigDict(from_attributes=True)

    source: BreachSource
    confirmed_at: Instant


class PlacementRequestOut(Output):
    id: UUID
    status: PlacementRequestStatus
    deadline_at: Instant | None = Field(
        description="Acute: need concluded + 2 h. Planned: "
        "end of the desired start date, Oslo time. Null when "
        "the duty to assist does not apply (20 or older)."
    )
    duty_to_assist: bool
    municipality_number: str
    region: Region
    child_ref: str
    birth_date: date
    age_years: int
    national_id_masked: str | None = Field(None, examples=["*********65"])
    urgency: Urgency
    function: InstitutionFunction
    need_concluded_at: Instant
    desired_start_date: date
    child_views_recorded: bool
    breached_at: Instant | None
    breach_cause: BreachCause | None
    breach_confirmations: list[BreachConfirmationOut]
    closed_at: Instant | None
    created_at: Instant
    version: int = Field(description="Changes with every change; the ETag is this number.")


class Candidate(Output):
    institution_id: UUID
    institution_name: str
    region: Region
    function: InstitutionFunction
    contract_type: ContractType
    ownership: Ownership
    rung: int = Field(ge=1, le=5, description="The step of the priority order (1 is best).")
    free_places: int
    reason: str = Field(
        examples=["Step 1: state place in your own region (vest); 2 free on 2024-03-01."]
    )


class CandidateList(Output):
    placement_request_id: UUID
    date: datetime.date = Field(description="The day the place is needed (the desired start date).")
    items: list[Candidate] = Field(description="Best step first.")
    next_cursor: str | None = None


class OfferIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "institution_id": "0190a1a1-0000-7000-8000-000000000001",
                    "function": "acute",
                    "contract_type": "state",
                    "offered_at": "2024-03-01T11:10:00+01:00",
                }
            ]
        },
    )

    institution_id: UUID
    function: InstitutionFunction
    contract_type: ContractType
    offered_at: Instant
    justification: Text | None = Field(
        None,
        description="Why this place and not a better step's free place. Required when "
        "a better step of the priority order had a free place.",
    )


class OfferOut(Output):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    placement_request_id: UUID
    institution_id: UUID
    function: InstitutionFunction
    contract_type: ContractType
    ownership: Ownership
    rung: int
    best_available_rung: int | None
    justification: str | None
    offered_at: Instant
    within_deadline: bool
    status: OfferStatus
    decided_at: Instant | None
    decision_reason: str | None


class DecisionIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decision": "accepted",
                    "reason": "Meets the child's needs; close to school.",
                    "decided_at": "2024-03-01T12:00:00+01:00",
                }
            ]
        },
    )

    decision: Decision
    reason: Text | None = Field(None, description="Required when the offer is declined.")
    decided_at: Instant


class BreachConfirmationIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "county_governor",
                    "confirmed_at": "2024-04-02T09:00:00+02:00",
                }
            ]
        },
    )

    source: BreachSource
    confirmed_at: Instant


class CloseIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "closed_at": "2024-03-02T09:00:00+01:00",
                    "reason": "The municipality found a solution in the child's network.",
                }
            ]
        },
    )

    closed_at: Instant
    reason: Text


class NationalIdSearch(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"national_id": "15076500565"}]})

    national_id: NationalId
