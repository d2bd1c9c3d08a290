"""Queries of stays, their occupancy of places, and single-child decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity.codes import ContractType, InstitutionFunction
from capacity.institutions.models import PlaceContract
from capacity.stays.models import SingleChildDecision, Stay
from common.pagination import PageRequest
from common.reference import Region


async def lock_contracted_places(
    session: AsyncSession,
    institution_id: UUID,
    function: InstitutionFunction,
    contract_type: ContractType,
    on: date,
) -> int:
    """Places under contract on `on`; the contract rows stay locked until commit, so two
    admissions for the same places are decided one after the other."""
    rows = await session.scalars(
        select(PlaceContract.budgeted_places)
        .where(
            PlaceContract.institution_id == institution_id,
            PlaceContract.function == function,
            PlaceContract.contract_type == contract_type,
            PlaceContract.valid_from <= on,
            (PlaceContract.valid_to.is_(None)) | (PlaceContract.valid_to >= on),
        )
        .with_for_update()
    )
    return sum(rows.all())


async def occupied_places(
    session: AsyncSession,
    institution_id: UUID,
    function: InstitutionFunction,
    contract_type: ContractType,
    on: date,
) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Stay)
        .where(
            Stay.institution_id == institution_id,
            Stay.function == function,
            Stay.contract_type == contract_type,
            Stay.admitted_on <= on,
            (Stay.discharged_on.is_(None)) | (Stay.discharged_on > on),
        )
    )
    return int(count or 0)


async def get_stay(
    session: AsyncSession, stay_id: UUID, *, for_update: bool = False
) -> Stay | None:
    query = select(Stay).where(Stay.id == stay_id)
    if for_update:
        query = query.with_for_update()
    result: Stay | None = await session.scalar(query)
    return result


async def list_stays(
    session: AsyncSession,
    page: PageRequest,
    *,
    region: Region | None,
    municipality_number: str | None,
    institution_id: UUID | None,
    open_only: bool | None,
) -> Sequence[Stay]:
    query = select(Stay).order_by(Stay.id).limit(page.limit + 1)
    if page.after is not None:
        query = query.where(Stay.id > page.after)
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
    return (await session.scalars(query)).all()


async def decisions_of(
    session: AsyncSession, stay_ids: Sequence[UUID]
) -> dict[UUID, list[SingleChildDecision]]:
    if not stay_ids:
        return {}
    rows = await session.scalars(
        select(SingleChildDecision)
        .where(SingleChildDecision.stay_id.in_(stay_ids))
        .order_by(SingleChildDecision.decided_on, SingleChildDecision.id)
    )
    grouped: dict[UUID, list[SingleChildDecision]] = {}
    for row in rows:
        grouped.setdefault(row.stay_id, []).append(row)
    return grouped


async def get_decision(
    session: AsyncSession, stay_id: UUID, decision_id: UUID, *, for_update: bool = False
) -> SingleChildDecision | None:
    query = select(SingleChildDecision).where(
        SingleChildDecision.id == decision_id, SingleChildDecision.stay_id == stay_id
    )
    if for_update:
        query = query.with_for_update()
    result: SingleChildDecision | None = await session.scalar(query)
    return result
