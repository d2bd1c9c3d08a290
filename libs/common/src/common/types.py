"""Field types shared by the services' schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field, PlainSerializer

from common.clock import OSLO


def _oslo_iso(value: datetime) -> str:
    return value.astimezone(OSLO).isoformat()


Instant = Annotated[
    AwareDatetime,
    PlainSerializer(_oslo_iso, return_type=str, when_used="json"),
    Field(
        description="ISO 8601 with offset; answered in Oslo time.",
        examples=["2024-03-01T10:00:00+01:00"],
    ),
]
