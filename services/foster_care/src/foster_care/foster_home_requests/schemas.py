from __future__ import annotations

import datetime
from datetime import date
from uuid import UUID

from pydantic import ConfigDict, Field, field_validator

from common.pii import NationalId
from common.reference import MunicipalityNumber, Region
from common.schemas import BirthDate, ChildRef, Day, Input, Instant, Output, Text
from foster_care.codes import (
    BreachSource,
    ConversationMethod,
    Decision,
    DeclineReason,
    FosterHomeKind,
    FosterHomeRequestStatus,
    Need,
    ProposalStatus,
    RequestWithdrawalReason,
    WaitingReason,
)
from foster_care.foster_homes.schemas import distinct_needs


class FosterHomeRequestIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "municipality_number": "4601",
                    "child_ref": "bergen-2024-0211",
                    "birth_date": "2014-09-12",
                    "desired_start_date": "2024-05-01",
                    "requested_at": "2024-03-15T10:00:00+01:00",
                    "needs": ["siblings_together", "close_to_school"],
                    "child_wishes_recorded": True,
                    "child_wishes_recorded_on": "2024-03-10",
                    "kinship_assessed": True,
                }
            ]
        },
    )

    municipality_number: MunicipalityNumber
    region: Region | None = Field(
        None, description="Follows from the municipality; if given it must agree with it."
    )
    child_ref: ChildRef
    birth_date: BirthDate
    national_id: NationalId | None = None
    desired_start_date: Day = Field(description="The child waits from this date (S 1.5.1).")
    requested_at: Instant
    needs: list[Need] = Field(default_factory=list, max_length=len(Need))
    child_wishes_recorded: bool = Field(description="The child's own wishes were recorded.")
    child_wishes_recorded_on: Day | None = Field(
        None, description="When; required when the wishes were recorded."
    )
    kinship_assessed: bool = Field(
        description="The municipality assessed family and close network first (must be true)."
    )

    _distinct = field_validator("needs")(distinct_needs)


class BreachConfirmationOut(Output):
    model_config = ConfigDict(from_attributes=True)

    source: BreachSource
    confirmed_at: Instant


class FosterHomeRequestOut(Output):
    id: UUID
    status: FosterHomeRequestStatus
    municipality_number: str
    region: Region
    child_ref: str
    birth_date: date
    age_years: int
    national_id_masked: str | None = Field(None, examples=["*********65"])
    desired_start_date: date
    requested_at: Instant
    needs: list[Need]
    child_wishes_recorded: bool
    child_wishes_recorded_on: date | None
    kinship_assessed: bool
    waiting_reason: WaitingReason | None = Field(
        description="Why the child is still waiting (null once placed or withdrawn)."
    )
    days_waiting: int | None = Field(
        description="Oslo calendar days since the desired start date, while not placed."
    )
    more_than_six_weeks: bool = Field(
        description="Past the desired start date by more than six weeks, and not placed."
    )
    placed_on: date | None
    withdrawn_at: Instant | None
    withdrawal_reason: RequestWithdrawalReason | None
    breach_confirmations: list[BreachConfirmationOut]
    created_at: Instant
    version: int = Field(description="Changes with every change; the ETag is this number.")


class WaitingReasonIn(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "no_suitable_home", "from_date": "2024-05-01"}]},
    )

    reason: WaitingReason
    from_date: Day


class WithdrawIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"withdrawn_at": "2024-06-01T10:00:00+02:00", "reason": "returned_home"}]
        },
    )

    withdrawn_at: Instant
    reason: RequestWithdrawalReason
    note: Text | None = Field(None, description="For the caseworker; never published.")


class FamilyGroupConferenceIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"offered_on": "2024-03-20", "held_on": None, "aims_to_recruit_home": True}
            ]
        },
    )

    offered_on: Day
    held_on: Day | None = None
    aims_to_recruit_home: bool = Field(
        description="Its aim is recruiting a foster home in the family's network (S 1.5.2)."
    )


class ConferenceHeldIn(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"held_on": "2024-04-02"}]})

    held_on: Day


class FamilyGroupConferenceOut(Output):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    foster_home_request_id: UUID
    offered_on: date
    held_on: date | None
    aims_to_recruit_home: bool
    version: int


class ChildConversationIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"held_on": "2024-03-12", "method": "in_person", "view_recorded": True}]
        },
    )

    held_on: Day = Field(description="The day the child was talked to alone.")
    method: ConversationMethod
    view_recorded: bool = Field(description="The child's own view was written down.")


class ChildConversationOut(Output):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    foster_home_request_id: UUID
    held_on: date
    method: ConversationMethod
    view_recorded: bool


class Candidate(Output):
    foster_home_id: UUID
    region: Region
    municipality_number: str
    kind: FosterHomeKind
    own_region: bool
    needs_met: list[Need]
    needs_missed: list[Need]
    free_places: int
    reason: str = Field(
        examples=[
            "Own region (vest); ordinary home trained in SOLID, 1 free place; meets 2 of 2 "
            "needs (siblings together, close to school)."
        ]
    )


class CandidateList(Output):
    foster_home_request_id: UUID
    items: list[Candidate] = Field(description="Own region first, then best fit.")
    next_cursor: str | None = None


class ProposalIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "foster_home_id": "0190a1a1-0000-7000-8000-000000000001",
                    "proposed_at": "2024-05-10T10:00:00+02:00",
                }
            ]
        },
    )

    foster_home_id: UUID
    proposed_at: Instant


class ProposalOut(Output):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    foster_home_request_id: UUID
    foster_home_id: UUID
    proposed_at: Instant
    status: ProposalStatus
    decided_at: Instant | None
    decline_reason: DeclineReason | None
    note: str | None


class DecisionIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"decision": "accepted", "decided_at": "2024-05-12T10:00:00+02:00"},
                {
                    "decision": "declined",
                    "reason": "municipality_declined",
                    "decided_at": "2024-05-12T10:00:00+02:00",
                },
            ]
        },
    )

    decision: Decision
    reason: DeclineReason | None = Field(None, description="Required when declined.")
    decided_at: Instant
    note: Text | None = Field(None, description="For the caseworker; never published.")


class BreachConfirmationIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"source": "county_governor", "confirmed_at": "2024-09-02T09:00:00+02:00"}]
        },
    )

    source: BreachSource
    confirmed_at: Instant


class NationalIdSearch(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"national_id": "15076500565"}]})

    national_id: NationalId


class WaitingChild(Output):
    request_id: UUID
    region: Region
    municipality_number: str
    desired_start_date: date
    days_waiting: int = Field(description="Oslo calendar days from the desired start date.")
    more_than_six_weeks: bool
    waiting_reason: WaitingReason
    age_years: int


class WaitingList(Output):
    as_of: datetime.date
    items: list[WaitingChild] = Field(description="Longest waiting first.")
    next_cursor: str | None = None


class WaitingReasonOut(Output):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    reason: WaitingReason
    from_date: date
