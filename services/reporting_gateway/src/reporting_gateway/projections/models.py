"""Read models built from the services' events. Every row keeps the stream sequence of the
event that set it (`source_sequence`, so an older event never overwrites it) and that
event's id; nothing in a row depends on when it was applied, so a replay rebuilds it as it
was."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import BigInteger, Date, DateTime, Integer, Numeric, Text
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
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class CapacityPlaceContract(Base):
    """An institution's places for a function under a contract type, as last changed."""

    __tablename__ = "capacity_place_contract"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[UUID] = mapped_column(index=True)
    region: Mapped[str] = mapped_column(Text, index=True)
    ownership: Mapped[str] = mapped_column(Text)
    function: Mapped[str] = mapped_column(Text)
    contract_type: Mapped[str] = mapped_column(Text)
    budgeted_places: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    day_price_nok: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)
