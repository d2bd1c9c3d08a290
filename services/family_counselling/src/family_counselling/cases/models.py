from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from common import clock
from common.db import enum_column
from common.reference import Region
from family_counselling.codes import CaseStatus, CaseType, ChildHeard, MediationReason, Track
from family_counselling.db import Base


class Case(Base):
    """A family's case at an office. No names and no ids: the children by age and whether
    they live at home. The wait runs from `referral_received_at` (the current referral: a
    reopened case waits again) to `first_attended_at`."""

    __tablename__ = "counselling_case"
    __table_args__ = (
        # The work queue: an office's open cases still waiting for their first session.
        Index(
            "ix_counselling_case_queue",
            "office_id",
            "priority_group",
            text("severity DESC"),
            "referral_received_at",
            postgresql_where=text("status = 'open' AND first_attended_at IS NULL"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    office_id: Mapped[UUID] = mapped_column(ForeignKey("office.id"), index=True)
    region: Mapped[Region] = mapped_column(enum_column(Region, "region"), index=True)
    municipality_number: Mapped[str] = mapped_column(Text, comment="The office's.")
    case_type: Mapped[CaseType] = mapped_column(enum_column(CaseType, "case_type"))
    mediation_reason: Mapped[MediationReason | None] = mapped_column(
        enum_column(MediationReason, "mediation_reason")
    )
    children: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, comment="[{age, lives_at_home}]: ages in years only."
    )
    referral_received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    track: Mapped[Track | None] = mapped_column(enum_column(Track, "track"))
    violence_between_adults: Mapped[bool] = mapped_column(Boolean, default=False)
    violence_towards_children: Mapped[bool] = mapped_column(Boolean, default=False)
    separate_mediation: Mapped[bool] = mapped_column(Boolean, default=False)
    one_parent_absent: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_group: Mapped[int] = mapped_column(
        Integer, comment="1: mandatory mediation or children living at home; else 2."
    )
    severity: Mapped[int] = mapped_column(
        Integer, comment="Conflict track and violence: higher goes first within a group."
    )
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "case_status"), index=True)
    first_attended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_mediation_on: Mapped[date | None] = mapped_column(
        Date, comment="The first attended mediation session (the certificate runs from it)."
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    violence_registered: Mapped[bool | None] = mapped_column(Boolean)
    agreement_reached: Mapped[bool | None] = mapped_column(Boolean)
    child_heard: Mapped[ChildHeard | None] = mapped_column(enum_column(ChildHeard, "child_heard"))
    concern_report_sent: Mapped[bool | None] = mapped_column(Boolean)
    episode: Mapped[int] = mapped_column(
        Integer, default=1, server_default=text("1"), comment="1 + times reopened."
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
