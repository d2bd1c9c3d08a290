"""The read models fed by capacity's stream: one handler per event type.

The gateway reads events with its own tolerant models (unknown fields ignored), checked
against capacity's published JSON Schemas by a contract test, so the services share a
contract, not code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from common.events import CloudEvent
from common.projection import Projection, Reader, upsert_newer
from common.uow import UnitOfWork
from reporting_gateway.projections.models import CapacityInstitution, CapacityPlaceContract

projection = Projection("capacity", durable="reporting_gateway-capacity")


class InstitutionRegistered(Reader):
    institution_id: UUID
    name: str
    region: str
    municipality_number: str
    ownership: str
    functions: list[str]


class PlaceContractChanged(Reader):
    contract_id: UUID
    institution_id: UUID
    region: str
    ownership: str
    function: str
    contract_type: str
    budgeted_places: int
    valid_from: date
    valid_to: date | None
    day_price_nok: Decimal


@projection.on("capacity.institution.registered.v1", InstitutionRegistered)
async def on_institution_registered(
    uow: UnitOfWork, data: InstitutionRegistered, event: CloudEvent, sequence: int
) -> None:
    values = {
        "id": data.institution_id,
        "name": data.name,
        "region": data.region,
        "municipality_number": data.municipality_number,
        "ownership": data.ownership,
        "functions": data.functions,
        "registered_at": event.time,
        "last_event_id": event.id,
    }
    await uow.session.execute(upsert_newer(CapacityInstitution, ["id"], values, sequence))


@projection.on("capacity.place_contract.changed.v1", PlaceContractChanged)
async def on_place_contract_changed(
    uow: UnitOfWork, data: PlaceContractChanged, event: CloudEvent, sequence: int
) -> None:
    values = {
        "id": data.contract_id,
        "institution_id": data.institution_id,
        "region": data.region,
        "ownership": data.ownership,
        "function": data.function,
        "contract_type": data.contract_type,
        "budgeted_places": data.budgeted_places,
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
        "day_price_nok": data.day_price_nok,
        "changed_at": event.time,
        "last_event_id": event.id,
    }
    await uow.session.execute(upsert_newer(CapacityPlaceContract, ["id"], values, sequence))
