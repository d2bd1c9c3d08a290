"""Queries of foster-home requests and what hangs on them (waiting reasons, family group
conferences, talks with the child, proposals, breach confirmations), of the waiting list as
of a date, and of the foster homes a request may be offered, best first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Date, Integer, Text, Uuid, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from common.db import DriverStatement
from common.pagination import PageRequest, Window
from common.reference import Region
from common.repository import Repository
from common.uow import UnitOfWork
from foster_care.codes import FosterHomeRequestStatus, WaitingReason
from foster_care.foster_home_requests.models import (
    BreachConfirmation,
    ChildConversation,
    FamilyGroupConference,
    FosterHomeRequest,
    Proposal,
    WaitingReasonEntry,
)


class FosterHomeRequestRepository(Repository[FosterHomeRequest]):
    model = FosterHomeRequest

    async def list(
        self,
        page: PageRequest,
        *,
        status: FosterHomeRequestStatus | None,
        region: Region | None,
        municipality_number: str | None,
    ) -> Window[FosterHomeRequest]:
        query = select(FosterHomeRequest)
        if status is not None:
            query = query.where(FosterHomeRequest.status == status)
        if region is not None:
            query = query.where(FosterHomeRequest.region == region)
        if municipality_number is not None:
            query = query.where(FosterHomeRequest.municipality_number == municipality_number)
        return await self.window(query, page)

    async def list_by_national_id_hash(self, lookup_hash: bytes) -> Sequence[FosterHomeRequest]:
        return await self.all(
            select(FosterHomeRequest)
            .where(FosterHomeRequest.national_id_hash == lookup_hash)
            .order_by(FosterHomeRequest.id)
        )


class WaitingReasonRepository(Repository[WaitingReasonEntry]):
    model = WaitingReasonEntry

    async def list_current(
        self, foster_home_request_ids: Sequence[UUID], on: date
    ) -> dict[UUID, WaitingReason]:
        """Each request's reason recorded last on or before `on` (one query for a page)."""
        if not foster_home_request_ids:
            return {}
        entries = await self.all(
            select(WaitingReasonEntry)
            .where(
                WaitingReasonEntry.foster_home_request_id.in_(foster_home_request_ids),
                WaitingReasonEntry.from_date <= on,
            )
            .distinct(WaitingReasonEntry.foster_home_request_id)
            .order_by(
                WaitingReasonEntry.foster_home_request_id,
                WaitingReasonEntry.from_date.desc(),
                WaitingReasonEntry.id.desc(),
            )
        )
        return {entry.foster_home_request_id: entry.reason for entry in entries}

    async def list_of(self, foster_home_request_id: UUID) -> Sequence[WaitingReasonEntry]:
        return await self.all(
            select(WaitingReasonEntry)
            .where(WaitingReasonEntry.foster_home_request_id == foster_home_request_id)
            .order_by(WaitingReasonEntry.from_date, WaitingReasonEntry.id)
        )


class FamilyGroupConferenceRepository(Repository[FamilyGroupConference]):
    model = FamilyGroupConference

    async def get_of(
        self, foster_home_request_id: UUID, conference_id: UUID, *, for_update: bool = False
    ) -> FamilyGroupConference | None:
        return await self.first(
            select(FamilyGroupConference).where(
                FamilyGroupConference.id == conference_id,
                FamilyGroupConference.foster_home_request_id == foster_home_request_id,
            ),
            for_update=for_update,
        )

    async def list_of(self, foster_home_request_id: UUID) -> Sequence[FamilyGroupConference]:
        return await self.all(
            select(FamilyGroupConference)
            .where(FamilyGroupConference.foster_home_request_id == foster_home_request_id)
            .order_by(FamilyGroupConference.offered_on, FamilyGroupConference.id)
        )


class ChildConversationRepository(Repository[ChildConversation]):
    model = ChildConversation

    async def list_of(self, foster_home_request_id: UUID) -> Sequence[ChildConversation]:
        return await self.all(
            select(ChildConversation)
            .where(ChildConversation.foster_home_request_id == foster_home_request_id)
            .order_by(ChildConversation.held_on, ChildConversation.id)
        )

    async def get_alone_with_view_by(
        self, foster_home_request_id: UUID, day: date
    ) -> ChildConversation | None:
        """A talk with the child alone, the child's view recorded, on or before `day`."""
        return await self.first(
            select(ChildConversation)
            .where(
                ChildConversation.foster_home_request_id == foster_home_request_id,
                ChildConversation.view_recorded,
                ChildConversation.held_on <= day,
            )
            .limit(1)
        )


