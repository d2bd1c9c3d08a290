"""Applies capacity's events to the gateway's read models.

The gateway reads events with its own tolerant models (unknown fields ignored), checked
against capacity's published JSON Schemas by a contract test, so the services share a
contract, not code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from sqlalchemy.dialects.postgresql import insert

from common.consumer import Subscription
from common.events import CloudEvent
from common.messaging import STREAMS
from common.uow import UnitOfWork
from reporting_gateway.projections.models import CapacityInstitution


class _Reader(BaseModel):
    model_config = ConfigDict(extra="ignore")


class InstitutionRegistered(_Reader):
    institution_id: UUID
    name: str
    region: str
    municipality_number: str
    ownership: str
    functions: list[str]


async def on_institution_registered(uow: UnitOfWork, event: CloudEvent) -> None:
    data = InstitutionRegistered.model_validate(event.data)
    values = {
        "name": data.name,
        "region": data.region,
        "municipality_number": data.municipality_number,
        "ownership": data.ownership,
        "functions": data.functions,
        "registered_at": event.time,
        "last_event_id": event.id,
    }
    statement = insert(CapacityInstitution).values(id=data.institution_id, **values)
    await uow.session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=values))


HANDLERS: dict[str, Callable[[UnitOfWork, CloudEvent], Awaitable[None]]] = {
    "capacity.institution.registered.v1": on_institution_registered,
}


async def apply_capacity_event(uow: UnitOfWork, event: CloudEvent) -> None:
    handler = HANDLERS.get(event.type)
    if handler is not None:
        await handler(uow, event)


SUBSCRIPTION = Subscription(
    durable="reporting_gateway-capacity",
    stream=STREAMS["capacity"],
    filter_subject="capacity.>",
    handler=apply_capacity_event,
)
