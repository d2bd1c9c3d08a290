"""The CloudEvents 1.0 envelope and the registry of event types with their JSON Schemas.

An event's `type` is also its NATS subject: `<service>.<aggregate>.<event>.v<major>`.
Payloads carry ids, codes, dates and coarse facts; never a name, a national identity
number or free text about a child (`EventData` forbids unknown fields so nothing slips in).
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field

from common.ids import new_id
from common.messaging import StreamSpec

_TYPE_PATTERN = re.compile(r"^[a-z_]+\.[a-z_]+\.[a-z_]+\.v[0-9]+$")


class EventData(BaseModel):
    """Base of every event payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)


D = TypeVar("D", bound=EventData)


class CloudEvent(BaseModel):
    """CloudEvents 1.0, structured JSON mode, with the `traceparent` extension."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: UUID
    source: str = Field(description="The producing service, e.g. `/capacity`.")
    type: str = Field(
        description="Also the NATS subject, e.g. `capacity.institution.registered.v1`."
    )
    subject: str | None = Field(None, description="The aggregate's id.")
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    traceparent: str | None = None
    data: dict[str, Any]

    def to_json(self) -> bytes:
        # Hand-built (the write path's hot spot); the envelope's JSON Schema is the contract.
        envelope: dict[str, Any] = {
            "specversion": self.specversion,
            "id": str(self.id),
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time,
            "datacontenttype": self.datacontenttype,
            "dataschema": self.dataschema,
            "traceparent": self.traceparent,
            "data": self.data,
        }
        return orjson.dumps({key: value for key, value in envelope.items() if value is not None})

    @classmethod
    def from_json(cls, raw: bytes) -> CloudEvent:
        return cls.model_validate_json(raw)


@dataclass(frozen=True)
class EventType(Generic[D]):
    type: str
    data_model: builtins.type[D]
    description: str

    @property
    def service(self) -> str:
        return self.type.split(".", 1)[0]

    def build(
        self, *, subject: str, data: D, time: datetime | None = None, traceparent: str | None = None
    ) -> CloudEvent:
        # The parts are ours and already valid: no second validation on the write path.
        return CloudEvent.model_construct(
            id=new_id(),
            source=f"/{self.service}",
            type=self.type,
            subject=subject,
            time=time or datetime.now(UTC),
            dataschema=f"/schemas/events/{self.type}.json",
            traceparent=traceparent,
            data=data.model_dump(mode="json"),
        )

    def parse(self, event: CloudEvent) -> D:
        return self.data_model.model_validate(event.data)

    def matches(self, event: CloudEvent) -> bool:
        """Whether `event` is of this type."""
        return event.type == self.type


class EventRegistry:
    """The event types one service produces, and the stream they go to."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.stream = StreamSpec.of_service(service)
        self._types: dict[str, EventType[Any]] = {}

    def register(self, type_: str, data_model: type[D], description: str) -> EventType[D]:
        if not _TYPE_PATTERN.match(type_) or not type_.startswith(self.service + "."):
            raise ValueError(f"event type {type_!r} must be {self.service}.<aggregate>.<event>.vN")
        if type_ in self._types:
            raise ValueError(f"event type {type_!r} registered twice")
        event_type = EventType(type_, data_model, description)
        self._types[type_] = event_type
        return event_type

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._types.values())

    def get(self, type_: str) -> EventType[Any] | None:
        return self._types.get(type_)

    def json_schemas(self) -> dict[str, dict[str, Any]]:
        """One JSON Schema per event type: the envelope with `data` as that type's payload."""
        envelope = CloudEvent.model_json_schema()
        schemas = {}
        for event_type in self._types.values():
            schema = dict(envelope)
            properties = dict(schema["properties"])
            properties["type"] = {"const": event_type.type, "type": "string"}
            data_schema = event_type.data_model.model_json_schema()
            # Pydantic's refs point at the root ("#/$defs/…"): the definitions go there.
            definitions = data_schema.pop("$defs", None)
            if definitions:
                schema["$defs"] = {**schema.get("$defs", {}), **definitions}
            properties["data"] = data_schema
            schema["properties"] = properties
            schema["title"] = event_type.type
            schema["description"] = event_type.description
            schema["$id"] = f"/schemas/events/{event_type.type}.json"
            schemas[event_type.type] = schema
        return schemas
