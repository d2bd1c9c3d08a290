"""What the gateway records itself for the KPIs: the regions' budgeted day prices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import DateTime, Index, Integer, Numeric, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from common.ids import new_id
from reporting_gateway.db import Base


class DayPriceBudget(Base):
    """A region's budgeted day price for a year (S 1.1.4, "plan for budsjettbalanse"); a new
    row for each change, so an answer as known at an instant finds the budget of then."""

    __tablename__ = "day_price_budget"
    __table_args__ = (Index("ix_day_price_budget_year_region", "year", "region", "recorded_at"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    year: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(Text)
    day_price_nok: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    recorded_by: Mapped[str] = mapped_column(Text)
