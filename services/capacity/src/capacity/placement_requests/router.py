from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from capacity.codes import InstitutionFunction, PlacementRequestStatus, Urgency
from capacity.dependencies import Context, read_scope, write_scope
from capacity.placement_requests import service
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
from common.errors import problem_responses
from common.etag import etag_of
from common.http import created
from common.pagination import OffsetPageRequest, Page, PageRequest
from common.reference import Region
from common.routing import UnitOfWorkRoute

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
    context: Context = Depends(write_scope),
) -> PlacementRequestOut:
    placement_request = await service.create_placement_request(
        context.uow, context.principal, context.vault, body
    )
    created(response, f"/v1/placement-requests/{placement_request.id}", placement_request.version)
    return placement_request


@router.get("", summary="List placement requests")
async def list_placement_requests(
    page: Annotated[PageRequest, Query()],
    status: PlacementRequestStatus | None = Query(
        None, description="`breached` includes open requests past their deadline at once."
    ),
    region: Region | None = Query(None),
    municipality_number: str | None = Query(None, pattern=r"^[0-9]{4}$"),
    urgency: Urgency | None = Query(None),
    function: InstitutionFunction | None = Query(None),
    context: Context = Depends(read_scope),
) -> Page[PlacementRequestOut]:
    return await service.list_placement_requests(
        context.uow,
        context.principal,
        context.vault,
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
    context: Context = Depends(read_scope),
) -> Page[PlacementRequestOut]:
    return await service.search_placement_requests(
        context.uow, context.principal, context.vault, body.national_id
    )


@router.get(
    "/{placement_request_id}",
    summary="Read a placement request",
    responses=problem_responses(404),
)
async def get_placement_request(
    placement_request_id: UUID,
    response: Response,
    context: Context = Depends(read_scope),
) -> PlacementRequestOut:
    placement_request = await service.get_placement_request(
        context.uow, context.principal, context.vault, placement_request_id
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
    page: Annotated[OffsetPageRequest, Query()],
    context: Context = Depends(read_scope),
) -> CandidateList:
    return await service.list_candidates(
        context.uow, context.principal, context.ranking_cache, placement_request_id, page
    )


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
    context: Context = Depends(write_scope),
) -> OfferOut:
    offer = await service.create_offer(context.uow, context.principal, placement_request_id, body)
    created(response, f"/v1/placement-requests/{placement_request_id}/offers/{offer.id}")
    return offer


@router.get(
    "/{placement_request_id}/offers",
    summary="The offers made on a request",
    responses=problem_responses(404),
)
async def list_offers(
    placement_request_id: UUID,
    context: Context = Depends(read_scope),
) -> Page[OfferOut]:
    return await service.list_offers(context.uow, context.principal, placement_request_id)


@router.get(
    "/{placement_request_id}/offers/{offer_id}",
    summary="Read an offer",
    responses=problem_responses(404),
)
async def get_offer(
    placement_request_id: UUID,
    offer_id: UUID,
    context: Context = Depends(read_scope),
) -> OfferOut:
    return await service.get_offer(context.uow, context.principal, placement_request_id, offer_id)


@router.post(
    "/{placement_request_id}/offers/{offer_id}/decision",
    summary="Record the municipality's decision on an offer",
    responses=problem_responses(404, 409, 422),
)
async def decide_offer(
    placement_request_id: UUID,
    offer_id: UUID,
    body: DecisionIn,
    context: Context = Depends(write_scope),
) -> OfferOut:
    return await service.decide_offer(
        context.uow, context.principal, placement_request_id, offer_id, body
    )


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
    context: Context = Depends(write_scope),
) -> BreachConfirmationOut:
    confirmation = await service.create_breach_confirmation(
        context.uow, context.principal, placement_request_id, body
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
    context: Context = Depends(write_scope),
) -> PlacementRequestOut:
    placement_request = await service.close_placement_request(
        context.uow, context.principal, context.vault, placement_request_id, body
    )
    response.headers["ETag"] = etag_of(placement_request.version)
    return placement_request
