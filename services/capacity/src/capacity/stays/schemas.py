from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import ConfigDict, Field

from capacity.codes import ContractType, EndReason, InstitutionFunction, Ownership
from capacity.institutions.schemas import NokAmount
from common.pii import NationalId
from common.reference import MunicipalityNumber, Region
from common.schemas import BirthDate, ChildRef, Day, Input, Instant, Output, Text


class StayIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "institution_id": "0190a1a1-0000-7000-8000-000000000001",
                    "child_ref": "bergen-2024-0117",
                    "municipality_number": "4601",
                    "birth_date": "2010-05-04",
                    "function": "acute",
                    "contract_type": "state",
                    "admitted_at": "2024-03-01T18:00:00+01:00",
                    "lives_alone": False,
                    "day_price_nok": "15200.00",
                }
            ]
        },
    )

    institution_id: UUID
    child_ref: ChildRef
    municipality_number: MunicipalityNumber
    birth_date: BirthDate
    function: InstitutionFunction
    contract_type: ContractType
    admitted_at: Instant
    lives_alone: bool
    day_price_nok: NokAmount
    placement_request_id: UUID | None = None
    national_id: NationalId | None = None


class DischargeIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "discharged_at": "2024-03-20T12:00:00+01:00",
                    "end_reason": "planned",
                }
            ]
        },
    )

    discharged_at: Instant
    end_reason: EndReason


class SingleChildDecisionIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decided_on": "2024-03-02",
                    "justification": "Needs one-to-one staffing while …",
                    "valid_until": "2024-09-01",
                    "next_review_on": "2024-04-02",
                }
            ]
        },
    )

    decided_on: Day
    justification: Text = Field(description="Why living alone serves the child (the resource).")
    valid_until: Day = Field(description="The time horizon of the decision.")
    next_review_on: Day


class SingleChildReviewIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reviewed_on": "2024-04-02",
                    "next_review_on": "2024-05-02",
                    "valid_until": "2024-09-01",
                }
            ]
        },
    )

    reviewed_on: Day
    next_review_on: Day
    valid_until: Day | None = None
    justification: Text | None = None


class SingleChildDecisionOut(Output):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    stay_id: UUID
    decided_on: date
    justification: str
    valid_until: date
    next_review_on: date
    last_reviewed_on: date | None
    review_overdue: bool = False
    valid: bool = False
    version: int = Field(description="Changes with every review; the ETag is this number.")


class StayFlags(Output):
    under_13_at_admission: bool
    acute_beyond_six_weeks: bool = Field(description="An acute stay longer than 42 days.")
    living_alone_beyond_six_weeks: bool
    living_alone_without_valid_decision: bool = Field(
        description="Living alone more than six weeks without a valid single-child decision."
    )
    single_child_review_overdue: bool


class StayOut(Output):
    id: UUID
    institution_id: UUID
    region: Region
    municipality_number: str
    placement_request_id: UUID | None
    child_ref: str
    birth_date: date
    national_id_masked: str | None
    function: InstitutionFunction
    contract_type: ContractType
    ownership: Ownership
    admitted_at: Instant
    age_at_admission: int
    lives_alone: bool
    day_price_nok: str
    discharged_at: Instant | None
    end_reason: EndReason | None
    days: int = Field(description="Calendar days so far (Oslo), the discharge day not counted.")
    flags: StayFlags
    single_child_decisions: list[SingleChildDecisionOut]
    version: int = Field(description="Changes with every change; the ETag is this number.")
