from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from common.events import CloudEvent, EventData, EventRegistry


class Thing(EventData):
    thing_id: uuid.UUID
    count: int


def test_registry_builds_cloudevents_and_exports_schemas():
    registry = EventRegistry("demo")
    happened = registry.register("demo.thing.happened.v1", Thing, "A thing happened.")
    data = Thing(thing_id=uuid.uuid4(), count=2)
    event = happened.build(subject=str(data.thing_id), data=data)
    assert event.specversion == "1.0"
    assert event.source == "/demo"
    assert event.id.version == 7  # UUIDv7: sortable by time
    assert CloudEvent.from_json(event.to_json()) == event
    assert happened.parse(event) == data
    schema = registry.json_schemas()["demo.thing.happened.v1"]
    assert schema["properties"]["type"] == {"const": "demo.thing.happened.v1", "type": "string"}
    assert set(schema["properties"]["data"]["required"]) == {"thing_id", "count"}


def test_payloads_refuse_unknown_fields():
    with pytest.raises(ValidationError):
        Thing(thing_id=uuid.uuid4(), count=1, name="Ola Nordmann")  # type: ignore[call-arg]


@pytest.mark.parametrize("bad", ["demo.thing", "other.thing.happened.v1", "demo.Thing.x.v1"])
def test_event_types_follow_the_subject_convention(bad):
    with pytest.raises(ValueError, match="must be"):
        EventRegistry("demo").register(bad, Thing, "x")
