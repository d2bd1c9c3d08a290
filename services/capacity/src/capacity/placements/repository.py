"""Queries of placement requests, offers and free places."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from capacity.codes import (
    ContractType,
    InstitutionFunction,
    Ownership,
    PlacementRequestStatus,
)
from capacity.placements.models import BreachConfirmation, Offer, PlacementRequest
from capacity.placements.priority import ORDER_SQL, RankedPlace, rung_sql
from common.db import columns_of, from_row, numbered
from common.pagination import PageRequest
from common.reference import Region
from common.uow import UnitOfWork


async def get_request(
    session: AsyncSession, request_id: UUID, *, for_update: bool = False
) -> PlacementRequest | None:
    query = select(PlacementRequest).where(PlacementRequest.id == request_id)
    if for_update:
        query = query.with_for_update()
    result: PlacementRequest | None = await session.scalar(query)
    return result


_READ_REQUEST = f"SELECT {columns_of(PlacementRequest)} FROM placement_request WHERE id = $1"
_CONFIRMATIONS = (
    f"SELECT {columns_of(BreachConfirmation)} FROM breach_confirmation "
    "WHERE placement_request_id = ANY($1::uuid[]) ORDER BY confirmed_at"
)


async def read_request(uow: UnitOfWork, request_id: UUID) -> PlacementRequest | None:
    """The request for reading only (no lock, no session): the hot path of every GET."""
    row = await uow.fetchrow(_READ_REQUEST, request_id)
    return from_row(PlacementRequest, row) if row is not None else None


async def list_requests(
    session: AsyncSession,
    page: PageRequest,
    now: datetime,
    *,
    status: PlacementRequestStatus | None,
    region: Region | None,
    municipality_number: str | None,
    urgency: str | None,
    function: str | None,
) -> Sequence[PlacementRequest]:
    query = select(PlacementRequest).order_by(PlacementRequest.id).limit(page.limit + 1)
    if page.after is not None:
        query = query.where(PlacementRequest.id > page.after)
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
    return (await session.scalars(query)).all()


async def find_by_national_id_hash(
    session: AsyncSession, lookup_hash: bytes
) -> Sequence[PlacementRequest]:
    query = (
        select(PlacementRequest)
        .where(PlacementRequest.national_id_hash == lookup_hash)
        .order_by(PlacementRequest.id)
    )
    return (await session.scalars(query)).all()


async def confirmations_of(
    uow: UnitOfWork, request_ids: Sequence[UUID]
) -> dict[UUID, list[BreachConfirmation]]:
    if not request_ids:
        return {}
    grouped: dict[UUID, list[BreachConfirmation]] = {}
    for row in await uow.fetch(_CONFIRMATIONS, list(request_ids)):
        confirmation = from_row(BreachConfirmation, row)
        grouped.setdefault(confirmation.placement_request_id, []).append(confirmation)
    return grouped


async def offers_of(session: AsyncSession, request_id: UUID) -> Sequence[Offer]:
    query = (
        select(Offer)
        .where(Offer.placement_request_id == request_id)
        .order_by(Offer.offered_at, Offer.id)
    )
    return (await session.scalars(query)).all()


async def get_offer(
    session: AsyncSession, request_id: UUID, offer_id: UUID, *, for_update: bool = False
) -> Offer | None:
    query = select(Offer).where(Offer.id == offer_id, Offer.placement_request_id == request_id)
    if for_update:
        query = query.with_for_update()
    result: Offer | None = await session.scalar(query)
    return result


_RANKED = """
    WITH contracted AS (
        SELECT institution_id, contract_type, sum(budgeted_places) AS places
          FROM place_contract
         WHERE function = :function AND valid_from <= :on
           AND (valid_to IS NULL OR valid_to >= :on)
         GROUP BY institution_id, contract_type
    ), occupied AS (
        SELECT institution_id, contract_type, count(*) AS stays
          FROM stay
         WHERE function = :function AND admitted_on <= :on
           AND (discharged_on IS NULL OR discharged_on > :on)
         GROUP BY institution_id, contract_type
    ), free AS (
        SELECT c.institution_id, c.contract_type, c.places - coalesce(o.stays, 0) AS free_places,
               bool_or(c.contract_type = 'framework')
                   OVER (PARTITION BY c.institution_id) AS has_framework
          FROM contracted c
          LEFT JOIN occupied o ON o.institution_id = c.institution_id
                              AND o.contract_type = c.contract_type
    ), ranked AS (
        SELECT i.id AS institution_id, i.name AS institution_name, i.region, i.ownership,
               f.contract_type, f.free_places,
               RUNG AS rung
          FROM free f JOIN institution i ON i.id = f.institution_id
         WHERE f.free_places > 0
    )
