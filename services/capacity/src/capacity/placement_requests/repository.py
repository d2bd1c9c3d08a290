"""Queries of placement requests, their offers and breach confirmations, and of the free
places a request may be offered, in the priority order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Date, Uuid, and_, any_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from capacity.codes import (
    BreachCause,
    ContractType,
    InstitutionFunction,
    OfferStatus,
    PlacementRequestStatus,
)
from capacity.institutions.models import Institution, PlaceContract
from capacity.placement_requests.models import BreachConfirmation, Offer, PlacementRequest
from capacity.placement_requests.priority import RankedPlace, ownership_rank, rung_expression
from capacity.stays.models import Stay
from common.db import DriverStatement, detached, table_of
from common.pagination import PageRequest, Window
from common.reference import Region
from common.repository import Repository
from common.uow import UnitOfWork


class PlacementRequestRepository(Repository[PlacementRequest]):
    model = PlacementRequest

    async def list(
        self,
        page: PageRequest,
        now: datetime,
        *,
        status: PlacementRequestStatus | None,
        region: Region | None,
        municipality_number: str | None,
        urgency: str | None,
        function: str | None,
    ) -> Window[PlacementRequest]:
        query = select(PlacementRequest)
        if region is not None:
            query = query.where(PlacementRequest.region == region)
        if municipality_number is not None:
            query = query.where(PlacementRequest.municipality_number == municipality_number)
        if urgency is not None:
            query = query.where(PlacementRequest.urgency == urgency)
        if function is not None:
            query = query.where(PlacementRequest.function == function)
        if status is not None:
            # An open request past its deadline is breached for every reader at once, even
            # before the sweeper has recorded it.
            past_deadline = and_(
                PlacementRequest.status == PlacementRequestStatus.open,
                PlacementRequest.deadline_at <= now,
            )
            if status is PlacementRequestStatus.breached:
                query = query.where(or_(PlacementRequest.status == status, past_deadline))
            elif status is PlacementRequestStatus.open:
                query = query.where(
                    PlacementRequest.status == status,
                    or_(PlacementRequest.deadline_at.is_(None), PlacementRequest.deadline_at > now),
                )
            else:
                query = query.where(PlacementRequest.status == status)
        return await self.window(query, page)

    async def list_by_national_id_hash(self, lookup_hash: bytes) -> Sequence[PlacementRequest]:
        return await self.all(
            select(PlacementRequest)
            .where(PlacementRequest.national_id_hash == lookup_hash)
            .order_by(PlacementRequest.id)
        )

    async def mark_breached_past_deadline(
        self, now: datetime, grace: timedelta, limit: int = 500
    ) -> Sequence[PlacementRequest]:
        """Open requests whose deadline has passed become breached (safe with several
        replicas: rows another sweeper holds are skipped). One recorded only after its
        deadline waits `grace` from its recording, for the offer made in time to follow."""
        due = (
            select(PlacementRequest.id)
            .where(
                PlacementRequest.status == PlacementRequestStatus.open,
                PlacementRequest.deadline_at <= now,
                or_(
                    PlacementRequest.created_at < PlacementRequest.deadline_at,
                    PlacementRequest.created_at <= now - grace,
                ),
            )
            .order_by(PlacementRequest.deadline_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalar_subquery()
        statement = (
            update(PlacementRequest)
            .where(PlacementRequest.id.in_(due))
            .values(
                status=PlacementRequestStatus.breached,
                breached_at=PlacementRequest.deadline_at,
                breach_cause=BreachCause.no_offer_by_deadline,
                version=PlacementRequest.version + 1,
                updated_at=now,
            )
            .returning(PlacementRequest)
        )
        result = await self.session.scalars(
            statement, execution_options={"synchronize_session": False}
        )
        return result.all()


class OfferRepository(Repository[Offer]):
    model = Offer

    async def get_of(
        self, placement_request_id: UUID, offer_id: UUID, *, for_update: bool = False
    ) -> Offer | None:
        return await self.first(
            select(Offer).where(
                Offer.id == offer_id, Offer.placement_request_id == placement_request_id
            ),
            for_update=for_update,
        )

    async def list_of(self, placement_request_id: UUID) -> Sequence[Offer]:
        return await self.all(
            select(Offer)
            .where(Offer.placement_request_id == placement_request_id)
            .order_by(Offer.offered_at, Offer.id)
        )

    async def get_accepted_of(self, placement_request_id: UUID) -> Offer | None:
        return await self.first(
            select(Offer).where(
                Offer.placement_request_id == placement_request_id,
                Offer.status == OfferStatus.accepted,
            )
        )


# On the driver: read with every answer about a placement request, after the request itself
# was (GET placement request, bench: an ORM query here doubled its CPU).
_CONFIRMATIONS = DriverStatement(
    select(table_of(BreachConfirmation))
    .where(
        table_of(BreachConfirmation).c.placement_request_id
        == any_(bindparam("ids", type_=ARRAY(Uuid())))
    )
    .order_by(table_of(BreachConfirmation).c.confirmed_at, table_of(BreachConfirmation).c.id)
)


class BreachConfirmationRepository(Repository[BreachConfirmation]):
    model = BreachConfirmation

    async def list_of(
        self, placement_request_ids: Sequence[UUID]
    ) -> dict[UUID, list[BreachConfirmation]]:
        """Each request's confirmations, oldest first (one query for a page of requests)."""
        if not placement_request_ids:
            return {}
        grouped: dict[UUID, list[BreachConfirmation]] = {}
        for row in await self.uow.fetch(_CONFIRMATIONS, ids=list(placement_request_ids)):
            confirmation: BreachConfirmation = detached(BreachConfirmation, row)
            grouped.setdefault(confirmation.placement_request_id, []).append(confirmation)
        return grouped


