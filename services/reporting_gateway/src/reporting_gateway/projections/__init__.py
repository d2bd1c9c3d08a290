"""The gateway's read models, one projection per source stream, each with its tables."""

from typing import Any

from common.projection import Projection
from reporting_gateway.projections import capacity, family_counselling, foster_care

PROJECTIONS: tuple[Projection, ...] = (
    capacity.projection,
    foster_care.projection,
    family_counselling.projection,
)
TABLES: dict[str, tuple[type[Any], ...]] = {
    capacity.projection.durable: capacity.TABLES,
    foster_care.projection.durable: foster_care.TABLES,
    family_counselling.projection.durable: family_counselling.TABLES,
}
