"""The KPI queries: a definition's base rows for a scope, grouped by the breakdown asked
(one statement: the total and the breakdown's rows by GROUPING SETS, so unique counts are
counted once for the total, never summed), and what the answer says about its events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select, tuple_

from common import clock
from common.uow import UnitOfWork
from reporting_gateway.kpis.catalogue import Definition, Scope
from reporting_gateway.kpis.models import DayPriceBudget
from reporting_gateway.projections.models import RecordedEvent


@dataclass(frozen=True)
class Row:
    group: str | None
    """The breakdown's value; None for the total."""
    measures: dict[str, Any]


class KpiRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def aggregate(
        self, definition: Definition, scope: Scope, breakdown: str | None
    ) -> tuple[Row, list[Row]]:
        """The total and, with a breakdown, a row per value of that dimension."""
        base = definition.base(scope).subquery("base")
        conditions = []
        if scope.region is not None:
            conditions.append(base.c.region == scope.region)
        if scope.exclude_oslo:
            conditions.append(~base.c.oslo)
        for dimension, value in scope.filters.items():
            conditions.append(base.c[dimension] == value)
        measures = {
            name: expression.label(name) for name, expression in definition.measures(base.c).items()
        }
        statement: Select[Any]
        if breakdown is None:
            statement = select(*measures.values()).where(*conditions)
            row = (await self.uow.session.execute(statement)).one()
            return Row(None, _plain(row._mapping)), []
        column = base.c[breakdown]
        statement = (
            select(
                column.label("group"),
                func.grouping(column).label("is_total"),
                *measures.values(),
            )
            .where(*conditions)
            .group_by(func.grouping_sets(tuple_(), tuple_(column)))
            .order_by(column)
        )
        total: Row | None = None
        parts: list[Row] = []
        for row in (await self.uow.session.execute(statement)).all():
            mapping = _plain(row._mapping)
            group, is_total = mapping.pop("group"), mapping.pop("is_total")
            if is_total:
                total = Row(None, mapping)
            else:
                parts.append(Row(None if group is None else str(group), mapping))
        if total is None:  # no base rows at all: GROUPING SETS gives no total row
            empty = select(*measures.values()).where(literal(False))
            total = Row(None, _plain((await self.uow.session.execute(empty)).one()._mapping))
        return total, parts

    async def get_newest_event_time(self, definition: Definition, scope: Scope) -> datetime | None:
        """When the newest event behind the answer was recorded."""
        statement = select(func.max(RecordedEvent.recorded_at)).where(
            *_bearing_on(definition.sources, scope)
        )
        result: datetime | None = (await self.uow.session.execute(statement)).scalar()
        return result

    async def count_events_since(
        self, definition: Definition, scope: Scope, since: datetime
    ) -> dict[str, int]:
        """The events recorded after `since` that bear on the scope, counted by type."""
        statement = (
            select(RecordedEvent.type, func.count())
            .where(*_bearing_on(definition.sources, scope), RecordedEvent.recorded_at > since)
            .group_by(RecordedEvent.type)
            .order_by(RecordedEvent.type)
        )
        rows = (await self.uow.session.execute(statement)).all()
        return {str(type_): int(count) for type_, count in rows}

    async def add_day_price_budget(
        self, year: int, region: str, day_price_nok: float, recorded_by: str
    ) -> DayPriceBudget:
        budget = DayPriceBudget(
            year=year,
            region=region,
            day_price_nok=Decimal(str(day_price_nok)),
            recorded_at=clock.now(),
            recorded_by=recorded_by,
        )
        self.uow.add(budget)
        return budget

    async def get_day_price_budget(
        self, year: int, region: str, known_at: datetime | None
    ) -> Decimal | None:
        budget = DayPriceBudget
        statement = (
            select(budget.day_price_nok)
            .where(budget.year == year, budget.region == region)
            .order_by(budget.recorded_at.desc())
            .limit(1)
        )
        if known_at is not None:
            statement = statement.where(budget.recorded_at <= known_at)
        result: Decimal | None = (await self.uow.session.execute(statement)).scalar()
        return result


def _bearing_on(sources: Sequence[str], scope: Scope) -> list[Any]:
    event = RecordedEvent
    conditions: list[Any] = [
        event.type.in_(sources),
        or_(event.first_day.is_(None), event.first_day <= scope.last),
        or_(event.last_day.is_(None), event.last_day >= scope.first),
    ]
    if scope.region is not None:
        conditions.append(or_(event.region.is_(None), event.region == scope.region))
    if scope.known_at is not None:
        conditions.append(event.recorded_at <= scope.known_at)
    return [and_(*conditions)]


def _plain(mapping: Any) -> dict[str, Any]:
    return {key: (float(v) if isinstance(v, Decimal) else v) for key, v in mapping.items()}
