"""Queries of stays, the places they take, and single-child decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import Date, func, literal, or_, select, union

from capacity.codes import ContractType, InstitutionFunction
from capacity.institutions.models import PlaceContract
from capacity.stays.models import SingleChildDecision, Stay
from common.pagination import PageRequest, Window
from common.reference import Region
from common.repository import Repository


@dataclass(frozen=True)
class FewestFreePlaces:
    """The day of a period with the fewest free places, and how many: contracted − taken."""

    day: date
    contracted: int
    taken: int


class StayRepository(Repository[Stay]):
    model = Stay

    async def list(
        self,
        page: PageRequest,
        *,
        region: Region | None,
        municipality_number: str | None,
        institution_id: UUID | None,
        open_only: bool | None,
    ) -> Window[Stay]:
        query = select(Stay)
        if region is not None:
            query = query.where(Stay.region == region)
        if municipality_number is not None:
            query = query.where(Stay.municipality_number == municipality_number)
        if institution_id is not None:
            query = query.where(Stay.institution_id == institution_id)
        if open_only is True:
            query = query.where(Stay.discharged_at.is_(None))
        elif open_only is False:
            query = query.where(Stay.discharged_at.is_not(None))
        return await self.window(query, page)

    async def get_fewest_free_places(
        self,
        institution_id: UUID,
        function: InstitutionFunction,
        contract_type: ContractType,
        first_day: date,
        last_day: date,
    ) -> FewestFreePlaces:
        """The day from `first_day` to `last_day` with the fewest places free: a stay takes a
        place from its admission up to, not including, its discharge. Free places only fall
        on the first day, on an admission, or the day after a contract ends, so only those
        days are counted."""
        contract_of = (
            PlaceContract.institution_id == institution_id,
            PlaceContract.function == function,
            PlaceContract.contract_type == contract_type,
        )
        stay_of = (
            Stay.institution_id == institution_id,
            Stay.function == function,
            Stay.contract_type == contract_type,
        )
        first, last = literal(first_day, Date()), literal(last_day, Date())
        days = union(
            select(first.label("day")),
            select(Stay.admitted_on).where(
                *stay_of, Stay.admitted_on > first, Stay.admitted_on <= last
            ),
            select((PlaceContract.valid_to + 1).label("day")).where(
                *contract_of, PlaceContract.valid_to >= first, PlaceContract.valid_to < last
            ),
        ).subquery("days")
        contracted = (
            select(func.coalesce(func.sum(PlaceContract.budgeted_places), 0))
            .where(
                *contract_of,
                PlaceContract.valid_from <= days.c.day,
                or_(PlaceContract.valid_to.is_(None), PlaceContract.valid_to >= days.c.day),
            )
            .scalar_subquery()
        )
        taken = (
            select(func.count())
            .select_from(Stay)
            .where(
                *stay_of,
                Stay.admitted_on <= days.c.day,
                or_(Stay.discharged_on.is_(None), Stay.discharged_on > days.c.day),
            )
            .scalar_subquery()
        )
        free = (contracted - taken).label("free")
        row = (
            await self.session.execute(
                select(days.c.day, contracted.label("contracted"), taken.label("taken"))
                .order_by(free, days.c.day)
                .limit(1)
            )
        ).one()
        return FewestFreePlaces(day=row.day, contracted=int(row.contracted), taken=int(row.taken))


class SingleChildDecisionRepository(Repository[SingleChildDecision]):
    model = SingleChildDecision

    async def get_of(
        self, stay_id: UUID, decision_id: UUID, *, for_update: bool = False
    ) -> SingleChildDecision | None:
        return await self.first(
            select(SingleChildDecision).where(
                SingleChildDecision.id == decision_id, SingleChildDecision.stay_id == stay_id
            ),
            for_update=for_update,
        )

    async def list_of(self, stay_ids: Sequence[UUID]) -> dict[UUID, list[SingleChildDecision]]:
        """Each stay's decisions, oldest first (one query for a page of stays)."""
        if not stay_ids:
            return {}
        rows = await self.all(
            select(SingleChildDecision)
            .where(SingleChildDecision.stay_id.in_(stay_ids))
            .order_by(SingleChildDecision.decided_on, SingleChildDecision.id)
        )
        grouped: dict[UUID, list[SingleChildDecision]] = {}
        for decision in rows:
            grouped.setdefault(decision.stay_id, []).append(decision)
        return grouped
