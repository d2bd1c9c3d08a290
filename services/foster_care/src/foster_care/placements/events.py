"""Events of foster placements: region and municipality of the placing municipality and of
the home (placed far from home), kind (kinship, emergency), dates, end reasons as codes, age
in years, and how many placements the child has had (moves)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from common.events import EventData
from common.reference import Region
from foster_care.codes import FosterHomeKind, PlacementEndReason
from foster_care.events import registry


class _PlacementFacts(EventData):
    placement_id: UUID
    foster_home_request_id: UUID
    foster_home_id: UUID
    region: Region
    municipality_number: str
    home_region: Region
    home_municipality_number: str
    kind: FosterHomeKind
    child_key: str
    start_date: date


class FosterPlacementStarted(_PlacementFacts):
    age_years: int
    far_from_home: bool
    desired_start_date: date
    placement_number: int


class FosterPlacementEnded(_PlacementFacts):
    end_date: date
    reason: PlacementEndReason


PLACEMENT_STARTED = registry.register(
    "foster_care.foster_placement.started.v1",
    FosterPlacementStarted,
    "A child moved into a foster home (the request is placed; the wait ends).",
)
PLACEMENT_ENDED = registry.register(
    "foster_care.foster_placement.ended.v1",
    FosterPlacementEnded,
    "A foster placement ended, with the reason's code (breakdown counts as brudd).",
)
