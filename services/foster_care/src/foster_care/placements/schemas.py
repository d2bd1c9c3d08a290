from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import ConfigDict, Field

from common.reference import Region
from common.schemas import Day, Input, Instant, Output
from foster_care.codes import FosterHomeKind, PlacementEndReason


class PlacementIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "request_id": "0190a1a1-0000-7000-8000-000000000002",
                    "foster_home_id": "0190a1a1-0000-7000-8000-000000000001",
                    "start_date": "2024-06-01",
                }
            ]
        },
    )

    request_id: UUID = Field(description="The foster-home request, with a proposal accepted.")
    foster_home_id: UUID
    start_date: Day


class PlacementEndIn(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"end_date": "2025-01-31", "reason": "breakdown"}]},
    )

    end_date: Day
    reason: PlacementEndReason


class PlacementOut(Output):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    request_id: UUID = Field(validation_alias="foster_home_request_id")
    foster_home_id: UUID
    region: Region = Field(description="The placing municipality's region.")
    municipality_number: str
    home_region: Region
    home_municipality_number: str
    kind: FosterHomeKind
    kinship: bool
    emergency: bool
    far_from_home: bool
    age_years: int
    start_date: date
    end_date: date | None
    end_reason: PlacementEndReason | None
    created_at: Instant
    version: int = Field(description="Changes with every change; the ETag is this number.")
