"""Read models built from the services' events. Each row says which event last set it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from reporting_gateway.db import Base


class CapacityInstitution(Base):
    __tablename__ = "capacity_institution"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(Text, index=True)
    municipality_number: Mapped[str] = mapped_column(Text)
    ownership: Mapped[str] = mapped_column(Text)
    functions: Mapped[list[str]] = mapped_column(ARRAY(Text))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_event_id: Mapped[UUID]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
