"""Queries of appointments."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select

from common.repository import Repository
from family_counselling.appointments.models import Appointment


class AppointmentRepository(Repository[Appointment]):
    model = Appointment

    async def list_of(self, case_id: UUID) -> Sequence[Appointment]:
        return await self.all(
            select(Appointment)
            .where(Appointment.case_id == case_id)
            .order_by(Appointment.scheduled_at, Appointment.id)
        )
