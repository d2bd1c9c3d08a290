from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from common import clock
from common.db import enum_column
from common.reference import Region
from family_counselling.codes import OfficeOwnership
from family_counselling.db import Base


class Office(Base):
    __tablename__ = "office"
    __table_args__ = (CheckConstraint("therapist_hours_per_week >= 0", name="hours_not_negative"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    region: Mapped[Region] = mapped_column(enum_column(Region, "region"), index=True)
    municipality_number: Mapped[str] = mapped_column(Text)
    ownership: Mapped[OfficeOwnership] = mapped_column(
        enum_column(OfficeOwnership, "office_ownership")
    )
    therapist_hours_per_week: Mapped[int] = mapped_column(
        Integer, comment="Opening capacity: what waiting is read against."
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class MediationSlot(Base):
    """A time an office publishes for digital booking of mediation; booked by one case."""

    __tablename__ = "mediation_slot"
    __table_args__ = (
        Index(
            "ix_mediation_slot_free",
            "office_id",
            "starts_at",
            postgresql_where=text("booked_case_id IS NULL"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    office_id: Mapped[UUID] = mapped_column(ForeignKey("office.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    booked_case_id: Mapped[UUID | None] = mapped_column(ForeignKey("counselling_case.id"))
    booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
