"""Queries of placement requests, offers and free places."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from common.pagination import PageRequest
from common.reference import Region
from sqlalchemy import and_, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from capacity.codes import ContractType, InstitutionFunction, OfferStatus, PlacementRequestStatus
from capacity.placements.models import BreachConfirmation, Offer, PlacementRequest
from capacity.placements.priority import Availability


async def insert_request(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(PlacementRequest).values(values))


async def get_request(
    session: AsyncSession, request_id: UUID, *, for_update: bool = False
) -> PlacementRequest | None:
    query = select(PlacementRequest).where(PlacementRequest.id == request_id)
    if for_update:
        query = query.with_for_update()
    result: PlacementRequest | None = await session.scalar(query)
    return result


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
    session: AsyncSession, request_ids: Sequence[UUID]
) -> dict[UUID, list[BreachConfirmation]]:
    if not request_ids:
        return {}
    rows = await session.scalars(
        select(BreachConfirmation)
        .where(BreachConfirmation.placement_request_id.in_(request_ids))
        .order_by(BreachConfirmation.confirmed_at)
    )
    grouped: dict[UUID, list[BreachConfirmation]] = {}
    for row in rows:
        grouped.setdefault(row.placement_request_id, []).append(row)
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


async def has_offer_in_time(session: AsyncSession, request_id: UUID) -> bool:
    """An offer made by the deadline that the municipality has not declined."""
    query = (
        select(Offer.id)
        .where(
            Offer.placement_request_id == request_id,
            Offer.within_deadline.is_(True),
            Offer.status != OfferStatus.declined,
        )
        .limit(1)
    )
    return await session.scalar(query) is not None


_AVAILABILITY = text("""
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
    )
    SELECT i.id, i.name, i.region, i.ownership, c.contract_type,
           c.places - coalesce(o.stays, 0) AS free_places,
           EXISTS (SELECT 1 FROM contracted f
                    WHERE f.institution_id = i.id AND f.contract_type = 'framework')
             AS has_framework
      FROM contracted c
      JOIN institution i ON i.id = c.institution_id
      LEFT JOIN occupied o ON o.institution_id = c.institution_id
                          AND o.contract_type = c.contract_type
     WHERE c.places - coalesce(o.stays, 0) > 0
""")


async def availability(
    session: AsyncSession, function: InstitutionFunction, on: date
) -> list[Availability]:
    """Every institution with a free place for `function` on `on`, per contract type.
    Free places = contracted places − stays open that day."""
    rows = await session.execute(_AVAILABILITY, {"function": str(function), "on": on})
    return [
        Availability(
            institution_id=row.id,
            institution_name=row.name,
            region=Region(row.region),
            ownership=row.ownership,
            contract_type=ContractType(row.contract_type),
            free_places=int(row.free_places),
            has_framework=bool(row.has_framework),
        )
        for row in rows
    ]


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