def _ranked() -> Any:
    """Free places for a function on a day (places under contract that day − stays open at
    its end), each with its step of the priority order for a child from a region."""
    contract, stay, institution = table_of(PlaceContract), table_of(Stay), table_of(Institution)
    function = bindparam("function", type_=contract.c.function.type)
    on = bindparam("on", type_=Date())
    region = bindparam("region", type_=institution.c.region.type)
    contracted = (
        select(
            contract.c.institution_id,
            contract.c.contract_type,
            func.sum(contract.c.budgeted_places).label("places"),
        )
        .where(
            contract.c.function == function,
            contract.c.valid_from <= on,
            or_(contract.c.valid_to.is_(None), contract.c.valid_to >= on),
        )
        .group_by(contract.c.institution_id, contract.c.contract_type)
        .cte("contracted")
    )
    occupied = (
        select(stay.c.institution_id, stay.c.contract_type, func.count().label("stays"))
        .where(
            stay.c.function == function,
            stay.c.admitted_on <= on,
            or_(stay.c.discharged_on.is_(None), stay.c.discharged_on > on),
        )
        .group_by(stay.c.institution_id, stay.c.contract_type)
        .cte("occupied")
    )
    free = (
        select(
            contracted.c.institution_id,
            contracted.c.contract_type,
            (contracted.c.places - func.coalesce(occupied.c.stays, 0)).label("free_places"),
            func.bool_or(contracted.c.contract_type == ContractType.framework)
            .over(partition_by=contracted.c.institution_id)
            .label("has_framework"),
        )
        .select_from(
            contracted.outerjoin(
                occupied,
                and_(
                    occupied.c.institution_id == contracted.c.institution_id,
                    occupied.c.contract_type == contracted.c.contract_type,
                ),
            )
        )
        .cte("free")
    )
    ranked = (
        select(
            institution.c.id.label("institution_id"),
            institution.c.name.label("institution_name"),
            institution.c.region,
            institution.c.ownership,
            free.c.contract_type,
            free.c.free_places,
            rung_expression(
                free.c.contract_type, institution.c.region == region, free.c.has_framework
            ).label("rung"),
        )
        .select_from(free.join(institution, institution.c.id == free.c.institution_id))
        .where(free.c.free_places > 0)
        .cte("ranked")
    )
    return ranked, region


