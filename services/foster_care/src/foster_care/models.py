"""Every table of the foster_care database (what Alembic compares migrations against)."""

from foster_care.db import Base

metadata = Base.metadata

__all__ = ["metadata"]
