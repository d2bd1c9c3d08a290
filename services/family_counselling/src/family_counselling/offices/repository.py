"""Queries of offices and their mediation slots."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update

from common.pagination import PageRequest, Window
from common.reference import Region
from common.repository import Repository
from family_counselling.offices.models import MediationSlot, Office


class OfficeRepository(Repository[Office]):
    model = Office

    async def list(
        self, page: PageRequest, *, region: Region | None, ownership: str | None
    ) -> Window[Office]:
        query = select(Office)
        if region is not None:
            query = query.where(Office.region == region)
        if ownership is not None:
            query = query.where(Office.ownership == ownership)
        return await self.window(query, page)


class MediationSlotRepository(Repository[MediationSlot]):
    model = MediationSlot

    async def list_of(
        self, office_id: UUID, *, free_after: datetime | None, limit: int
    ) -> Sequence[MediationSlot]:
        """The office's slots by time; with `free_after`, only those free and later."""
        query = select(MediationSlot).where(MediationSlot.office_id == office_id)
        if free_after is not None:
            query = query.where(
                MediationSlot.booked_case_id.is_(None), MediationSlot.starts_at > free_after
            )
        return await self.all(
            query.order_by(MediationSlot.starts_at, MediationSlot.id).limit(limit)
        )

    async def release(self, slot_id: UUID, now: datetime) -> None:
        """A booked slot given back (its appointment rescheduled), free again while ahead."""
        await self.session.execute(
            update(MediationSlot)
            .where(MediationSlot.id == slot_id, MediationSlot.starts_at > now)
            .values(booked_case_id=None, booked_at=None),
            execution_options={"synchronize_session": False},
        )

    async def book(
        self, slot_id: UUID, office_id: UUID, case_id: UUID, now: datetime
    ) -> MediationSlot | None:
        """The slot booked for the case, if it was free and still ahead; None if another
        case got it first (one statement: of two racing bookings exactly one wins)."""
        result = await self.session.scalars(
            update(MediationSlot)
            .where(
                MediationSlot.id == slot_id,
                MediationSlot.office_id == office_id,
                MediationSlot.booked_case_id.is_(None),
                MediationSlot.starts_at > now,
            )
            .values(booked_case_id=case_id, booked_at=now)
            .returning(MediationSlot),
            execution_options={"synchronize_session": False},
        )
        return result.one_or_none()
