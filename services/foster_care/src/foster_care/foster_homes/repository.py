"""Queries of foster homes and the stages they went through."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select

from common.pagination import PageRequest, Window
from common.reference import Region
from common.repository import Repository
from foster_care.codes import FosterHomeKind, Stage
from foster_care.foster_homes.models import FosterHome, StageTransition


class FosterHomeRepository(Repository[FosterHome]):
    model = FosterHome

    async def list(
        self,
        page: PageRequest,
        *,
        region: Region | None,
        kind: FosterHomeKind | None,
        stage: Stage | None,
        available: bool | None,
    ) -> Window[FosterHome]:
        query = select(FosterHome)
        if region is not None:
            query = query.where(FosterHome.region == region)
        if kind is not None:
            query = query.where(FosterHome.kind == kind)
        if stage is not None:
            query = query.where(FosterHome.stage == stage)
        if available is not None:
            is_available = (FosterHome.stage == Stage.approved) & FosterHome.paused_at.is_(None)
            query = query.where(is_available if available else ~is_available)
        return await self.window(query, page)


class StageTransitionRepository(Repository[StageTransition]):
    model = StageTransition

    async def list_of(self, foster_home_ids: Sequence[UUID]) -> dict[UUID, list[StageTransition]]:
        """Each home's transitions, oldest first (one query for a page of homes)."""
        if not foster_home_ids:
            return {}
        rows = await self.all(
            select(StageTransition)
            .where(StageTransition.foster_home_id.in_(foster_home_ids))
            .order_by(StageTransition.at, StageTransition.id)
        )
        grouped: dict[UUID, list[StageTransition]] = {}
        for row in rows:
            grouped.setdefault(row.foster_home_id, []).append(row)
        return grouped
