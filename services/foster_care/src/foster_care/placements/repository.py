"""Queries of foster placements."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select

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

    async def count_of_child(self, child_key: str) -> int:
        """How many placements the child has had (moves are this less one)."""
        count = await self.session.scalar(
            select(func.count()).where(FosterPlacement.child_key == child_key)
        )
        return int(count or 0)
