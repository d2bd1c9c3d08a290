"""Every table of the family_counselling database (what Alembic compares migrations against)."""

from family_counselling.db import Base

metadata = Base.metadata

__all__ = ["metadata"]
