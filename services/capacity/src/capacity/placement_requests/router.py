from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from capacity.codes import InstitutionFunction, PlacementRequestStatus, Urgency
from capacity.dependencies import get_ranking_cache, get_vault, read_scope, write_scope
from capacity.placement_requests import service
from capacity.placement_requests.ranking_cache import RankingCache
from capacity.placement_requests.schemas import (
    BreachConfirmationIn,
    BreachConfirmationOut,
    CandidateList,
    CloseIn,
    DecisionIn,
    NationalIdSearch,
    OfferIn,
    OfferOut,
    PlacementRequestIn,
    PlacementRequestOut,
)
from common.auth import Principal
from common.errors import problem_responses
from common.etag import etag_of
from common.http import created
from common.pagination import (
    OffsetPageRequest,
    Page,
    PageRequest,
    offset_page_request,
    page_request,
)
from common.pii import NationalIdVault
from common.reference import Region
from common.routing import UnitOfWorkRoute, get_uow
from common.uow import UnitOfWork

router = APIRouter(
    prefix="/v1/placement-requests",
    tags=["placement requests"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "",
    status_code=201,
    summary="Ask for a place (a municipality's request)",
    responses=problem_responses(409, 422),
)
async def create_placement_request(
    body: PlacementRequestIn,
    response: Response,
    principal: Principal = Depends(write_scope),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> PlacementRequestOut:
    placement_request = await service.create_placement_request(uow, principal, vault, body)
    created(response, f"/v1/placement-requests/{placement_request.id}", placement_request.version)
    return placement_request


@router.get("", summary="List placement requests")
async def list_placement_requests(
    status: PlacementRequestStatus | None = Query(
        None, description="`breached` includes open requests past their deadline at once."
    ),
    region: Region | None = Query(None),
    municipality_number: str | None = Query(None, pattern=r"^[0-9]{4}$"),
    urgency: Urgency | None = Query(None),
    function: InstitutionFunction | None = Query(None),
    page: PageRequest = Depends(page_request),
    principal: Principal = Depends(read_scope),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> Page[PlacementRequestOut]:
    return await service.list_placement_requests(
        uow,
        principal,
        vault,
        page,
        status=status,
        region=region,
        municipality_number=municipality_number,
        urgency=urgency,
        function=function,
    )


@router.post(
    "/search",
    summary="Find requests by national identity number",
    description="A POST so the number never appears in a URL or an access log.",
    responses=problem_responses(422),
)
async def search_placement_requests(
    body: NationalIdSearch,
    principal: Principal = Depends(read_scope),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> Page[PlacementRequestOut]:
    return await service.search_placement_requests(uow, principal, vault, body.national_id)


@router.get(
    "/{placement_request_id}",
    summary="Read a placement request",
    responses=problem_responses(404),
)
async def get_placement_request(
    placement_request_id: UUID,
    response: Response,
    principal: Principal = Depends(read_scope),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> PlacementRequestOut:
    placement_request = await service.get_placement_request(
        uow, principal, vault, placement_request_id
    )
    response.headers["ETag"] = etag_of(placement_request.version)
    return placement_request


@router.get(
    "/{placement_request_id}/candidates",
    summary="Free places by the 5-step priority order",
    responses=problem_responses(404),
)
async def list_candidates(
    placement_request_id: UUID,
    page: OffsetPageRequest = Depends(offset_page_request),
    cache: RankingCache = Depends(get_ranking_cache),
    principal: Principal = Depends(read_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> CandidateList:
    return await service.list_candidates(uow, principal, cache, placement_request_id, page)


@router.post(
    "/{placement_request_id}/offers",
    status_code=201,
    summary="Offer a place",
    responses=problem_responses(404, 409, 422),
)
async def create_offer(
    placement_request_id: UUID,
    body: OfferIn,
    response: Response,
    principal: Principal = Depends(write_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> OfferOut:
    offer = await service.create_offer(uow, principal, placement_request_id, body)
    created(response, f"/v1/placement-requests/{placement_request_id}/offers/{offer.id}")
    return offer


@router.get(
    "/{placement_request_id}/offers",
    summary="The offers made on a request",
    responses=problem_responses(404),
)
async def list_offers(
    placement_request_id: UUID,
    principal: Principal = Depends(read_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> Page[OfferOut]:
    return await service.list_offers(uow, principal, placement_request_id)


@router.get(
    "/{placement_request_id}/offers/{offer_id}",
    summary="Read an offer",
    responses=problem_responses(404),
)
async def get_offer(
    placement_request_id: UUID,
    offer_id: UUID,
    principal: Principal = Depends(read_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> OfferOut:
    return await service.get_offer(uow, principal, placement_request_id, offer_id)


@router.post(
    "/{placement_request_id}/offers/{offer_id}/decision",
    summary="Record the municipality's decision on an offer",
    responses=problem_responses(404, 409, 422),
)
async def decide_offer(
    placement_request_id: UUID,
    offer_id: UUID,
    body: DecisionIn,
    principal: Principal = Depends(write_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> OfferOut:
    return await service.decide_offer(uow, principal, placement_request_id, offer_id, body)


@router.post(
    "/{placement_request_id}/breach-confirmations",
    status_code=201,
    summary="Confirm a breach of the duty to assist",
    responses=problem_responses(404, 409, 422),
)
async def create_breach_confirmation(
    placement_request_id: UUID,
    body: BreachConfirmationIn,
    response: Response,
    principal: Principal = Depends(write_scope),
    uow: UnitOfWork = Depends(get_uow),
) -> BreachConfirmationOut:
    confirmation = await service.create_breach_confirmation(
        uow, principal, placement_request_id, body
    )
    # Confirmations are read with their request.
    created(response, f"/v1/placement-requests/{placement_request_id}")
    return confirmation


@router.post(
    "/{placement_request_id}/close",
    summary="Close a request without a placement",
    responses=problem_responses(404, 409, 422),
)
async def close_placement_request(
    placement_request_id: UUID,
    body: CloseIn,
    response: Response,
    principal: Principal = Depends(write_scope),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> PlacementRequestOut:
    placement_request = await service.close_placement_request(
        uow, principal, vault, placement_request_id, body
    )
    response.headers["ETag"] = etag_of(placement_request.version)
    return placement_request
