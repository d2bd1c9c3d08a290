"""Queries of foster placements."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import func, or_, select

from common.pagination import PageRequest, Window
from common.reference import Region
from common.repository import Repository
from foster_care.placements.models import FosterPlacement


class FosterPlacementRepository(Repository[FosterPlacement]):
    model = FosterPlacement

    async def list(
        self,
        page: PageRequest,
        *,
        region: Region | None,
        municipality_number: str | None,
        foster_home_id: UUID | None,
        current: bool | None,
    ) -> Window[FosterPlacement]:
        query = select(FosterPlacement)
        if region is not None:
            query = query.where(FosterPlacement.region == region)
        if municipality_number is not None:
            query = query.where(FosterPlacement.municipality_number == municipality_number)
        if foster_home_id is not None:
            query = query.where(FosterPlacement.foster_home_id == foster_home_id)
        if current is not None:
            ended = FosterPlacement.end_date.is_not(None)
            query = query.where(~ended if current else ended)
        return await self.window(query, page)

    async def count_current_in(self, foster_home_id: UUID, today: date) -> int:
        """How many children live in the home (placements not ended by today)."""
        count = await self.session.scalar(
            select(func.count()).where(
                FosterPlacement.foster_home_id == foster_home_id,
                or_(FosterPlacement.end_date.is_(None), FosterPlacement.end_date > today),
            )
        )
        return int(count or 0)

    async def count_of_child(self, child_key: str) -> int:
        """How many placements the child has had (moves are this less one)."""
        count = await self.session.scalar(
            select(func.count()).where(FosterPlacement.child_key == child_key)
        )
        return int(count or 0)