class ProposalRepository(Repository[Proposal]):
    model = Proposal

    async def get_of(
        self, foster_home_request_id: UUID, proposal_id: UUID, *, for_update: bool = False
    ) -> Proposal | None:
        return await self.first(
            select(Proposal).where(
                Proposal.id == proposal_id,
                Proposal.foster_home_request_id == foster_home_request_id,
            ),
            for_update=for_update,
        )

    async def list_of(self, foster_home_request_id: UUID) -> Sequence[Proposal]:
        return await self.all(
            select(Proposal)
            .where(Proposal.foster_home_request_id == foster_home_request_id)
            .order_by(Proposal.proposed_at, Proposal.id)
        )

    async def list_live_of_home(self, foster_home_id: UUID) -> Sequence[Proposal]:
        """The home's proposals that hold a place (pending, or accepted and the child not
        yet placed), locked until commit."""
        return await self.all(
            select(Proposal)
            .join(FosterHomeRequest, FosterHomeRequest.id == Proposal.foster_home_request_id)
            .where(
                Proposal.foster_home_id == foster_home_id,
                Proposal.status.in_(("pending", "accepted")),
                FosterHomeRequest.status == FosterHomeRequestStatus.proposed,
            )
            .order_by(Proposal.foster_home_request_id)
            .with_for_update(of=Proposal)
        )

    async def get_live_of(self, foster_home_request_id: UUID) -> Proposal | None:
        """The request's pending or accepted proposal."""
        return await self.first(
            select(Proposal)
            .where(
                Proposal.foster_home_request_id == foster_home_request_id,
                Proposal.status.in_(("pending", "accepted")),
            )
            .order_by(Proposal.proposed_at.desc())
            .limit(1)
        )


class BreachConfirmationRepository(Repository[BreachConfirmation]):
    model = BreachConfirmation

    async def list_of(
        self, foster_home_request_ids: Sequence[UUID]
    ) -> dict[UUID, list[BreachConfirmation]]:
        if not foster_home_request_ids:
            return {}
        rows = await self.all(
            select(BreachConfirmation)
            .where(BreachConfirmation.foster_home_request_id.in_(foster_home_request_ids))
            .order_by(BreachConfirmation.confirmed_at, BreachConfirmation.id)
        )
        grouped: dict[UUID, list[BreachConfirmation]] = {}
        for row in rows:
            grouped.setdefault(row.foster_home_request_id, []).append(row)
        return grouped


# A home's places are held by placements not ended by a day and by the live proposal of a
# request not yet placed (pending, or accepted and awaiting the move).
_HELD = """
    SELECT foster_home_id FROM foster_placement
    WHERE end_date IS NULL OR end_date > :today
    UNION ALL
    SELECT p.foster_home_id FROM proposal p
    JOIN foster_home_request r ON r.id = p.foster_home_request_id
    WHERE p.status IN ('pending', 'accepted') AND r.status = 'proposed'
"""

# On the driver: the candidates and the waiting list are the reads the benchmark names.
# A need met by where a home is (close to school, close to family: NEEDS_MET_BY_PLACE) is met
# only by a home in the child's own municipality, whatever the home lists as suited for.
# (The SQL is put together from constant fragments only; every value is a bind parameter.)
_CANDIDATES = DriverStatement(
    text(
        f"""
        WITH held AS (
            SELECT foster_home_id, count(*) AS n FROM ({_HELD}) taken GROUP BY foster_home_id
        ), free AS (
            SELECT h.id, h.region, h.municipality_number, h.kind, h.training_programme,
                   h.suited_for, h.places - coalesce(held.n, 0) AS free_places
            FROM foster_home h LEFT JOIN held ON held.foster_home_id = h.id
            WHERE h.stage = 'approved' AND h.paused_at IS NULL AND h.places > 0
              AND (h.kind <> 'kinship' OR h.kinship_request_id = :request_id)
        )
        SELECT id, region, municipality_number, kind, training_programme, suited_for,
               free_places,
               ARRAY(
                   SELECT need FROM unnest(CAST(:needs AS text[])) AS need
                   WHERE CASE WHEN need IN ('close_to_school', 'close_to_family')
                              THEN municipality_number = :municipality_number
                              ELSE need = ANY(suited_for) END
               ) AS needs_met
        FROM free
        WHERE free_places > 0
        ORDER BY region <> :region,
                 cardinality(ARRAY(
                     SELECT need FROM unnest(CAST(:needs AS text[])) AS need
                     WHERE CASE WHEN need IN ('close_to_school', 'close_to_family')
                                THEN municipality_number = :municipality_number
                                ELSE need = ANY(suited_for) END
                 )) DESC,
                 free_places DESC, id
        LIMIT :limit OFFSET :offset
        """  # noqa: S608
    )
    .bindparams(
        bindparam("today", type_=Date()),
        bindparam("request_id", type_=Uuid()),
        bindparam("needs", type_=ARRAY(Text())),
        bindparam("municipality_number", type_=Text()),
        bindparam("region", type_=Text()),
        bindparam("limit", type_=Integer()),
        bindparam("offset", type_=Integer()),
    )
    .columns(
        id=Uuid(),
        region=Text(),
        municipality_number=Text(),
        kind=Text(),
        training_programme=Text(),
        suited_for=ARRAY(Text()),
        free_places=Integer(),
        needs_met=ARRAY(Text()),
    )
)

