"""The read models fed by capacity's stream: one handler per event type, each adding the
facts its event states (see `projections.models`).

The gateway reads events with its own tolerant models (unknown fields ignored), checked
against capacity's published JSON Schemas by a contract test, so the services share a
contract, not code."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from common.clock import oslo_date
from common.events import CloudEvent
from common.projection import Fact, Projection, Reader
from reporting_gateway.projections.models import (
    CapacityBreach,
    CapacityBreachConfirmation,
    CapacityInstitution,
    CapacityOffer,
    CapacityOfferDecision,
    CapacityPlaceContractVersion,
    CapacityPlacementRequest,
    CapacityPlacementRequestClosure,
    CapacitySingleChildDecisionVersion,
    CapacityStay,
    CapacityStayDischarge,
)
from reporting_gateway.projections.notes import noted

projection = Projection("capacity", durable="reporting_gateway-capacity", version=2)
TABLES = (
    CapacityInstitution,
    CapacityPlaceContractVersion,
    CapacityPlacementRequest,
    CapacityOffer,
    CapacityOfferDecision,
    CapacityBreach,
    CapacityBreachConfirmation,
    CapacityPlacementRequestClosure,
    CapacityStay,
    CapacityStayDischarge,
    CapacitySingleChildDecisionVersion,
)
"""The read models fed by this stream (what a rebuild empties first)."""


class InstitutionRegistered(Reader):
    institution_id: UUID
    name: str
    region: str
    municipality_number: str
    ownership: str
    functions: list[str]


class PlaceContractChanged(Reader):
    contract_id: UUID
    change: str
    institution_id: UUID
    region: str
    ownership: str
    function: str
    contract_type: str
    budgeted_places: int
    valid_from: date
    valid_to: date | None
    day_price_nok: Decimal


class _RequestFacts(Reader):
    placement_request_id: UUID
    region: str


class PlacementRequestReceived(_RequestFacts):
    municipality_number: str
    urgency: str
    function: str
    child_key: str
    age_years: int
    need_concluded_at: datetime
    desired_start_date: date
    deadline_at: datetime | None
    duty_to_assist: bool


class PlacementRequestOffered(_RequestFacts):
    offer_id: UUID
    institution_id: UUID
    institution_region: str
    contract_type: str
    ownership: str
    rung: int
    justified: bool
    need_concluded_at: datetime
    offered_at: datetime


class PlacementRequestDecided(_RequestFacts):
    offer_id: UUID
    decision: str
    decided_at: datetime


class PlacementRequestBreached(_RequestFacts):
    deadline_at: datetime
    breached_at: datetime
    cause: str


class PlacementRequestBreachConfirmed(_RequestFacts):
    source: str
    confirmed_at: datetime


class PlacementRequestClosed(_RequestFacts):
    closed_at: datetime


class StayAdmitted(Reader):
    stay_id: UUID
    institution_id: UUID
    region: str
    municipality_number: str
    placement_request_id: UUID | None
    child_key: str
    age_years: int
    function: str
    contract_type: str
    ownership: str
    admitted_at: datetime
    admitted_on: date
    lives_alone: bool
    day_price_nok: Decimal


class StayDischarged(Reader):
    stay_id: UUID
    region: str
    discharged_at: datetime
    discharged_on: date
    end_reason: str


class SingleChildDecisionChanged(Reader):
    decision_id: UUID
    stay_id: UUID
    region: str
    decided_on: date
    valid_until: date
    next_review_on: date
    reviewed_on: date | None = None


@projection.on("capacity.institution.registered.v1", InstitutionRegistered)
def on_institution_registered(data: InstitutionRegistered, event: CloudEvent) -> list[Fact]:
    values = {
        "id": data.institution_id,
        "name": data.name,
        "region": data.region,
        "municipality_number": data.municipality_number,
        "ownership": data.ownership,
        "functions": data.functions,
    }
    return [Fact(CapacityInstitution, values)]


@projection.on("capacity.place_contract.changed.v1", PlaceContractChanged)
def on_place_contract_changed(data: PlaceContractChanged, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(exclude={"change"})
    # An update may move or shorten the days of the version it replaces: it bears on any.
    days = (data.valid_from, data.valid_to) if data.change == "created" else (None, None)
    version = CapacityPlaceContractVersion
    return noted(projection, version, values, event, region=data.region, days=days)


@projection.on("capacity.placement_request.received.v1", PlacementRequestReceived)
def on_placement_request_received(data: PlacementRequestReceived, event: CloudEvent) -> list[Fact]:
    values = data.model_dump()
    values["id"] = values.pop("placement_request_id")
    last = oslo_date(data.deadline_at) if data.deadline_at else None
    days = (oslo_date(data.need_concluded_at), last)
    return noted(projection, CapacityPlacementRequest, values, event, region=data.region, days=days)


@projection.on("capacity.placement_request.offered.v1", PlacementRequestOffered)
def on_placement_request_offered(data: PlacementRequestOffered, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(exclude={"region", "need_concluded_at"})
    values["id"] = values.pop("offer_id")
    days = (oslo_date(data.need_concluded_at), None)
    return noted(projection, CapacityOffer, values, event, region=data.region, days=days)


@projection.on("capacity.placement_request.decided.v1", PlacementRequestDecided)
def on_placement_request_decided(data: PlacementRequestDecided, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(exclude={"region"})
    return noted(projection, CapacityOfferDecision, values, event, region=data.region)


@projection.on("capacity.placement_request.breached.v1", PlacementRequestBreached)
def on_placement_request_breached(data: PlacementRequestBreached, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(exclude={"region"})
    day = oslo_date(data.deadline_at)
    return noted(projection, CapacityBreach, values, event, region=data.region, days=(day, day))


@projection.on("capacity.placement_request.breach_confirmed.v1", PlacementRequestBreachConfirmed)
def on_breach_confirmed(data: PlacementRequestBreachConfirmed, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(exclude={"region"})
    return noted(projection, CapacityBreachConfirmation, values, event, region=data.region)


@projection.on("capacity.placement_request.closed.v1", PlacementRequestClosed)
def on_placement_request_closed(data: PlacementRequestClosed, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(exclude={"region"})
    return noted(projection, CapacityPlacementRequestClosure, values, event, region=data.region)


@projection.on("capacity.stay.admitted.v1", StayAdmitted)
def on_stay_admitted(data: StayAdmitted, event: CloudEvent) -> list[Fact]:
    values = data.model_dump()
    values["id"] = values.pop("stay_id")
    days = (data.admitted_on, None)
    return noted(projection, CapacityStay, values, event, region=data.region, days=days)


@projection.on("capacity.stay.discharged.v1", StayDischarged)
def on_stay_discharged(data: StayDischarged, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(exclude={"region"})
    days = (data.discharged_on, None)  # the days it no longer counts, and its ending
    return noted(projection, CapacityStayDischarge, values, event, region=data.region, days=days)


def _on_single_child_decision(data: SingleChildDecisionChanged, event: CloudEvent) -> list[Fact]:
    values = data.model_dump(exclude={"region"})
    days = (data.decided_on, None)
    version = CapacitySingleChildDecisionVersion
    return noted(projection, version, values, event, region=data.region, days=days)


projection.on("capacity.single_child_decision.recorded.v1", SingleChildDecisionChanged)(
    _on_single_child_decision
)
projection.on("capacity.single_child_decision.reviewed.v1", SingleChildDecisionChanged)(
    _on_single_child_decision
)
