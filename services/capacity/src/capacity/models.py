"""Every table of the capacity database (what Alembic compares migrations against)."""

from capacity.db import Base
from capacity.institutions.models import Institution, PlaceContract
from capacity.placement_requests.models import BreachConfirmation, Offer, PlacementRequest
from capacity.stays.models import SingleChildDecision, Stay

metadata = Base.metadata

__all__ = [
    "BreachConfirmation",
    "Institution",
    "Offer",
    "PlaceContract",
    "PlacementRequest",
    "SingleChildDecision",
    "Stay",
    "metadata",
]