""".replace("RUNG", rung_sql("f.contract_type", "i.region = :region", "f.has_framework"))
# The ranking runs on the driver connection: on a cache miss it is the whole request.
_RANKING = ("function", "on", "region")
_PAGE = numbered(
    _RANKED + f"SELECT * FROM ranked ORDER BY {ORDER_SQL} LIMIT :limit OFFSET :offset",
    *_RANKING,
    "limit",
    "offset",
)
_ONE = numbered(
    _RANKED + "SELECT * FROM ranked WHERE institution_id = :institution_id "
    "AND contract_type = :contract_type",
    *_RANKING,
    "institution_id",
    "contract_type",
)
_BEST = numbered(_RANKED + "SELECT min(rung) AS rung FROM ranked", *_RANKING)
_HAS_FRAMEWORK = numbered(
    """
    SELECT EXISTS (SELECT 1 FROM place_contract
                    WHERE institution_id = :institution_id AND function = :function
                      AND contract_type = 'framework' AND valid_from <= :on
                      AND (valid_to IS NULL OR valid_to >= :on)) AS has_framework
    """,
    "institution_id",
    "function",
    "on",
)


def _place(row: Mapping[str, Any]) -> RankedPlace:
    return RankedPlace(
        institution_id=row["institution_id"],
        institution_name=row["institution_name"],
        region=Region(row["region"]),
        ownership=Ownership(row["ownership"]),
        contract_type=ContractType(row["contract_type"]),
        free_places=int(row["free_places"]),
        rung=int(row["rung"]),
    )


async def ranked_places(
    uow: UnitOfWork,
    function: InstitutionFunction,
    on: date,
    region: Region,
    *,
    limit: int,
    offset: int,
) -> list[RankedPlace]:
    """Free places for `function` on `on` (contracted places − stays open that day), in the
    priority order for a child from `region`."""
    rows = await uow.fetch(_PAGE, str(function), on, str(region), limit, offset)
    return [_place(row) for row in rows]


async def ranked_place(
    uow: UnitOfWork,
    function: InstitutionFunction,
    on: date,
    region: Region,
    institution_id: UUID,
    contract_type: ContractType,
) -> RankedPlace | None:
    row = await uow.fetchrow(
        _ONE, str(function), on, str(region), institution_id, str(contract_type)
    )
    return _place(row) if row is not None else None


async def best_rung(
    uow: UnitOfWork, function: InstitutionFunction, on: date, region: Region
) -> int | None:
    row = await uow.fetchrow(_BEST, str(function), on, str(region))
    return int(row["rung"]) if row is not None and row["rung"] is not None else None


async def has_framework(
    uow: UnitOfWork, institution_id: UUID, function: InstitutionFunction, on: date
) -> bool:
    row = await uow.fetchrow(_HAS_FRAMEWORK, institution_id, str(function), on)
    return bool(row is not None and row["has_framework"])


async def mark_overdue_breached(
    session: AsyncSession, now: datetime, limit: int = 500
) -> Sequence[PlacementRequest]:
    """Open requests whose deadline has passed become breached (safe with several replicas:
    rows another sweeper holds are skipped)."""
    due = (
        select(PlacementRequest.id)
        .where(
            PlacementRequest.status == PlacementRequestStatus.open,
            PlacementRequest.deadline_at <= now,
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
            breach_cause="no_offer_by_deadline",
            version=PlacementRequest.version + 1,
            updated_at=now,
        )
        .returning(PlacementRequest)
    )
    result = await session.scalars(statement, execution_options={"synchronize_session": False})
    return result.all()
