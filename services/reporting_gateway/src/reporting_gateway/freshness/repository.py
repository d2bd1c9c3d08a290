"""What the inbox says each stream's consumers have applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from common.platform_tables import inbox
from common.uow import UnitOfWork


@dataclass(frozen=True)
class Applied:
    stream_sequence: int
    event_time: datetime
    applied_at: datetime


class InboxRepository:
    """The inbox of this database's consumers (a platform table, no aggregate's)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def get_last_applied(self, stream: str) -> Applied | None:
        row = (
            await self.uow.session.execute(
                select(inbox.c.stream_sequence, inbox.c.event_time, inbox.c.applied_at)
                .where(inbox.c.stream == stream)
                .order_by(inbox.c.stream_sequence.desc())
                .limit(1)
            )
        ).first()
        return Applied(*row) if row is not None else None
