from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from common import clock
from common.db import CONFLICT, enum_column
from common.reference import Region
from foster_care.codes import FosterHomeKind, PlacementEndReason
from foster_care.db import Base


class FosterPlacement(Base):
    """A child living in a foster home, from `start_date` up to, not including, `end_date`.
    `region`/`municipality_number` are the placing municipality's (the child's); the home's
    are beside them, so a placement far from home can be counted."""

    __tablename__ = "foster_placement"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        Index(
            "uq_foster_placement_request",
            "foster_home_request_id",
            unique=True,
            info={CONFLICT: "The request has been placed already."},
        ),
        Index(
            "ix_foster_placement_current",
            "foster_home_id",
            postgresql_where=text("end_date IS NULL"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    foster_home_request_id: Mapped[UUID] = mapped_column(ForeignKey("foster_home_request.id"))
    foster_home_id: Mapped[UUID] = mapped_column(ForeignKey("foster_home.id"), index=True)
    proposal_id: Mapped[UUID] = mapped_column(ForeignKey("proposal.id"))
    region: Mapped[Region] = mapped_column(enum_column(Region, "region"), index=True)
    municipality_number: Mapped[str] = mapped_column(Text, index=True)
    home_region: Mapped[Region] = mapped_column(enum_column(Region, "home_region"))
    home_municipality_number: Mapped[str] = mapped_column(Text)
    kind: Mapped[FosterHomeKind] = mapped_column(enum_column(FosterHomeKind, "foster_home_kind"))
    child_key: Mapped[str] = mapped_column(Text, index=True)
    age_years: Mapped[int] = mapped_column(Integer, comment="On the start date.")
    far_from_home: Mapped[bool] = mapped_column(
        Boolean, comment="The home lies outside the placing municipality's region."
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[PlacementEndReason | None] = mapped_column(
        enum_column(PlacementEndReason, "placement_end_reason")
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
