from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Path, Response

from common.errors import problem_responses
from common.http import created
from common.routing import UnitOfWorkRoute
from family_counselling.certificates import service
from family_counselling.certificates.schemas import CertificateCheck, CertificateOut
from family_counselling.dependencies import Context, read_scope, write_scope

router = APIRouter(
    prefix="/v1",
    tags=["mediation certificates"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "/cases/{case_id}/mediation-certificate",
    status_code=201,
    summary="Issue the mediation certificate (after an attended mediation session)",
    responses=problem_responses(404, 409),
)
async def create_certificate(
    case_id: UUID, response: Response, context: Context = Depends(write_scope)
) -> CertificateOut:
    certificate = await service.create_certificate(context.uow, context.principal, case_id)
    created(response, f"/v1/mediation-certificates/{certificate.certificate_number}")
    return certificate


@router.get(
    "/mediation-certificates/{number}",
    summary="Check a mediation certificate: valid or expired, with its dates",
    responses=problem_responses(404, 422),
)
async def check_certificate(
    number: str = Path(
        max_length=20, pattern=service.NUMBER_PATTERN, examples=["MK-7Q2D-X9HF-K3MA"]
    ),
    context: Context = Depends(read_scope),
) -> CertificateCheck:
    return await service.check_certificate(context.uow, number)
