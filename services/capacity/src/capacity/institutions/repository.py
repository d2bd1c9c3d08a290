"""Queries of institutions and their place contracts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import or_, select

from capacity.codes import ContractType, InstitutionFunction
from capacity.institutions.models import Institution, PlaceContract
from common.pagination import PageRequest, Window
from common.reference import Region
from common.repository import Repository


class InstitutionRepository(Repository[Institution]):
    model = Institution

    async def list(
        self,
        page: PageRequest,
        *,
        region: Region | None = None,
        ownership: str | None = None,
        function: str | None = None,
    ) -> Window[Institution]:
        query = select(Institution)
        if region is not None:
            query = query.where(Institution.region == region)
        if ownership is not None:
            query = query.where(Institution.ownership == ownership)
        if function is not None:
            query = query.where(Institution.functions.contains([function]))
        return await self.window(query, page)


class PlaceContractRepository(Repository[PlaceContract]):
    model = PlaceContract

    async def get_of(
        self, institution_id: UUID, contract_id: UUID, *, for_update: bool = False
    ) -> PlaceContract | None:
        return await self.first(
            select(PlaceContract).where(
                PlaceContract.id == contract_id, PlaceContract.institution_id == institution_id
            ),
            for_update=for_update,
        )

    async def list_of(self, institution_id: UUID) -> Sequence[PlaceContract]:
        return await self.all(
            select(PlaceContract)
            .where(PlaceContract.institution_id == institution_id)
            .order_by(PlaceContract.valid_from, PlaceContract.id)
        )

    async def lock_places(
        self,
        institution_id: UUID,
        function: InstitutionFunction,
        contract_type: ContractType,
        first_day: date,
        last_day: date,
    ) -> Sequence[PlaceContract]:
        """The contracts giving these places on any day from `first_day` to `last_day`,
        locked until commit: two admissions to the same places are decided one after the
        other."""
        return await self.all(
            select(PlaceContract)
            .where(
                PlaceContract.institution_id == institution_id,
                PlaceContract.function == function,
                PlaceContract.contract_type == contract_type,
                PlaceContract.valid_from <= last_day,
                or_(PlaceContract.valid_to.is_(None), PlaceContract.valid_to >= first_day),
            )
            .order_by(PlaceContract.id)
            .with_for_update()
        )
