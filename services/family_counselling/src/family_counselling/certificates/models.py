from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Date, DateTime, ForeignKey, Index, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from common import clock
from common.db import CONFLICT
from family_counselling.db import Base


class MediationCertificate(Base):
    __tablename__ = "mediation_certificate"
    __table_args__ = (
        Index(
            "uq_mediation_certificate_case",
            "case_id",
            unique=True,
            info={CONFLICT: "A certificate was issued for this case already."},
        ),
    )

    number: Mapped[str] = mapped_column(Text, primary_key=True, comment="Random: not guessable.")
    case_id: Mapped[UUID] = mapped_column(ForeignKey("counselling_case.id"))
    issued_on: Mapped[date] = mapped_column(Date)
    first_mediation_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
