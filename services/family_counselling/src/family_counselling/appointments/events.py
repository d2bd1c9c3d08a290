"""Events of appointments: when, what kind, the outcome, and whether it ended the case's
wait (its first attended session)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from common.events import EventData
from common.reference import Region
from family_counselling.codes import AppointmentKind, CaseType, Outcome
from family_counselling.events import registry


class _AppointmentFacts(EventData):
    appointment_id: UUID
    case_id: UUID
    office_id: UUID
    region: Region
    case_type: CaseType
    kind: AppointmentKind
    scheduled_at: datetime


class AppointmentScheduled(_AppointmentFacts):
    slot_id: UUID | None


class AppointmentOutcomeRecorded(_AppointmentFacts):
    outcome: Outcome
    recorded_at: datetime
    referral_received_at: datetime
    # The earliest attended session of the episode so far: a session whose outcome is
    # recorded late may come before one flagged earlier (readers take the earliest).
    first_attended: bool


APPOINTMENT_SCHEDULED = registry.register(
    "family_counselling.appointment.scheduled.v1",
    AppointmentScheduled,
    "An appointment was made (by the office, or a mediation slot booked).",
)
APPOINTMENT_OUTCOME_RECORDED = registry.register(
    "family_counselling.appointment.outcome_recorded.v1",
    AppointmentOutcomeRecorded,
    "An appointment's outcome: attended, no-show, or rescheduled by the client or the office.",
)
