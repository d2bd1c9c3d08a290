from __future__ import annotations

from uuid import UUID

from pydantic import ConfigDict, Field, field_validator

from common.reference import MunicipalityNumber, Region
from common.schemas import Input, Instant, Output, Text
from foster_care.codes import (
    NEEDS_MET_BY_PLACE,
    FosterHomeKind,
    Need,
    PauseReason,
    RecruitmentSource,
    Stage,
    TrainingProgramme,
    WithdrawalReason,
)

MAX_PLACES = 10


def distinct_needs(needs: list[Need] | None) -> list[Need] | None:
    if needs is not None and len(set(needs)) != len(needs):
        raise ValueError("each need may be listed once")
    return needs


def _needs_a_home_meets(needs: list[Need] | None) -> list[Need] | None:
    by_place = sorted(set(needs or ()) & NEEDS_MET_BY_PLACE)
    if by_place:
        raise ValueError(
            f"{', '.join(by_place)} is met by where a home is (in the child's own "
            "municipality), not listed"
        )
    return distinct_needs(needs)


class FosterHomeIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region": "vest",
                    "municipality_number": "4601",
                    "kind": "ordinary",
                    "recruitment_source": "campaign",
                    "inquiry_at": "2024-02-01T12:00:00+01:00",
                }
            ]
        },
    )

    municipality_number: MunicipalityNumber
    region: Region | None = Field(
        None, description="Follows from the municipality; if given it must agree with it."
    )
    kind: FosterHomeKind
    recruitment_source: RecruitmentSource = RecruitmentSource.other
    inquiry_at: Instant
    kinship_request_id: UUID | None = Field(
        None,
        description="A kinship home is recruited for one child's request: required for "
        "`kinship`, not allowed for other kinds.",
    )
    suited_for: list[Need] = Field(
        default_factory=list, max_length=len(Need), description="Needs the home can meet."
    )

    _suited = field_validator("suited_for")(_needs_a_home_meets)


class FosterHomeChange(Input):
    """Correct an approved home's places or the needs it can meet (If-Match required)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"places": 2, "suited_for": ["siblings_together"]}]},
    )

    places: int | None = Field(None, ge=1, le=MAX_PLACES)
    suited_for: list[Need] | None = Field(None, max_length=len(Need))

    _suited = field_validator("suited_for")(_needs_a_home_meets)


class TransitionIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"to": "information_meeting", "at": "2024-02-10T18:00:00+01:00"},
                {
                    "to": "training",
                    "at": "2024-03-01T09:00:00+01:00",
                    "training_programme": "SOLID",
                },
                {"to": "approved", "at": "2024-06-01T10:00:00+02:00", "places": 1},
                {"to": "withdrawn", "at": "2024-04-01T10:00:00+02:00", "reason": "family_withdrew"},
            ]
        },
    )

    to: Stage
    at: Instant
    training_programme: TrainingProgramme | None = Field(
        None,
        description="The basic training (PRIDE or SOLID): with `training` or at the latest "
        "with `training_completed`.",
    )
    reason: WithdrawalReason | None = Field(None, description="Required with `withdrawn`.")
    note: Text | None = Field(None, description="For the caseworker; never published.")
    places: int | None = Field(
        None, ge=1, le=MAX_PLACES, description="With `approved`: how many children (default 1)."
    )


class PauseIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"at": "2024-07-01T09:00:00+02:00", "reason": "family_circumstances"}]
        },
    )

    at: Instant
    reason: PauseReason
    note: Text | None = None


class ResumeIn(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"at": "2024-08-15T09:00:00+02:00"}]})

    at: Instant


class TransitionOut(Output):
    model_config = ConfigDict(from_attributes=True)

    from_stage: Stage | None
    to_stage: Stage
    at: Instant
    training_programme: TrainingProgramme | None
    reason: WithdrawalReason | None
    note: str | None


class FosterHomeOut(Output):
    id: UUID
    region: Region
    municipality_number: str
    kind: FosterHomeKind
    recruitment_source: RecruitmentSource
    kinship_request_id: UUID | None
    status: Stage = Field(description="The stage the home is in.")
    allowed_next: list[Stage] = Field(description="The stages it may go to next.")
    inquiry_at: Instant
    training_programme: TrainingProgramme | None
    training_completed_at: Instant | None
    approved_at: Instant | None
    withdrawn_at: Instant | None
    withdrawal_reason: WithdrawalReason | None
    places: int
    suited_for: list[Need]
    available: bool = Field(description="Approved and not paused.")
    paused_at: Instant | None
    pause_reason: PauseReason | None
    transitions: list[TransitionOut]
    created_at: Instant
    version: int = Field(description="Changes with every change; the ETag is this number.")
