"""The read models fed by family_counselling's stream: one handler per event type the
family-counselling KPIs count, each adding the facts its event states (see
`projections.models`).

The gateway reads events with its own tolerant models (unknown fields ignored), checked
against family_counselling's published JSON Schemas by a contract test, so the services
share a contract, not code. Events no KPI counts (mediation slots, triage changes,
appointments scheduled, mediation certificates) have no handler: they are noted in the
inbox only.

A case waits once per episode: from the referral it was opened on, and again from the new
referral of each reopening. An appointment's outcome and a closing name their episode by
its `referral_received_at`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from common.clock import oslo_date
from common.events import CloudEvent
from common.projection import Fact, Projection, Reader
from reporting_gateway.projections.models import (
    FamilyCounsellingClosure,
    FamilyCounsellingEpisode,
    FamilyCounsellingOffice,
    FamilyCounsellingOutcome,
)
from reporting_gateway.projections.notes import noted

# Version 2: offices keep their name (the fv.* KPIs by office name their rows).
projection = Projection(
    "family_counselling", durable="reporting_gateway-family_counselling", version=2
)
TABLES = (
    FamilyCounsellingOffice,
    FamilyCounsellingEpisode,
    FamilyCounsellingOutcome,
    FamilyCounsellingClosure,
)
"""The read models fed by this stream (what a rebuild empties first)."""


class OfficeRegistered(Reader):
    office_id: UUID
    name: str
    region: str
    municipality_number: str
    ownership: str


class _CaseFacts(Reader):
    case_id: UUID
    office_id: UUID
    region: str
    municipality_number: str
    case_type: str
    referral_received_at: datetime


class CaseOpened(_CaseFacts):
    pass


class CaseReopened(_CaseFacts):
    reopened_at: datetime
    episode: int


class CaseClosed(_CaseFacts):
    closed_at: datetime
    track: str | None
    violence_registered: bool
    agreement_reached: bool | None
    child_heard: str | None
    concern_report_sent: bool
    has_child_over_7: bool


class AppointmentOutcomeRecorded(Reader):
    appointment_id: UUID
    case_id: UUID
    office_id: UUID
    region: str
    case_type: str
    kind: str
    scheduled_at: datetime
    outcome: str
    recorded_at: datetime
    referral_received_at: datetime
    first_attended: bool


@projection.on("family_counselling.office.registered.v1", OfficeRegistered)
def on_office_registered(data: OfficeRegistered, event: CloudEvent) -> list[Fact]:
    values = data.model_dump()
    values["id"] = values.pop("office_id")
    return [Fact(FamilyCounsellingOffice, values)]


def _on_episode(data: _CaseFacts, event: CloudEvent, episode: int) -> list[Fact]:
    values = data.model_dump(include=set(_CaseFacts.model_fields))
    values["episode"] = episode
    values["reopened_at"] = getattr(data, "reopened_at", None)
    values["referral_on"] = day = oslo_date(data.referral_received_at)
    # Opened on that day; waiting from it on.
    return noted(
        projection, FamilyCounsellingEpisode, values, event, region=data.region, days=(day, None)
    )


@projection.on("family_counselling.case.opened.v1", CaseOpened)
def on_case_opened(data: CaseOpened, event: CloudEvent) -> list[Fact]:
    return _on_episode(data, event, 1)


@projection.on("family_counselling.case.reopened.v1", CaseReopened)
def on_case_reopened(data: CaseReopened, event: CloudEvent) -> list[Fact]:
    return _on_episode(data, event, data.episode)


@projection.on("family_counselling.case.closed.v1", CaseClosed)
def on_case_closed(data: CaseClosed, event: CloudEvent) -> list[Fact]:
    values = data.model_dump()
    values["closed_on"] = day = oslo_date(data.closed_at)
    # Ended that day; an episode still waiting is no longer from it on.
    closure = FamilyCounsellingClosure
    return noted(projection, closure, values, event, region=data.region, days=(day, None))


@projection.on("family_counselling.appointment.outcome_recorded.v1", AppointmentOutcomeRecorded)
def on_outcome_recorded(data: AppointmentOutcomeRecorded, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(exclude={"recorded_at"})  # `recorded_at` is the event's time
    values["outcome_recorded_at"] = data.recorded_at
    values["scheduled_on"] = day = oslo_date(data.scheduled_at)
    # Counted on its day; a first attended session ends its episode's wait from then on.
    outcome = FamilyCounsellingOutcome
    return noted(projection, outcome, values, event, region=data.region, days=(day, None))
