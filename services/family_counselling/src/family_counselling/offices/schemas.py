from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import ConfigDict, Field, StringConstraints

from common.reference import MunicipalityNumber, Region
from common.schemas import Input, Instant, Output
from family_counselling.codes import OfficeOwnership

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class OfficeIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Familievernkontoret i Bergen",
                    "municipality_number": "4601",
                    "ownership": "state",
                    "therapist_hours_per_week": 240,
                }
            ]
        },
    )

    name: Name
    municipality_number: MunicipalityNumber
    region: Region | None = Field(
        None, description="Follows from the municipality; if given it must agree with it."
    )
    ownership: OfficeOwnership
    therapist_hours_per_week: int = Field(
        ge=0, le=10_000, description="Opening capacity, so waiting can be read against it."
    )


class OfficeOut(Output):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    region: Region
    municipality_number: str
    ownership: OfficeOwnership
    therapist_hours_per_week: int
    created_at: Instant
    version: int = Field(description="Changes with every change; the ETag is this number.")


class SlotIn(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"starts_at": "2024-05-14T09:00:00+02:00"}]},
    )

    starts_at: Instant


class SlotOut(Output):
    id: UUID
    office_id: UUID
    starts_at: Instant
    booked: bool
