"""What the regions record about their reports: deviations and submitted reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, Index, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from common.ids import new_id
from reporting_gateway.db import Base


class Deviation(Base):
    """A region's justification and measures for a value below target (the newest for a
    KPI, period, region and category is the one shown)."""

    __tablename__ = "deviation"
    __table_args__ = (Index("ix_deviation_kpi_period_region", "kpi", "period", "region"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    kpi: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    justification: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(Text)


class ReportSubmission(Base):
    """A report as submitted: its figures frozen, and the instant they were known at, so
    today's figures and the revisions between can be shown beside them."""

    __tablename__ = "report_submission"
    __table_args__ = (Index("ix_report_submission_kind_period", "kind", "period", "region"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str] = mapped_column(Text)
    report: Mapped[dict[str, Any]] = mapped_column(JSONB)
