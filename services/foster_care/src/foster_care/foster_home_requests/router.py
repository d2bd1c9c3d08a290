from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from common.errors import problem_responses
from common.etag import etag_of
from common.http import created
from common.pagination import OffsetPageRequest, Page, PageRequest
from common.reference import Region
from common.routing import UnitOfWorkRoute
from common.schemas import Day
from foster_care.codes import FosterHomeRequestStatus
from foster_care.dependencies import Context, read_scope, write_scope
from foster_care.foster_home_requests import service
from foster_care.foster_home_requests.schemas import (
    BreachConfirmationIn,
    BreachConfirmationOut,
    CandidateList,
    ChildConversationIn,
    ChildConversationOut,
    ConferenceHeldIn,
    DecisionIn,
    FamilyGroupConferenceIn,
    FamilyGroupConferenceOut,
    FosterHomeRequestIn,
    FosterHomeRequestOut,
    NationalIdSearch,
    ProposalIn,
    ProposalOut,
    WaitingList,
    WaitingReasonIn,
    WaitingReasonOut,
    WithdrawIn,
)

router = APIRouter(
    prefix="/v1/foster-home-requests",
    tags=["foster-home requests"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)
waiting_list_router = APIRouter(
    prefix="/v1/waiting-list",
    tags=["foster-home requests"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "",
    status_code=201,
    summary="Ask for a foster home (a municipality's request)",
    responses=problem_responses(409, 422),
)
async def create_foster_home_request(
    body: FosterHomeRequestIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> FosterHomeRequestOut:
    request = await service.create_foster_home_request(
        context.uow, context.principal, context.vault, body
    )
    created(response, f"/v1/foster-home-requests/{request.id}", request.version)
    return request


@router.get("", summary="List foster-home requests")
async def list_foster_home_requests(
    page: Annotated[PageRequest, Query()],
    status: FosterHomeRequestStatus | None = Query(None),
    region: Region | None = Query(None),
    municipality_number: str | None = Query(None, pattern=r"^[0-9]{4}$"),
    context: Context = Depends(read_scope),
) -> Page[FosterHomeRequestOut]:
    return await service.list_foster_home_requests(
        context.uow,
        context.principal,
        context.vault,
        page,
        status=status,
        region=region,
        municipality_number=municipality_number,
    )


@router.post(
    "/search",
    summary="Find requests by national identity number",
    description="A POST so the number never appears in a URL or an access log.",
    responses=problem_responses(422),
)
async def search_foster_home_requests(
    body: NationalIdSearch,
    context: Context = Depends(read_scope),
) -> Page[FosterHomeRequestOut]:
    return await service.search_foster_home_requests(
        context.uow, context.principal, context.vault, body.national_id
    )


@router.get(
    "/{foster_home_request_id}",
    summary="Read a foster-home request",
    responses=problem_responses(404),
)
async def get_foster_home_request(
    foster_home_request_id: UUID,
    response: Response,
    context: Context = Depends(read_scope),
) -> FosterHomeRequestOut:
    request = await service.get_foster_home_request(
        context.uow, context.principal, context.vault, foster_home_request_id
    )
    response.headers["ETag"] = etag_of(request.version)
    return request


@router.post(
    "/{foster_home_request_id}/waiting-reasons",
    status_code=201,
    summary="Record why the child is still waiting, from a date",
    responses=problem_responses(404, 409, 422),
)
async def create_waiting_reason(
    foster_home_request_id: UUID,
    body: WaitingReasonIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> WaitingReasonOut:
    entry = await service.create_waiting_reason(
        context.uow, context.principal, foster_home_request_id, body
    )
    created(response, f"/v1/foster-home-requests/{foster_home_request_id}/waiting-reasons")
    return entry


@router.get(
    "/{foster_home_request_id}/waiting-reasons",
    summary="The waiting reasons recorded, oldest first",
    responses=problem_responses(404),
)
async def list_waiting_reasons(
    foster_home_request_id: UUID,
    context: Context = Depends(read_scope),
) -> Page[WaitingReasonOut]:
    return await service.list_waiting_reasons(
        context.uow, context.principal, foster_home_request_id
    )


@router.post(
    "/{foster_home_request_id}/family-group-conferences",
    status_code=201,
    summary="Record a family group conference (familieråd) offered, and held",
    responses=problem_responses(404, 409, 422),
)
async def create_family_group_conference(
    foster_home_request_id: UUID,
    body: FamilyGroupConferenceIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> FamilyGroupConferenceOut:
    conference = await service.create_family_group_conference(
        context.uow, context.principal, foster_home_request_id, body
    )
    created(response, f"/v1/foster-home-requests/{foster_home_request_id}/family-group-conferences")
    return conference


@router.get(
    "/{foster_home_request_id}/family-group-conferences",
    summary="The family group conferences of a request",
    responses=problem_responses(404),
)
async def list_family_group_conferences(
    foster_home_request_id: UUID,
    context: Context = Depends(read_scope),
) -> Page[FamilyGroupConferenceOut]:
    return await service.list_family_group_conferences(
        context.uow, context.principal, foster_home_request_id
    )


@router.post(
    "/{foster_home_request_id}/family-group-conferences/{conference_id}/held",
    summary="Record that an offered family group conference was held",
    responses=problem_responses(404, 409, 422),
)
async def record_conference_held(
    foster_home_request_id: UUID,
    conference_id: UUID,
    body: ConferenceHeldIn,
    context: Context = Depends(write_scope),
) -> FamilyGroupConferenceOut:
    return await service.record_conference_held(
        context.uow, context.principal, foster_home_request_id, conference_id, body
    )


@router.post(
    "/{foster_home_request_id}/child-conversations",
    status_code=201,
    summary="Record that the child was talked to alone, and their view recorded",
    description="Required before a kinship home is proposed (the young people's own demand).",
    responses=problem_responses(404, 409, 422),
)
async def create_child_conversation(
    foster_home_request_id: UUID,
    body: ChildConversationIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> ChildConversationOut:
    conversation = await service.create_child_conversation(
        context.uow, context.principal, foster_home_request_id, body
    )
    created(response, f"/v1/foster-home-requests/{foster_home_request_id}/child-conversations")
    return conversation


@router.get(
    "/{foster_home_request_id}/child-conversations",
    summary="The talks with the child alone",
    responses=problem_responses(404),
)
async def list_child_conversations(
    foster_home_request_id: UUID,
    context: Context = Depends(read_scope),
) -> Page[ChildConversationOut]:
    return await service.list_child_conversations(
        context.uow, context.principal, foster_home_request_id
    )


@router.get(
    "/{foster_home_request_id}/candidates",
    summary="Foster homes the child may be proposed, best first, each with its reason",
    responses=problem_responses(404),
)
async def list_candidates(
    foster_home_request_id: UUID,
    page: Annotated[OffsetPageRequest, Query()],
    context: Context = Depends(read_scope),
) -> CandidateList:
    return await service.list_candidates(
        context.uow, context.principal, foster_home_request_id, page
    )


@router.post(
    "/{foster_home_request_id}/proposals",
    status_code=201,
    summary="Propose a foster home for the child",
    responses=problem_responses(404, 409, 422),
)
async def create_proposal(
    foster_home_request_id: UUID,
    body: ProposalIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> ProposalOut:
    proposal = await service.create_proposal(
        context.uow, context.principal, foster_home_request_id, body
    )
    created(response, f"/v1/foster-home-requests/{foster_home_request_id}/proposals/{proposal.id}")
    return proposal


@router.get(
    "/{foster_home_request_id}/proposals",
    summary="The proposals made on a request",
    responses=problem_responses(404),
)
async def list_proposals(
    foster_home_request_id: UUID,
    context: Context = Depends(read_scope),
) -> Page[ProposalOut]:
    return await service.list_proposals(context.uow, context.principal, foster_home_request_id)


@router.get(
    "/{foster_home_request_id}/proposals/{proposal_id}",
    summary="Read a proposal",
    responses=problem_responses(404),
)
async def get_proposal(
    foster_home_request_id: UUID,
    proposal_id: UUID,
    context: Context = Depends(read_scope),
) -> ProposalOut:
    return await service.get_proposal(
        context.uow, context.principal, foster_home_request_id, proposal_id
    )


@router.post(
    "/{foster_home_request_id}/proposals/{proposal_id}/decision",
    summary="Accept or decline a proposal",
    responses=problem_responses(404, 409, 422),
)
async def decide_proposal(
    foster_home_request_id: UUID,
    proposal_id: UUID,
    body: DecisionIn,
    context: Context = Depends(write_scope),
) -> ProposalOut:
    return await service.decide_proposal(
        context.uow, context.principal, foster_home_request_id, proposal_id, body
    )


@router.post(
    "/{foster_home_request_id}/breach-confirmations",
    status_code=201,
    summary="Confirm a breach of the duty to assist",
    responses=problem_responses(404, 409, 422),
)
async def create_breach_confirmation(
    foster_home_request_id: UUID,
    body: BreachConfirmationIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> BreachConfirmationOut:
    confirmation = await service.create_breach_confirmation(
        context.uow, context.principal, foster_home_request_id, body
    )
    # Confirmations are read with their request.
    created(response, f"/v1/foster-home-requests/{foster_home_request_id}")
    return confirmation


@router.post(
    "/{foster_home_request_id}/withdraw",
    summary="Withdraw a request (the child no longer waits)",
    responses=problem_responses(404, 409, 422),
)
async def withdraw_foster_home_request(
    foster_home_request_id: UUID,
    body: WithdrawIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> FosterHomeRequestOut:
    request = await service.withdraw_foster_home_request(
        context.uow, context.principal, context.vault, foster_home_request_id, body
    )
    response.headers["ETag"] = etag_of(request.version)
    return request


@waiting_list_router.get(
    "",
    summary="Children waiting for a foster home as of a date, longest waiting first",
    responses=problem_responses(422),
)
async def list_waiting(
    page: Annotated[OffsetPageRequest, Query()],
    as_of: Day | None = Query(
        None, description="The day (Oslo) the list is as of; default today. Any past day."
    ),
    region: Region | None = Query(None),
    municipality_number: str | None = Query(None, pattern=r"^[0-9]{4}$"),
    context: Context = Depends(read_scope),
) -> WaitingList:
    return await service.list_waiting(
        context.uow,
        context.principal,
        page,
        as_of=as_of,
        region=region,
        municipality_number=municipality_number,
    )
