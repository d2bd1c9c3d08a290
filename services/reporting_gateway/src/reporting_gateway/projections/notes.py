"""A handler's facts come with a note of their event: the region and the days it bears on
(None: any), which a KPI's revisions count (`RecordedEvent`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from common.events import CloudEvent
from common.projection import Fact, Projection
from reporting_gateway.projections.models import RecordedEvent


def noted(
    projection: Projection,
    model: type[Any],
    values: dict[str, Any],
    event: CloudEvent,
    *,
    region: str | None,
    days: tuple[date | None, date | None] = (None, None),
) -> list[Fact]:
    """The fact, and the note of the event it comes from."""
    note = {
        "stream": projection.stream.name,
        "type": event.type,
        "region": region,
        "first_day": days[0],
        "last_day": days[1],
    }
    return [Fact(model, values), Fact(RecordedEvent, note)]
