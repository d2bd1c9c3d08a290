"""The gateway's read models, one projection per source stream."""

from common.projection import Projection
from reporting_gateway.projections import capacity

PROJECTIONS: tuple[Projection, ...] = (capacity.projection,)
