from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from capacity.codes import ContractType, EndReason, InstitutionFunction, Ownership
from capacity.db import Base
from common import clock
from common.db import CONFLICT, enum_column
from common.reference import Region


class Stay(Base):
    """A child's stay in an institution. `admitted_on`/`discharged_on` are the Oslo dates of
    the instants; a stay occupies a place on the days from admission up to, not including,
    the day of discharge."""

    __tablename__ = "stay"
    __table_args__ = (
        CheckConstraint(
            "discharged_at IS NULL OR discharged_at >= admitted_at",
            name="discharge_after_admission",
        ),
        Index("ix_stay_occupancy", "function", "institution_id", "contract_type", "admitted_on"),
        Index("ix_stay_open", "institution_id", postgresql_where=text("discharged_at IS NULL")),
        # A placement request is met by one stay: one admission, however often it is sent.
        Index(
            "uq_stay_placement_request_id",
            "placement_request_id",
            unique=True,
            postgresql_where=text("placement_request_id IS NOT NULL"),
            info={CONFLICT: "The placement request has been admitted already."},
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[UUID] = mapped_column(ForeignKey("institution.id"))
    region: Mapped[Region] = mapped_column(
        enum_column(Region, "region"), index=True, comment="The institution's region."
    )
    municipality_number: Mapped[str] = mapped_column(Text, index=True)
    placement_request_id: Mapped[UUID | None] = mapped_column(ForeignKey("placement_request.id"))
    child_ref: Mapped[str] = mapped_column(Text)
    child_key: Mapped[str] = mapped_column(Text)
    birth_date: Mapped[date] = mapped_column(Date)
    national_id_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    national_id_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    function: Mapped[InstitutionFunction] = mapped_column(
        enum_column(InstitutionFunction, "institution_function")
    )
    contract_type: Mapped[ContractType] = mapped_column(enum_column(ContractType, "contract_type"))
    ownership: Mapped[Ownership] = mapped_column(enum_column(Ownership, "ownership"))
    admitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    admitted_on: Mapped[date] = mapped_column(Date)
    age_at_admission: Mapped[int] = mapped_column(Integer)
    lives_alone: Mapped[bool] = mapped_column(Boolean)
    day_price_nok: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    discharged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    discharged_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[EndReason | None] = mapped_column(enum_column(EndReason, "end_reason"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class SingleChildDecision(Base):
    """Enetiltak: the documented decision that a child lives alone, with its justification,
    how long it is meant to last and when it must next be reviewed."""

    __tablename__ = "single_child_decision"
    __table_args__ = (
        CheckConstraint("valid_until >= decided_on", name="valid_after_decision"),
        # One decision is in force at a time; a new period is a review of the one in force.
        ExcludeConstraint(
            ("stay_id", "="),
            (text("daterange(decided_on, valid_until, '[]')"), "&&"),
            name="single_child_decision_no_overlap",
            using="gist",
            info={
                CONFLICT: "Another single-child decision for this stay is in force in an "
                "overlapping period; review that decision instead."
            },
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    stay_id: Mapped[UUID] = mapped_column(ForeignKey("stay.id"), index=True)
    decided_on: Mapped[date] = mapped_column(Date)
    justification: Mapped[str] = mapped_column(Text)
    valid_until: Mapped[date] = mapped_column(Date, comment="The time horizon.")
    next_review_on: Mapped[date] = mapped_column(Date)
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