def _page() -> DriverStatement:
    ranked, region = _ranked()
    return DriverStatement(
        select(ranked)
        .order_by(
            # Inside a step: own region first, state/ideal/municipal/commercial, most free
            # places, then by name (and id) so every page is stable.
            ranked.c.rung,
            ranked.c.region != region,
            ownership_rank(ranked.c.ownership),
            ranked.c.free_places.desc(),
            ranked.c.institution_name,
            ranked.c.institution_id,
        )
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def _one() -> DriverStatement:
    ranked, _region = _ranked()
    return DriverStatement(
        select(ranked).where(
            ranked.c.institution_id == bindparam("institution_id"),
            ranked.c.contract_type == bindparam("contract_type", type_=ranked.c.contract_type.type),
        )
    )


def _best() -> DriverStatement:
    ranked, _region = _ranked()
    return DriverStatement(select(func.min(ranked.c.rung).label("rung")))


def _has_framework() -> DriverStatement:
    contract = table_of(PlaceContract)
    on = bindparam("on", type_=Date())
    return DriverStatement(
        select(
            select(contract.c.id)
            .where(
                contract.c.institution_id == bindparam("institution_id"),
                contract.c.function == bindparam("function", type_=contract.c.function.type),
                contract.c.contract_type == ContractType.framework,
                contract.c.valid_from <= on,
                or_(contract.c.valid_to.is_(None), contract.c.valid_to >= on),
            )
            .exists()
            .label("has_framework")
        )
    )


# On the driver: on a cache miss the ranking is the whole of a candidates request, and an
# offer ranks its place before it is made (the uncached bench: ORM rows cost ~2× the CPU).
_PAGE, _ONE, _BEST, _HAS_FRAMEWORK = _page(), _one(), _best(), _has_framework()


def _place(row: dict[str, Any]) -> RankedPlace:
    return RankedPlace(
        institution_id=row["institution_id"],
        institution_name=row["institution_name"],
        region=row["region"],
        ownership=row["ownership"],
        contract_type=row["contract_type"],
        free_places=int(row["free_places"]),
        rung=int(row["rung"]),
    )


class FreePlaceRepository:
    """Free places by the priority order: a query over contracts, stays and institutions
    (an aggregate of none of them), for candidates and offers."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def list_ranked(
        self,
        function: InstitutionFunction,
        on: date,
        region: Region,
        *,
        limit: int,
        offset: int,
    ) -> list[RankedPlace]:
        """Free places for `function` on `on`, in the priority order for a child from
        `region`."""
        rows = await self.uow.fetch(
            _PAGE, function=function, on=on, region=region, limit=limit, offset=offset
        )
        return [_place(row) for row in rows]

    async def get_ranked(
        self,
        function: InstitutionFunction,
        on: date,
        region: Region,
        institution_id: UUID,
        contract_type: ContractType,
    ) -> RankedPlace | None:
        """One institution's free places under one contract type, with their step."""
        row = await self.uow.fetch_one(
            _ONE,
            function=function,
            on=on,
            region=region,
            institution_id=institution_id,
            contract_type=contract_type,
        )
        return _place(row) if row is not None else None

    async def best_rung(
        self, function: InstitutionFunction, on: date, region: Region
    ) -> int | None:
        row = await self.uow.fetch_one(_BEST, function=function, on=on, region=region)
        return int(row["rung"]) if row is not None and row["rung"] is not None else None

    async def has_framework(
        self, institution_id: UUID, function: InstitutionFunction, on: date
    ) -> bool:
        row = await self.uow.fetch_one(
            _HAS_FRAMEWORK, institution_id=institution_id, function=function, on=on
        )
        return bool(row is not None and row["has_framework"])
