from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import select

from common.pagination import PageRequest, Window
from common.repository import Repository
from reporting_gateway.reports.models import Deviation, ReportSubmission


class DeviationRepository(Repository[Deviation]):
    model = Deviation

    async def list_for(
        self, kpi: str | None, period: str | None, region: str | None
    ) -> Sequence[Deviation]:
        """Newest first."""
        statement = select(Deviation).order_by(Deviation.recorded_at.desc(), Deviation.id)
        if kpi is not None:
            statement = statement.where(Deviation.kpi == kpi)
        if period is not None:
            statement = statement.where(Deviation.period == period)
        if region is not None:
            statement = statement.where(Deviation.region == region)
        return (await self.uow.session.scalars(statement)).all()

    async def window_for(
        self, page: PageRequest, kpi: str | None, period: str | None, region: str | None
    ) -> Window[Deviation]:
        statement = select(Deviation)
        for column, value in (
            (Deviation.kpi, kpi),
            (Deviation.period, period),
            (Deviation.region, region),
        ):
            if value is not None:
                statement = statement.where(column == value)
        return await self.window(statement, page)


class SubmissionRepository(Repository[ReportSubmission]):
    model = ReportSubmission

    async def list_for(self, kind: str, period: str, region: str | None) -> Sequence[Any]:
        """Newest first, without the frozen report."""
        submission = ReportSubmission
        statement = (
            select(
                submission.id,
                submission.kind,
                submission.period,
                submission.region,
                submission.submitted_at,
                submission.submitted_by,
            )
            .where(submission.kind == kind, submission.period == period)
            .order_by(submission.submitted_at.desc())
        )
        statement = statement.where(
            submission.region.is_(None) if region is None else submission.region == region
        )
        return (await self.uow.session.execute(statement)).all()

    async def get_of(self, kind: str, period: str, submission_id: UUID) -> ReportSubmission | None:
        return await self.first(
            select(ReportSubmission).where(
                ReportSubmission.id == submission_id,
                ReportSubmission.kind == kind,
                ReportSubmission.period == period,
            )
        )
