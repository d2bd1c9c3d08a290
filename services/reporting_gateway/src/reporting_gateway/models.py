"""Every table of the gateway database (what Alembic compares migrations against)."""

from reporting_gateway.db import Base
from reporting_gateway.projections.models import CapacityInstitution, CapacityPlaceContract

metadata = Base.metadata

__all__ = ["CapacityInstitution", "CapacityPlaceContract", "metadata"]