_HELD_BY_HOME = DriverStatement(
    text(f"SELECT count(*) AS n FROM ({_HELD}) taken WHERE foster_home_id = :foster_home_id")  # noqa: S608
    .bindparams(bindparam("today", type_=Date()), bindparam("foster_home_id", type_=Uuid()))
    .columns(n=Integer())
)

# The waiting list as of a day: requests known by then, due before it, neither placed nor
# withdrawn by then; the waiting reason is the one recorded last on or before the day.
_WAITING = DriverStatement(
    text(
        """
        SELECT r.id, r.region, r.municipality_number, r.desired_start_date, r.age_years,
               :as_of - r.desired_start_date AS days_waiting,
               coalesce((
                   SELECT w.reason FROM waiting_reason w
                   WHERE w.foster_home_request_id = r.id AND w.from_date <= :as_of
                   ORDER BY w.from_date DESC, w.id DESC LIMIT 1
               ), 'no_suitable_home') AS waiting_reason
        FROM foster_home_request r
        WHERE r.desired_start_date < :as_of
          AND r.requested_on <= :as_of
          AND (r.placed_on IS NULL OR r.placed_on > :as_of)
          AND (r.withdrawn_on IS NULL OR r.withdrawn_on > :as_of)
          AND (:region IS NULL OR r.region = :region)
          AND (:municipality_number IS NULL OR r.municipality_number = :municipality_number)
        ORDER BY r.desired_start_date, r.id
        LIMIT :limit OFFSET :offset
        """
    )
    .bindparams(
        bindparam("as_of", type_=Date()),
        bindparam("region", type_=Text()),
        bindparam("municipality_number", type_=Text()),
        bindparam("limit", type_=Integer()),
        bindparam("offset", type_=Integer()),
    )
    .columns(
        id=Uuid(),
        region=Text(),
        municipality_number=Text(),
        desired_start_date=Date(),
        age_years=Integer(),
        days_waiting=Integer(),
        waiting_reason=Text(),
    )
)


class PlaceRepository:
    """Free places in approved foster homes and the homes a request may be offered: a query
    over homes, placements and proposals (an aggregate of none of them)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def list_candidates(
        self,
        request: FosterHomeRequest,
        today: date,
        *,
        limit: int,
        offset: int,
    ) -> list[dict[str, Any]]:
        """Approved, available homes with a free place (a kinship home only for its own
        request): the request's region first, then by how many of its needs they meet."""
        return await self.uow.fetch(
            _CANDIDATES,
            today=today,
            request_id=request.id,
            needs=list(request.needs),
            municipality_number=request.municipality_number,
            region=str(request.region),
            limit=limit,
            offset=offset,
        )

    async def count_held(self, foster_home_id: UUID, today: date) -> int:
        """How many of the home's places are taken or held by a live proposal."""
        row = await self.uow.fetch_one(_HELD_BY_HOME, today=today, foster_home_id=foster_home_id)
        return int(row["n"]) if row is not None else 0


class WaitingListRepository:
    """The children waiting as of a day, longest first: a query over requests and their
    waiting reasons."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def list(
        self,
        as_of: date,
        *,
        region: Region | None,
        municipality_number: str | None,
        limit: int,
        offset: int,
    ) -> list[dict[str, Any]]:
        return await self.uow.fetch(
            _WAITING,
            as_of=as_of,
            region=str(region) if region is not None else None,
            municipality_number=municipality_number,
            limit=limit,
            offset=offset,
        )
