from __future__ import annotations

from uuid import UUID

from pydantic import ConfigDict

from common.schemas import Input, Instant, Output
from family_counselling.codes import AppointmentKind, Outcome


class AppointmentIn(Input):
    """An appointment ahead, or one already held with its outcome (a system recording what
    happened sends both at once; the outcome obeys the same rules as `…/outcome`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"scheduled_at": "2024-03-12T10:00:00+01:00", "kind": "mediation"},
                {
                    "scheduled_at": "2024-03-12T10:00:00+01:00",
                    "kind": "clinical",
                    "outcome": "attended",
                    "recorded_at": "2024-03-12T11:00:00+01:00",
                },
            ]
        },
    )

    scheduled_at: Instant
    kind: AppointmentKind
    outcome: Outcome | None = None
    recorded_at: Instant | None = None


class BookingIn(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"slot_id": "0190a1a1-0000-7000-8000-000000000003"}]},
    )

    slot_id: UUID


class OutcomeIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"outcome": "attended", "recorded_at": "2024-03-12T11:00:00+01:00"}]
        },
    )

    outcome: Outcome
    recorded_at: Instant


class AppointmentOut(Output):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    case_id: UUID
    office_id: UUID
    slot_id: UUID | None
    scheduled_at: Instant
    kind: AppointmentKind
    outcome: Outcome | None
    outcome_recorded_at: Instant | None
    version: int
