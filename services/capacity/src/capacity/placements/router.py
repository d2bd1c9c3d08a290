from __future__ import annotations

from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query, Response

from capacity.codes import InstitutionFunction, PlacementRequestStatus, Urgency
from capacity.dependencies import get_ranking_cache, get_vault
from capacity.placements import service
from capacity.placements.ranking_cache import RankingCache
from capacity.placements.schemas import (
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
from common import clock
from common.auth import Principal, require_scopes
from common.errors import problem_responses
from common.etag import etag_of
from common.pagination import (
    OffsetPageRequest,
    Page,
    PageRequest,
    offset_page_request,
    page_of,
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
read = require_scopes("capacity.read")
write = require_scopes("capacity.write")


@router.post(
    "",
    status_code=201,
    summary="Ask for a place (a municipality's request)",
    responses=problem_responses(409, 422),
)
async def create_placement_request(
    body: PlacementRequestIn,
    response: Response,
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> PlacementRequestOut:
    request = await service.create_request(uow, principal, vault, body)
    response.headers["Location"] = f"/v1/placement-requests/{request.id}"
    response.headers["ETag"] = etag_of(request.version)
    return service.to_out(request, vault, clock.now())


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
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> Page[PlacementRequestOut]:
    rows, confirmations = await service.list_requests(
        uow,
        principal,
        page,
        status=status,
        region=region,
        municipality_number=municipality_number,
        urgency=urgency,
        function=function,
    )
    now = clock.now()
    items = [service.to_out(row, vault, now, confirmations.get(row.id, [])) for row in rows]
    return page_of(items, page, lambda item: item.id)


@router.post(
    "/search",
    summary="Find requests by national identity number",
    description="A POST so the number never appears in a URL or an access log.",
    responses=problem_responses(422),
)
async def search_placement_requests(
    body: NationalIdSearch,
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> Page[PlacementRequestOut]:
    rows = await service.search_by_national_id(uow, principal, vault, body.national_id)
    now = clock.now()
    return Page[PlacementRequestOut](items=[service.to_out(row, vault, now) for row in rows])


@router.get("/{request_id}", summary="Read a placement request", responses=problem_responses(404))
async def get_placement_request(
    request_id: UUID,
    response: Response,
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> PlacementRequestOut:
    request, confirmations = await service.read_request(uow, principal, request_id)
    response.headers["ETag"] = etag_of(request.version)
    return service.to_out(request, vault, clock.now(), confirmations)


@router.get(
    "/{request_id}/candidates",
    summary="Free places by the 5-step priority order",
    response_model=CandidateList,
    responses=problem_responses(404),
)
async def list_candidates(
    request_id: UUID,
    page: OffsetPageRequest = Depends(offset_page_request),
    cache: RankingCache = Depends(get_ranking_cache),
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
) -> Response:
    request, ranked = await service.candidates(
        uow, principal, cache, request_id, limit=page.limit, offset=page.offset
    )
    # A `CandidateList`, with the candidates as serialized once for the cache.
    body = {
        "placement_request_id": str(request.id),
        "date": request.desired_start_date,
        "items": ranked.candidates_json,
        "next_cursor": page.next_cursor(len(ranked.candidates) + ranked.has_more),
    }
    return Response(orjson.dumps(body), media_type="application/json")


@router.post(
    "/{request_id}/offers",
    status_code=201,
    summary="Offer a place",
    responses=problem_responses(404, 409, 422),
)
async def make_offer(
    request_id: UUID,
    body: OfferIn,
    response: Response,
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
) -> OfferOut:
    offer = await service.make_offer(uow, principal, request_id, body)
    response.headers["Location"] = f"/v1/placement-requests/{request_id}/offers/{offer.id}"
    return OfferOut.model_validate(offer)


@router.get(
    "/{request_id}/offers", summary="The offers made on a request", responses=problem_responses(404)
)
async def list_offers(
    request_id: UUID,
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
) -> Page[OfferOut]:
    offers = await service.list_offers(uow, principal, request_id)
    return Page[OfferOut](items=[OfferOut.model_validate(offer) for offer in offers])


@router.get(
    "/{request_id}/offers/{offer_id}", summary="Read an offer", responses=problem_responses(404)
)
async def get_offer(
    request_id: UUID,
    offer_id: UUID,
    principal: Principal = Depends(read),
    uow: UnitOfWork = Depends(get_uow),
) -> OfferOut:
    return OfferOut.model_validate(await service.read_offer(uow, principal, request_id, offer_id))


@router.post(
    "/{request_id}/offers/{offer_id}/decision",
    summary="Record the municipality's decision on an offer",
    responses=problem_responses(404, 409, 422),
)
async def decide_on_offer(
    request_id: UUID,
    offer_id: UUID,
    body: DecisionIn,
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
) -> OfferOut:
    offer = await service.decide(uow, principal, request_id, offer_id, body)
    return OfferOut.model_validate(offer)


@router.post(
    "/{request_id}/breach-confirmations",
    status_code=201,
    summary="Confirm a breach of the duty to assist",
    responses=problem_responses(404, 409, 422),
)
async def confirm_breach(
    request_id: UUID,
    body: BreachConfirmationIn,
    response: Response,
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
) -> BreachConfirmationOut:
    confirmation = await service.confirm_breach(uow, principal, request_id, body)
    response.headers["Location"] = f"/v1/placement-requests/{request_id}"
    return BreachConfirmationOut.model_validate(confirmation)


@router.post(
    "/{request_id}/close",
    summary="Close a request without a placement",
    responses=problem_responses(404, 409, 422),
)
async def close_placement_request(
    request_id: UUID,
    body: CloseIn,
    principal: Principal = Depends(write),
    uow: UnitOfWork = Depends(get_uow),
    vault: NationalIdVault = Depends(get_vault),
) -> PlacementRequestOut:
    request = await service.close_request(uow, principal, request_id, body)
    return service.to_out(request, vault, clock.now())
