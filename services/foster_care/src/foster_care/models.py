"""Every table of the foster_care database (what Alembic compares migrations against)."""

from foster_care.db import Base
from foster_care.foster_home_requests.models import (
    BreachConfirmation,
    ChildConversation,
    FamilyGroupConference,
    FosterHomeRequest,
    Proposal,
    WaitingReasonEntry,
)
from foster_care.foster_homes.models import FosterHome, StageTransition
from foster_care.placements.models import FosterPlacement

metadata = Base.metadata

__all__ = [
    "BreachConfirmation",
    "ChildConversation",
    "FamilyGroupConference",
    "FosterHome",
    "FosterHomeRequest",
    "FosterPlacement",
    "Proposal",
    "StageTransition",
    "WaitingReasonEntry",
    "metadata",
]
