"""Small helpers shared by the platform tests."""

from __future__ import annotations

import os
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import nats

from common.events import CloudEvent
from common.messaging import StreamSpec
from devstack.services import GATEWAY
from devstack.testing import fetch

MUNICIPALITIES = ["4601", "0301", "5001", "1103", "1804", "3301", "4204", "5501"]


def institution_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": f"Institusjon {random.randint(1, 10**6)}",
        "municipality_number": random.choice(MUNICIPALITIES),
        "ownership": "state",
        "functions": ["acute", "care"],
    }
    body.update(overrides)
    return body


def placement_request_body(**overrides: Any) -> dict[str, Any]:
    """A planned request from Kristiansand for a 15-year-old, needed today (Oslo time)."""
    need = datetime.now(UTC) - timedelta(minutes=10)
    body = {
        "municipality_number": "4204",
        "child_ref": f"ref-{random.randint(1, 10**9)}",
        "birth_date": "2011-05-04",
        "urgency": "planned",
        "function": "care",
        "need_concluded_at": need.isoformat(),
        "desired_start_date": need.astimezone(ZoneInfo("Europe/Oslo")).date().isoformat(),
        "child_views_recorded": True,
    }
    body.update(overrides)
    return body


def traceparent() -> tuple[str, str]:
    """A fresh W3C traceparent header and its trace id."""
    trace_id = os.urandom(16).hex()
    return f"00-{trace_id}-{os.urandom(8).hex()}-01", trace_id


def registered_event(**data_overrides) -> CloudEvent:
    institution_id = uuid.uuid4()
    data = {
        "institution_id": str(institution_id),
        "name": "Direkte",
        "region": "vest",
        "municipality_number": "4601",
        "ownership": "state",
        "functions": ["care"],
    }
    data.update(data_overrides)
    return CloudEvent(
        id=uuid.uuid4(),
        source="/capacity",
        type="capacity.institution.registered.v1",
        subject=str(institution_id),
        time=datetime.now(UTC),
        data=data,
    )


async def publish_raw(nats_url: str, subject: str, payload: bytes, msg_id: str) -> None:
    """Publish as a relay would (or as a misbehaving producer might)."""
    namespace = subject.split(".", 1)[0]
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        await js.add_stream(StreamSpec.of_service("capacity").namespaced(namespace).config())
        await js.publish(subject, payload, headers={"Nats-Msg-Id": msg_id})
    finally:
        await client.close()


async def institutions_in_gateway(environment) -> set[str]:
    rows = await fetch(await environment.database(GATEWAY), "SELECT id FROM capacity_institution")
    return {str(row["id"]) for row in rows}
