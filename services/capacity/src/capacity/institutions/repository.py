from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity.institutions.models import Institution, PlaceContract
from common.pagination import PageRequest
from common.reference import Region


async def get_institution(session: AsyncSession, institution_id: UUID) -> Institution | None:
    return await session.get(Institution, institution_id)


async def list_institutions(
    session: AsyncSession,
    page: PageRequest,
    *,
    region: Region | None = None,
    ownership: str | None = None,
    function: str | None = None,
) -> Sequence[Institution]:
    query = select(Institution).order_by(Institution.id).limit(page.limit + 1)
    if page.after is not None:
        query = query.where(Institution.id > page.after)
    if region is not None:
        query = query.where(Institution.region == region)
    if ownership is not None:
        query = query.where(Institution.ownership == ownership)
    if function is not None:
        query = query.where(Institution.functions.contains([function]))
    return (await session.scalars(query)).all()


async def get_contract(
    session: AsyncSession, institution_id: UUID, contract_id: UUID, *, for_update: bool = False
) -> PlaceContract | None:
    query = select(PlaceContract).where(
        PlaceContract.id == contract_id, PlaceContract.institution_id == institution_id
    )
    if for_update:
        query = query.with_for_update()
    result: PlaceContract | None = await session.scalar(query)
    return result


async def list_contracts(session: AsyncSession, institution_id: UUID) -> Sequence[PlaceContract]:
    query = (
        select(PlaceContract)
        .where(PlaceContract.institution_id == institution_id)
        .order_by(PlaceContract.valid_from, PlaceContract.id)
    )
    return (await session.scalars(query)).all()
