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
    LargeBinary,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from common import clock
from common.db import CONFLICT, enum_column
from common.reference import Region
from foster_care.codes import (
    BreachSource,
    ConversationMethod,
    DeclineReason,
    FosterHomeRequestStatus,
    ProposalStatus,
    RequestWithdrawalReason,
    WaitingReason,
)
from foster_care.db import Base


class FosterHomeRequest(Base):
    """A municipality's request for a foster home for a child (bestilling). The child waits
    from `desired_start_date` until `placed_on` (or until withdrawn)."""

    __tablename__ = "foster_home_request"
    __table_args__ = (
        # The waiting list as of a date: requests known and due by then, not yet placed.
        Index("ix_foster_home_request_waiting", "region", "desired_start_date"),
        Index(
            "ix_foster_home_request_national_id_hash",
            "national_id_hash",
            postgresql_where=text("national_id_hash IS NOT NULL"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    municipality_number: Mapped[str] = mapped_column(Text, index=True)
    region: Mapped[Region] = mapped_column(enum_column(Region, "region"))
    child_ref: Mapped[str] = mapped_column(Text, comment="The municipality's pseudonym.")
    child_key: Mapped[str] = mapped_column(Text, comment="Keyed hash; the id events carry.")
    birth_date: Mapped[date] = mapped_column(Date)
    national_id_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    national_id_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    age_years: Mapped[int] = mapped_column(Integer, comment="On the desired start date.")
    desired_start_date: Mapped[date] = mapped_column(Date)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    requested_on: Mapped[date] = mapped_column(Date, comment="requested_at's Oslo date.")
    needs: Mapped[list[str]] = mapped_column(ARRAY(Text))
    child_wishes_recorded: Mapped[bool] = mapped_column(Boolean)
    child_wishes_recorded_on: Mapped[date | None] = mapped_column(Date)
    kinship_assessed: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[FosterHomeRequestStatus] = mapped_column(
        enum_column(FosterHomeRequestStatus, "foster_home_request_status"), index=True
    )
    placed_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[RequestWithdrawalReason | None] = mapped_column(
        enum_column(RequestWithdrawalReason, "request_withdrawal_reason")
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class WaitingReasonEntry(Base):
    """Why the child is still waiting, from a date on; the newest entry on or before a date
    is the reason on that date."""

    __tablename__ = "waiting_reason"
    __table_args__ = (Index("ix_waiting_reason_request", "foster_home_request_id", "from_date"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    foster_home_request_id: Mapped[UUID] = mapped_column(ForeignKey("foster_home_request.id"))
    reason: Mapped[WaitingReason] = mapped_column(enum_column(WaitingReason, "waiting_reason"))
    from_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class FamilyGroupConference(Base):
    """A family group conference (familieråd) offered to the child's family, and held."""

    __tablename__ = "family_group_conference"
    __table_args__ = (
        CheckConstraint("held_on IS NULL OR held_on >= offered_on", name="held_after_offer"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    foster_home_request_id: Mapped[UUID] = mapped_column(
        ForeignKey("foster_home_request.id"), index=True
    )
    offered_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date)
    aims_to_recruit_home: Mapped[bool] = mapped_column(
        Boolean, comment="Its aim was recruiting a foster home in the family's network."
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class ChildConversation(Base):
    """A conversation with the child alone, with the child's view recorded (where: the
    municipality's case file; here only that, when and how)."""

    __tablename__ = "child_conversation"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    foster_home_request_id: Mapped[UUID] = mapped_column(
        ForeignKey("foster_home_request.id"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    method: Mapped[ConversationMethod] = mapped_column(
        enum_column(ConversationMethod, "conversation_method")
    )
    view_recorded: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class Proposal(Base):
    """A foster home proposed for a child, and the decision on it. A pending or accepted
    proposal of a request not yet placed holds one of the home's places."""

    __tablename__ = "proposal"
    __table_args__ = (
        Index(
            "uq_proposal_one_live",
            "foster_home_request_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            info={CONFLICT: "A proposal is already awaiting a decision on this request."},
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    foster_home_request_id: Mapped[UUID] = mapped_column(
        ForeignKey("foster_home_request.id"), index=True
    )
    foster_home_id: Mapped[UUID] = mapped_column(ForeignKey("foster_home.id"), index=True)
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[ProposalStatus] = mapped_column(enum_column(ProposalStatus, "proposal_status"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decline_reason: Mapped[DeclineReason | None] = mapped_column(
        enum_column(DeclineReason, "decline_reason")
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class BreachConfirmation(Base):
    __tablename__ = "breach_confirmation"
    __table_args__ = (
        UniqueConstraint(
            "foster_home_request_id",
            "source",
            info={CONFLICT: "The breach was already confirmed by this source."},
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    foster_home_request_id: Mapped[UUID] = mapped_column(
        ForeignKey("foster_home_request.id"), index=True
    )
    source: Mapped[BreachSource] = mapped_column(enum_column(BreachSource, "breach_source"))
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
