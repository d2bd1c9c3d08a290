"""The read models fed by foster_care's stream: one handler per event type the foster-care
KPIs count, each adding the facts its event states (see `projections.models`).

The gateway reads events with its own tolerant models (unknown fields ignored), checked
against foster_care's published JSON Schemas by a contract test, so the services share a
contract, not code. Events no KPI counts (waiting reasons, child conversations, proposals,
a home's availability) have no handler: they are noted in the inbox only."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from common.clock import oslo_date
from common.events import CloudEvent
from common.projection import Fact, Projection, Reader
from reporting_gateway.projections.models import (
    FosterCareBreachConfirmation,
    FosterCareConferenceVersion,
    FosterCareHome,
    FosterCareHomeStage,
    FosterCarePlacement,
    FosterCarePlacementEnd,
    FosterCareRequest,
    FosterCareRequestWithdrawal,
)
from reporting_gateway.projections.notes import noted

projection = Projection("foster_care", durable="reporting_gateway-foster_care", version=1)
TABLES = (
    FosterCareHome,
    FosterCareHomeStage,
    FosterCareRequest,
    FosterCareRequestWithdrawal,
    FosterCareConferenceVersion,
    FosterCareBreachConfirmation,
    FosterCarePlacement,
    FosterCarePlacementEnd,
)
"""The read models fed by this stream (what a rebuild empties first)."""


class _HomeFacts(Reader):
    foster_home_id: UUID
    region: str
    municipality_number: str
    kind: str
    recruitment_source: str


class FosterHomeRegistered(_HomeFacts):
    inquiry_at: datetime
    for_kinship: bool


class FosterHomeStageChanged(_HomeFacts):
    from_stage: str
    to_stage: str
    at: datetime
    training_programme: str | None
    withdrawal_reason: str | None


class _RequestFacts(Reader):
    foster_home_request_id: UUID
    region: str
    municipality_number: str


class FosterHomeRequestReceived(_RequestFacts):
    child_key: str
    age_years: int
    desired_start_date: date
    requested_at: datetime


class FamilyGroupConferenceOffered(_RequestFacts):
    conference_id: UUID
    child_key: str
    offered_on: date
    aims_to_recruit_home: bool


class FamilyGroupConferenceHeld(FamilyGroupConferenceOffered):
    held_on: date


class FosterHomeRequestWithdrawn(_RequestFacts):
    withdrawn_at: datetime
    reason: str


class FosterHomeRequestBreachConfirmed(_RequestFacts):
    child_key: str
    source: str
    confirmed_at: datetime


class _PlacementFacts(Reader):
    placement_id: UUID
    foster_home_request_id: UUID
    foster_home_id: UUID
    region: str
    municipality_number: str
    home_region: str
    home_municipality_number: str
    kind: str
    child_key: str
    start_date: date


class FosterPlacementStarted(_PlacementFacts):
    age_years: int
    far_from_home: bool
    desired_start_date: date
    placement_number: int


class FosterPlacementEnded(_PlacementFacts):
    end_date: date
    reason: str


@projection.on("foster_care.foster_home.registered.v1", FosterHomeRegistered)
def on_foster_home_registered(data: FosterHomeRegistered, event: CloudEvent) -> list[Fact]:
    values = data.model_dump()
    values["id"] = values.pop("foster_home_id")
    values["inquiry_on"] = day = oslo_date(data.inquiry_at)
    return noted(projection, FosterCareHome, values, event, region=data.region, days=(day, day))


@projection.on("foster_care.foster_home.stage_changed.v1", FosterHomeStageChanged)
def on_foster_home_stage_changed(data: FosterHomeStageChanged, event: CloudEvent) -> list[Fact]:
    values = data.model_dump()
    values["entered_on"] = day = oslo_date(data.at)
    return noted(
        projection, FosterCareHomeStage, values, event, region=data.region, days=(day, day)
    )


@projection.on("foster_care.foster_home_request.received.v1", FosterHomeRequestReceived)
def on_request_received(data: FosterHomeRequestReceived, event: CloudEvent) -> list[Fact]:
    values = data.model_dump()
    values["id"] = values.pop("foster_home_request_id")
    values["requested_on"] = requested_on = oslo_date(data.requested_at)
    # Received in the period of its request; waiting from the day after its desired start.
    days = (min(requested_on, data.desired_start_date), None)
    return noted(projection, FosterCareRequest, values, event, region=data.region, days=days)


def _on_conference(data: FamilyGroupConferenceOffered, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(exclude={"held_on"})
    values["held_on"] = held_on = getattr(data, "held_on", None)
    # Offered in its period; a held conference may make a later one no child's first.
    first = min(data.offered_on, held_on) if held_on else data.offered_on
    version = FosterCareConferenceVersion
    return noted(projection, version, values, event, region=data.region, days=(first, None))


projection.on(
    "foster_care.foster_home_request.family_group_conference_offered.v1",
    FamilyGroupConferenceOffered,
)(_on_conference)
projection.on(
    "foster_care.foster_home_request.family_group_conference_held.v1", FamilyGroupConferenceHeld
)(_on_conference)


@projection.on("foster_care.foster_home_request.withdrawn.v1", FosterHomeRequestWithdrawn)
def on_request_withdrawn(data: FosterHomeRequestWithdrawn, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(exclude={"region", "municipality_number"})
    values["withdrawn_on"] = day = oslo_date(data.withdrawn_at)
    withdrawal = FosterCareRequestWithdrawal
    return noted(projection, withdrawal, values, event, region=data.region, days=(day, None))


@projection.on(
    "foster_care.foster_home_request.breach_confirmed.v1", FosterHomeRequestBreachConfirmed
)
def on_breach_confirmed(data: FosterHomeRequestBreachConfirmed, event: CloudEvent) -> list[Fact]:
    values = data.model_dump()
    # The first confirmation decides the period: an earlier one moves it to an earlier day.
    days = (oslo_date(data.confirmed_at), None)
    confirmation = FosterCareBreachConfirmation
    return noted(projection, confirmation, values, event, region=data.region, days=days)


@projection.on("foster_care.foster_placement.started.v1", FosterPlacementStarted)
def on_placement_started(data: FosterPlacementStarted, event: CloudEvent) -> list[Fact]:
    values = data.model_dump()
    values["id"] = values.pop("placement_id")
    days = (data.start_date, None)  # started that day; the wait ends there
    return noted(projection, FosterCarePlacement, values, event, region=data.region, days=days)


@projection.on("foster_care.foster_placement.ended.v1", FosterPlacementEnded)
def on_placement_ended(data: FosterPlacementEnded, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(include={"placement_id", "end_date", "reason"})
    days = (data.end_date, None)
    return noted(projection, FosterCarePlacementEnd, values, event, region=data.region, days=days)
