"""The unit of work: one database transaction per request or message, committed once.

Services add rows through `session`, events through `emit` and audit entries through
`audit`; the outbox and audit rows are written in the same transaction as the change, so a
change is recorded with its event or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.events import CloudEvent, D, EventType
from common.ids import new_id
from common.platform_tables import audit_event, outbox
from common.telemetry import current_trace_id, inject_context


class UnitOfWork:
    def __init__(self, session: AsyncSession, service: str) -> None:
        self.session = session
        self.service = service
        self.actor: Principal | None = None
        self.events: list[CloudEvent] = []
        self._outbox_rows: list[dict[str, Any]] = []
        self._audit_rows: list[dict[str, Any]] = []

    def emit(
        self,
        event_type: EventType[D],
        *,
        subject: UUID | str,
        data: D,
        time: datetime | None = None,
    ) -> CloudEvent:
        """Record an event to be published after commit (through the outbox)."""
        headers = inject_context()
        event = event_type.build(
            subject=str(subject), data=data, time=time, traceparent=headers.get("traceparent")
        )
        self.events.append(event)
        self._outbox_rows.append(
            {"id": event.id, "subject": event.type, "payload": event.to_json(), "headers": headers}
        )
        return event

    def audit(
        self,
        action: str,
        resource_type: str,
        resource_id: UUID | str | None = None,
        purpose: str | None = None,
    ) -> None:
        """Record who touched which child-level record, in the same transaction."""
        actor = self.actor
        self._audit_rows.append(
            {
                "id": new_id(),
                "client_id": actor.client_id if actor else self.service,
                "subject": actor.subject if actor else self.service,
                "action": action,
                "resource_type": resource_type,
                "resource_id": str(resource_id) if resource_id is not None else None,
                "purpose": purpose,
                "trace_id": current_trace_id(),
            }
        )

    async def flush(self) -> None:
        if self._outbox_rows:
            await self.session.execute(insert(outbox), self._outbox_rows)
            self._outbox_rows = []
        if self._audit_rows:
            await self.session.execute(insert(audit_event), self._audit_rows)
            self._audit_rows = []

    async def commit(self) -> None:
        await self.flush()
        await self.session.commit()

    async def rollback(self) -> None:
        self._outbox_rows = []
        self._audit_rows = []
        self.events = []
        await self.session.rollback()
