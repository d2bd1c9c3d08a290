from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import ConfigDict, Field

from common.reference import Region
from common.schemas import Input, Instant, Output, Text
from family_counselling.codes import CaseStatus, CaseType, ChildHeard, MediationReason, Track


class ChildIn(Input):
    age: int = Field(ge=0, le=25, description="Age in years: no name, no birth date, no id.")
    lives_at_home: bool = True


class ChildOut(Output):
    age: int
    lives_at_home: bool


class CaseIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "office_id": "0190a1a1-0000-7000-8000-000000000001",
                    "case_type": "mediation",
                    "referral_received_at": "2024-03-04T09:30:00+01:00",
                    "children": [{"age": 6, "lives_at_home": True}, {"age": 9}],
                    "mediation_reason": "separation",
                    "track": "B",
                }
            ]
        },
    )

    office_id: UUID
    case_type: CaseType
    referral_received_at: Instant = Field(
        description="When the office received the request (families come without a referral)."
    )
    children: list[ChildIn] = Field(default_factory=list, max_length=20)
    mediation_reason: MediationReason | None = Field(
        None,
        description="Mediations only: mandatory before separation or a court case, or voluntary.",
    )
    track: Track | None = Field(None, description="Mediations only: the conflict track.")
    violence_between_adults: bool = False
    violence_towards_children: bool = False
    separate_mediation: bool = Field(False, description="The parents met apart.")
    one_parent_absent: bool = Field(False, description="One parent did not attend.")


class TriageChange(Input):
    """Change the triage (If-Match required); what is left out stays."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"track": "C!", "violence_towards_children": True}]},
    )

    track: Track | None = None
    violence_between_adults: bool | None = None
    violence_towards_children: bool | None = None
    separate_mediation: bool | None = None
    one_parent_absent: bool | None = None


class Priority(Output):
    group: int = Field(description="1: mandatory mediation or children living at home; else 2.")
    severity: int = Field(description="Conflict track and violence; higher first in a group.")
    reason: str = Field(
        examples=["Mandatory mediation (separation); high conflict (track C!); waiting 12 days."]
    )


class CaseOut(Output):
    id: UUID
    office_id: UUID
    region: Region
    case_type: CaseType
    mediation_reason: MediationReason | None
    children: list[ChildOut]
    referral_received_at: Instant
    track: Track | None
    violence_between_adults: bool
    violence_towards_children: bool
    separate_mediation: bool
    one_parent_absent: bool
    priority: Priority
    status: CaseStatus
    first_attended_at: Instant | None
    days_waiting: int | None = Field(
        description="Oslo calendar days from the referral to the first attended session, or "
        "to today while waiting."
    )
    closed_at: Instant | None
    violence_registered: bool | None
    agreement_reached: bool | None
    child_heard: ChildHeard | None
    concern_report_sent: bool | None
    episode: int = Field(description="1, and one more each time the case was reopened.")
    created_at: Instant
    version: int = Field(description="Changes with every change; the ETag is this number.")


class CloseIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "closed_at": "2024-06-01T12:00:00+02:00",
                    "track": "B",
                    "violence_registered": False,
                    "agreement_reached": True,
                    "child_heard": True,
                    "concern_report_sent": False,
                }
            ]
        },
    )

    closed_at: Instant
    track: Track | None = Field(None, description="Mediations: the final track (required).")
    violence_registered: bool
    agreement_reached: bool | None = Field(None, description="Mediations (required).")
    child_heard: bool | None = Field(
        None,
        description="Mediations with a child over 7 (required there); without one the case "
        "records not applicable, never heard.",
    )
    concern_report_sent: bool


class ReopenIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reopened_at": "2024-09-01T10:00:00+02:00",
                    "referral_received_at": "2024-09-01T09:00:00+02:00",
                    "reason": "The parents asked for more help after the summer.",
                }
            ]
        },
    )

    reopened_at: Instant
    referral_received_at: Instant = Field(description="The new referral: the wait starts again.")
    reason: Text


class QueueItem(Output):
    position: int
    case_id: UUID
    case_type: CaseType
    referral_received_at: Instant
    days_waiting: int
    priority: Priority


class WorkQueue(Output):
    office_id: UUID
    on: date = Field(description="The day (Oslo) days waiting are counted to.")
    items: list[QueueItem] = Field(description="First to be seen first.")
    next_cursor: str | None = None
