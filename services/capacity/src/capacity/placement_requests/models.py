from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from capacity.codes import (
    BreachCause,
    BreachSource,
    ContractType,
    InstitutionFunction,
    OfferStatus,
    Ownership,
    PlacementRequestStatus,
    Urgency,
)
from capacity.db import Base
from common import clock
from common.db import CONFLICT, enum_column
from common.reference import Region


class PlacementRequest(Base):
    """A municipality's request for a place (bistand). `deadline_at` is null when the duty to
    assist does not apply (the youth is 20 or older on the desired start date)."""

    __tablename__ = "placement_request"
    __table_args__ = (
        Index(
            "ix_placement_request_open_deadline",
            "deadline_at",
            postgresql_where=text("status = 'open' AND deadline_at IS NOT NULL"),
        ),
        Index(
            "ix_placement_request_national_id_hash",
            "national_id_hash",
            postgresql_where=text("national_id_hash IS NOT NULL"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    municipality_number: Mapped[str] = mapped_column(Text, index=True)
    region: Mapped[Region] = mapped_column(enum_column(Region, "region"), index=True)
    child_ref: Mapped[str] = mapped_column(Text, comment="The municipality's pseudonym.")
    child_key: Mapped[str] = mapped_column(Text, comment="Keyed hash; the id events carry.")
    birth_date: Mapped[date] = mapped_column(Date)
    national_id_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    national_id_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, "urgency"))
    function: Mapped[InstitutionFunction] = mapped_column(
        enum_column(InstitutionFunction, "institution_function")
    )
    need_concluded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    desired_start_date: Mapped[date] = mapped_column(Date)
    child_views_recorded: Mapped[bool] = mapped_column(Boolean)
    age_years: Mapped[int] = mapped_column(Integer, comment="On the desired start date.")
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[PlacementRequestStatus] = mapped_column(
        enum_column(PlacementRequestStatus, "placement_request_status"), index=True
    )
    breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    breach_cause: Mapped[BreachCause | None] = mapped_column(
        enum_column(BreachCause, "breach_cause")
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class Offer(Base):
    __tablename__ = "offer"
    __table_args__ = (
        # At most one offer awaits the municipality's decision at a time.
        Index(
            "uq_offer_one_pending",
            "placement_request_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            info={CONFLICT: "An offer is already awaiting the municipality's decision."},
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    placement_request_id: Mapped[UUID] = mapped_column(
        ForeignKey("placement_request.id"), index=True
    )
    institution_id: Mapped[UUID] = mapped_column(ForeignKey("institution.id"))
    function: Mapped[InstitutionFunction] = mapped_column(
        enum_column(InstitutionFunction, "institution_function")
    )
    contract_type: Mapped[ContractType] = mapped_column(enum_column(ContractType, "contract_type"))
    ownership: Mapped[Ownership] = mapped_column(enum_column(Ownership, "ownership"))
    rung: Mapped[int] = mapped_column(Integer)
    best_available_rung: Mapped[int | None] = mapped_column(Integer)
    justification: Mapped[str | None] = mapped_column(Text)
    offered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    within_deadline: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[OfferStatus] = mapped_column(enum_column(OfferStatus, "offer_status"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class BreachConfirmation(Base):
    __tablename__ = "breach_confirmation"
    __table_args__ = (
        UniqueConstraint(
            "placement_request_id",
            "source",
            info={CONFLICT: "The breach was already confirmed by this source."},
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    placement_request_id: Mapped[UUID] = mapped_column(
        ForeignKey("placement_request.id"), index=True
    )
    source: Mapped[BreachSource] = mapped_column(enum_column(BreachSource, "breach_source"))
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
