from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from common import clock
from common.db import enum_column
from common.reference import Region
from foster_care.codes import (
    FosterHomeKind,
    PauseReason,
    RecruitmentSource,
    Stage,
    TrainingProgramme,
    WithdrawalReason,
)
from foster_care.db import Base


class FosterHome(Base):
    """A family recruited as a foster home, by stage. Holds no names or addresses: Bufetat's
    case system keeps who the family is; the platform keeps what matching and the figures
    need. A kinship home is recruited for one child's request (`kinship_request_id`)."""

    __tablename__ = "foster_home"
    __table_args__ = (
        CheckConstraint("places >= 0", name="places_not_negative"),
        CheckConstraint(
            "(kind = 'kinship') = (kinship_request_id IS NOT NULL)", name="kinship_has_request"
        ),
        Index(
            "ix_foster_home_matchable",
            "region",
            postgresql_where=text("stage = 'approved' AND paused_at IS NULL AND places > 0"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    region: Mapped[Region] = mapped_column(enum_column(Region, "region"), index=True)
    municipality_number: Mapped[str] = mapped_column(Text)
    kind: Mapped[FosterHomeKind] = mapped_column(enum_column(FosterHomeKind, "foster_home_kind"))
    recruitment_source: Mapped[RecruitmentSource] = mapped_column(
        enum_column(RecruitmentSource, "recruitment_source")
    )
    kinship_request_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("foster_home_request.id"), index=True
    )
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "stage"), index=True)
    inquiry_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    training_programme: Mapped[TrainingProgramme | None] = mapped_column(
        enum_column(TrainingProgramme, "training_programme")
    )
    training_completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawal_reason: Mapped[WithdrawalReason | None] = mapped_column(
        enum_column(WithdrawalReason, "withdrawal_reason")
    )
    places: Mapped[int] = mapped_column(
        Integer,
        default=0,
        server_default=text("0"),
        comment="Children it can take; 0 until approved.",
    )
    suited_for: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'"), comment="Needs it can meet."
    )
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pause_reason: Mapped[PauseReason | None] = mapped_column(
        enum_column(PauseReason, "pause_reason")
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class StageTransition(Base):
    """Every stage a home entered, when: the funnel counts them per period."""

    __tablename__ = "stage_transition"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    foster_home_id: Mapped[UUID] = mapped_column(ForeignKey("foster_home.id"), index=True)
    from_stage: Mapped[Stage | None] = mapped_column(enum_column(Stage, "from_stage"))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage, "stage"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    training_programme: Mapped[TrainingProgramme | None] = mapped_column(
        enum_column(TrainingProgramme, "training_programme")
    )
    reason: Mapped[WithdrawalReason | None] = mapped_column(
        enum_column(WithdrawalReason, "withdrawal_reason")
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
