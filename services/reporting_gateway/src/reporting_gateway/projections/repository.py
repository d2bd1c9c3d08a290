"""The read models of a projection as a whole: emptied and refilled by a rebuild."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.dialects.postgresql import insert

from common import clock
from common.db import table_of
from common.platform_tables import inbox
from common.projection import Projection
from common.uow import UnitOfWork
from reporting_gateway.projections.models import ReadModelVersion, RecordedEvent


class ReadModelRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def clear(self, projection: Projection, models: Sequence[type[Any]]) -> None:
        """Every row the projection wrote, in this unit of work: readers go on seeing the
        old rows until it commits. The inbox stays (with when and under which trace each
        event was first applied); the replay adds what it lacks."""
        for model in models:
            await self.uow.session.execute(delete(table_of(model)))
        await self.uow.session.execute(
            delete(RecordedEvent).where(RecordedEvent.stream == projection.stream.name)
        )

    async def add_inbox(self, rows: Sequence[dict[str, Any]]) -> None:
        """Events applied, as the live consumer would have noted them (its duplicates are
        then skipped); one execute-many."""
        if rows:
            await self.uow.session.execute(insert(inbox).on_conflict_do_nothing(), rows)

    async def analyze(self, models: Sequence[type[Any]]) -> None:
        """Fresh statistics for refilled tables (autovacuum would take a while to notice
        them, and the KPI queries' plans depend on them)."""
        tables: list[type[Any]] = [*models, RecordedEvent]
        for model in tables:
            await self.uow.session.execute(text(f"ANALYZE {table_of(model).name}"))

    async def lock(self, projection: Projection) -> None:
        """Until this unit of work ends, no other process rebuilds the projection."""
        key = func.hashtext(f"rebuild {projection.durable}")
        await self.uow.session.execute(select(func.pg_advisory_xact_lock(key)))

    async def get_version(self, projection: Projection) -> int | None:
        version: int | None = await self.uow.session.scalar(
            select(ReadModelVersion.version).where(ReadModelVersion.consumer == projection.durable)
        )
        return version

    async def has_applied(self, projection: Projection) -> bool:
        applied = await self.uow.session.scalar(
            select(exists().where(inbox.c.consumer == projection.durable))
        )
        return bool(applied)

    async def set_version(self, projection: Projection) -> None:
        values = {
            "consumer": projection.durable,
            "version": projection.version,
            "built_at": clock.now(),
        }
        statement = insert(ReadModelVersion).values(values)
        await self.uow.session.execute(
            statement.on_conflict_do_update(
                index_elements=["consumer"],
                set_={
                    "version": statement.excluded.version,
                    "built_at": statement.excluded.built_at,
                },
            )
        )
