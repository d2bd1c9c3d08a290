from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Response

from common.errors import problem_responses
from common.http import created
from common.pagination import Page, PageRequest
from common.reference import Region
from common.routing import Context, UnitOfWorkRoute
from common.schemas import Instant
from reporting_gateway.dependencies import reports_read_scope, reports_write_scope
from reporting_gateway.kpis.periods import PATTERN
from reporting_gateway.reports import formats, service
from reporting_gateway.reports.schemas import (
    DeviationIn,
    DeviationOut,
    Report,
    ReportKind,
    SubmissionDetail,
    SubmissionList,
    SubmissionOut,
)

router = APIRouter(
    prefix="/v1",
    tags=["reports"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)

PERIOD_FILE = PATTERN.rstrip("$") + r"(\.(xlsx|csv))?$"
SPREADSHEETS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            formats.XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "JSON, or CSV (Accept: text/csv or .csv), or XLSX (.xlsx).",
    }
}


@router.get(
    "/reports/{kind}/{period}",
    summary="A monthly, tertial or annual report, for a region or national",
    responses={**SPREADSHEETS, **problem_responses(422)},
    response_model=Report,
)
async def get_report(
    kind: ReportKind,
    period: str = Path(
        pattern=PERIOD_FILE,
        description="2024-03 (monthly), 2024-T1 (tertial) or 2024 (annual); add .xlsx or "
        ".csv for the spreadsheet.",
        examples=["2024-03", "2024-03.xlsx"],
    ),
    region: Region | None = Query(None, description="Absent: national, with a row per region."),
    known_at: Instant | None = Query(None, description="The figures as known at this instant."),
    accept: str | None = Header(None, include_in_schema=False),
    context: Context = Depends(reports_read_scope),
) -> Response | Report:
    period, _, suffix = period.partition(".")
    report = await service.get_report(
        context.uow, context.principal, kind, period, region, known_at
    )
    wanted = suffix or _format_of(accept)
    name = f"{kind}-{period}-{region or 'national'}"
    if wanted == "xlsx":
        return Response(
            formats.to_xlsx(report),
            media_type=formats.XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    if wanted == "csv":
        return Response(
            formats.to_csv(report),
            media_type=formats.CSV,
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return report


def _format_of(accept: str | None) -> str:
    accept = (accept or "").lower()
    if formats.XLSX in accept:
        return "xlsx"
    if "text/csv" in accept:
        return "csv"
    return "json"


@router.post(
    "/reports/{kind}/{period}/submissions",
    status_code=201,
    summary="Submit a report: its figures frozen as known now",
    responses=problem_responses(422),
)
async def submit_report(
    response: Response,
    kind: ReportKind,
    period: str = Path(pattern=PATTERN, examples=["2024-03"]),
    region: Region | None = Query(None),
    context: Context = Depends(reports_write_scope),
) -> SubmissionOut:
    submission = await service.submit_report(context.uow, context.principal, kind, period, region)
    created(response, f"/v1/reports/{kind}/{period}/submissions/{submission.id}")
    return submission


@router.get(
    "/reports/{kind}/{period}/submissions",
    summary="The submissions of a report",
    responses=problem_responses(422),
)
async def list_submissions(
    kind: ReportKind,
    period: str = Path(pattern=PATTERN, examples=["2024-03"]),
    region: Region | None = Query(None),
    context: Context = Depends(reports_read_scope),
) -> SubmissionList:
    return await service.list_submissions(context.uow, context.principal, kind, period, region)


@router.get(
    "/reports/{kind}/{period}/submissions/{submission_id}",
    summary="A submitted report as it was, beside today's figures and what changed between",
    responses=problem_responses(404, 422),
)
async def get_submission(
    kind: ReportKind,
    submission_id: UUID,
    period: str = Path(pattern=PATTERN, examples=["2024-03"]),
    context: Context = Depends(reports_read_scope),
) -> SubmissionDetail:
    return await service.get_submission(context.uow, context.principal, kind, period, submission_id)


@router.post(
    "/deviations",
    status_code=201,
    summary="Record a region's justification and measures for a value below target",
    responses=problem_responses(422),
)
async def create_deviation(
    body: DeviationIn,
    response: Response,
    context: Context = Depends(reports_write_scope),
) -> DeviationOut:
    deviation = await service.create_deviation(context.uow, context.principal, body)
    created(response, f"/v1/deviations/{deviation.id}")
    return deviation


@router.get("/deviations", summary="List deviations")
async def list_deviations(
    page: Annotated[PageRequest, Query()],
    kpi: str | None = Query(None, max_length=64),
    period: str | None = Query(None, pattern=PATTERN),
    region: Region | None = Query(None),
    context: Context = Depends(reports_read_scope),
) -> Page[DeviationOut]:
    return await service.list_deviations(context.uow, context.principal, page, kpi, period, region)


@router.get("/deviations/{deviation_id}", summary="A deviation", responses=problem_responses(404))
async def get_deviation(
    deviation_id: UUID, context: Context = Depends(reports_read_scope)
) -> DeviationOut:
    return await service.get_deviation(context.uow, context.principal, deviation_id)
