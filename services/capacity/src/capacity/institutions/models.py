from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from capacity.codes import ContractType, InstitutionFunction, Ownership
from capacity.db import Base
from common import clock
from common.db import CONFLICT, enum_column
from common.reference import Region


class Institution(Base):
    __tablename__ = "institution"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    region: Mapped[Region] = mapped_column(enum_column(Region, "region"), index=True)
    municipality_number: Mapped[str] = mapped_column(Text)
    ownership: Mapped[Ownership] = mapped_column(enum_column(Ownership, "ownership"))
    functions: Mapped[list[str]] = mapped_column(ARRAY(Text))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class PlaceContract(Base):
    """Places an institution has for one function under one contract type, from `valid_from`
    to `valid_to` (inclusive; null = open). Periods of the same institution, function and
    contract type never overlap (an exclusion constraint guards it under concurrency)."""

    __tablename__ = "place_contract"
    __table_args__ = (
        CheckConstraint("budgeted_places >= 0", name="budgeted_places_not_negative"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_period"),
        CheckConstraint("day_price_nok >= 0", name="day_price_not_negative"),
        ExcludeConstraint(
            ("institution_id", "="),
            ("function", "="),
            ("contract_type", "="),
            (text("daterange(valid_from, valid_to, '[]')"), "&&"),
            name="place_contract_no_overlap",
            using="gist",
            info={
                CONFLICT: "The institution already has places of this function and contract "
                "type in an overlapping period; end that contract first."
            },
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[UUID] = mapped_column(ForeignKey("institution.id"), index=True)
    function: Mapped[InstitutionFunction] = mapped_column(
        enum_column(InstitutionFunction, "institution_function")
    )
    contract_type: Mapped[ContractType] = mapped_column(enum_column(ContractType, "contract_type"))
    budgeted_places: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    day_price_nok: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )
