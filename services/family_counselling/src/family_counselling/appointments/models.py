from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, Index, Integer, func, text
from sqlalchemy.orm import Mapped, mapped_column

from common import clock
from common.db import CONFLICT, enum_column
from family_counselling.codes import AppointmentKind, Outcome
from family_counselling.db import Base


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (
        # One appointment holds a slot; one rescheduled gives it back (see `record_outcome`).
        Index(
            "uq_appointment_slot",
            "slot_id",
            unique=True,
            postgresql_where=text(
                "slot_id IS NOT NULL AND (outcome IS NULL OR outcome IN ('attended', 'no_show'))"
            ),
            info={CONFLICT: "The slot was booked by another case."},
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    case_id: Mapped[UUID] = mapped_column(ForeignKey("counselling_case.id"), index=True)
    office_id: Mapped[UUID] = mapped_column(ForeignKey("office.id"))
    slot_id: Mapped[UUID | None] = mapped_column(ForeignKey("mediation_slot.id"))
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[AppointmentKind] = mapped_column(enum_column(AppointmentKind, "appointment_kind"))
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, "outcome"))
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
