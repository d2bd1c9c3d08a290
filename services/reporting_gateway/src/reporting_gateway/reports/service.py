"""The reports the regions send the directorate (KPIS.md, "Reports built from the
catalogue"): monthly (occupancy for the three target categories, day price against budget)
and tertial and annual (every KPI of the catalogue, so KPIs added later join by
themselves), for a region or national with a row per region; deviations beside the values
below target; a submitted report frozen and read beside today's figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from common import clock
from common.auth import Principal, ensure_may_see_region
from common.errors import InvalidInput, NotFound
from common.pagination import Page, PageRequest
from common.reference import Region
from common.uow import UnitOfWork
from reporting_gateway.kpis import service as kpis
from reporting_gateway.kpis.catalogue import CATALOGUE, Definition
from reporting_gateway.kpis.periods import Period
from reporting_gateway.kpis.repository import KpiRepository
from reporting_gateway.kpis.schemas import KpiQuery
from reporting_gateway.kpis.suppression import is_small
from reporting_gateway.reports.models import Deviation, ReportSubmission
from reporting_gateway.reports.repository import DeviationRepository, SubmissionRepository
from reporting_gateway.reports.schemas import (
    DeviationIn,
    DeviationOut,
    Missing,
    Report,
    ReportKind,
    ReportRow,
    RowRevision,
    Section,
    SubmissionDetail,
    SubmissionList,
    SubmissionOut,
)

PERIOD_KIND = {"monthly": "month", "tertial": "tertial", "annual": "year"}
AREAS = {
    "cap": "Institutions (capacity)",
    "fc": "Foster care",
    "fv": "Family counselling",
}


@dataclass(frozen=True)
class Line:
    """One row of a report: a KPI, perhaps for one value of one of its dimensions."""

    definition: Definition
    dimension: str | None = None
    value: str | None = None


def lines_of(kind: ReportKind) -> list[tuple[str, str, list[Line]]]:
    """The report's sections, each (id, title, rows)."""
    if kind == "monthly":
        occupancy, price = CATALOGUE["cap.occupancy"], CATALOGUE["cap.day_price"]
        return [
            (
                "occupancy",
                "Capacity utilisation (S 1.1.1–1.1.3)",
                [Line(occupancy, "category", value) for value in occupancy.targets["category"]],
            ),
            (
                "day_price",
                "Average price per day of stay, private institutions (S 1.1.4)",
                [Line(price)]
                + [
                    Line(price, "contract_type", value)
                    for value in ("purchase_guarantee", "framework", "single_purchase")
                ],
            ),
        ]
    sections: dict[str, list[Line]] = {}
    for definition in CATALOGUE.values():
        area = definition.id.split(".")[0]
        lines = sections.setdefault(area, [])
        if definition.targets:  # a row per target category: the targets are set there
            for dimension, targets in definition.targets.items():
                lines.extend(Line(definition, dimension, value) for value in targets)
        else:
            lines.append(Line(definition))
    return [(area, AREAS.get(area, area), lines) for area, lines in sections.items()]


def period_of(kind: ReportKind, text: str) -> Period:
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise InvalidInput("period", str(exc)) from exc
    if period.kind != PERIOD_KIND[kind]:
        raise InvalidInput("period", f"a {kind} report is for a {PERIOD_KIND[kind]}")
    return period


async def get_report(
    uow: UnitOfWork,
    principal: Principal,
    kind: ReportKind,
    period_text: str,
    region: Region | None,
    known_at: datetime | None,
) -> Report:
    region = kpis.region_asked(principal, region)
    period = period_of(kind, period_text)
    report = await _build(uow, kind, period, region, known_at or clock.now())
    return _for(principal, report)


async def _build(
    uow: UnitOfWork, kind: ReportKind, period: Period, region: Region | None, known_at: datetime
) -> Report:
    """Every figure as counted (small counts shown): a report is frozen like this and
    hidden for each reader when read."""
    repository = KpiRepository(uow)
    regions: list[Region | None] = [region] if region is not None else [None, *Region]
    deviations = await _deviations(uow, period)
    sections = []
    newest: datetime | None = None
    for section_id, title, lines in lines_of(kind):
        rows = []
        for line in lines:
            filters = {line.dimension: line.value} if line.dimension else {}
            for row_region in regions:
                query = KpiQuery(
                    period=period.text, region=row_region, known_at=known_at, **filters
                )
                scope = kpis.scope_of(line.definition, query, row_region, period)
                answer = await kpis.compute(repository, line.definition, scope, period, query)
                if answer.data_as_of and (newest is None or answer.data_as_of > newest):
                    newest = answer.data_as_of
                figures = answer.model_dump(
                    include={"value", "numerator", "denominator", "n", "target", "meets_target"}
                )
                extras = {name: getattr(answer, name) for name in line.definition.extras}
                row = ReportRow(
                    kpi=line.definition.id,
                    name=line.definition.name,
                    region=row_region,
                    category=line.value,
                    time_base=line.definition.time_base,
                    unit=line.definition.unit,
                    **figures,
                    **extras,
                )
                if row_region is not None and row.meets_target is False:
                    found = deviations.get((row.kpi, row_region, line.value)) or deviations.get(
                        (row.kpi, row_region, None)  # one for the KPI holds for each category
                    )
                    row.deviation = _deviation_out(found) if found else None
                rows.append(row)
        sections.append(Section(id=section_id, title=title, rows=rows))
    return Report(
        kind=kind,
        period=period.text,
        region=region,
        known_at=known_at,
        data_as_of=newest,
        sections=sections,
        lacking_deviations=[],
    )


def _for(principal: Principal, report: Report) -> Report:
    """The report as this reader may see it: small counts hidden without reports.detail,
    and the values below target still lacking a justification."""
    report = report.model_copy(deep=True)
    if not kpis.may_see_detail(principal):
        for section in report.sections:
            groups: dict[tuple[str, str | None], list[ReportRow]] = {}
            for row in section.rows:
                groups.setdefault((row.kpi, row.category), []).append(row)
            for (kpi_id, _), rows in groups.items():
                total = next((row for row in rows if row.region is None), None)
                definition = CATALOGUE[kpi_id]
                if total is None:  # a region's report: each row alone
                    for row in rows:
                        kpis.hide_small_counts(definition, row, [])
                else:
                    parts = [row for row in rows if row.region is not None]
                    kpis.hide_small_counts(definition, total, parts)
    missing = []
    for section in report.sections:
        for row in section.rows:
            row.lacks_deviation = (
                row.region is not None and row.meets_target is False and row.deviation is None
            )
            if row.lacks_deviation and row.region is not None:
                missing.append(Missing(kpi=row.kpi, region=row.region, category=row.category))
    report.lacking_deviations = missing
    return report


# deviations --------------------------------------------------------------------------------


async def create_deviation(
    uow: UnitOfWork, principal: Principal, body: DeviationIn
) -> DeviationOut:
    ensure_may_see_region(principal, body.region, "region")
    definition = CATALOGUE.get(body.kpi)
    if definition is None:
        raise InvalidInput("kpi", f"no KPI {body.kpi!r} in the catalogue (GET /v1/kpis)")
    if definition.target is None and not definition.targets and not definition.budgeted:
        raise InvalidInput("kpi", f"{body.kpi} has no target to fall short of")
    categories = {value for targets in definition.targets.values() for value in targets}
    if categories and body.category not in (None, *categories):
        raise InvalidInput(
            "category",
            f"{body.kpi}'s targets are set per category: {', '.join(sorted(categories))} "
            "(none: the deviation holds for each)",
        )
    if not categories and body.category is not None:
        raise InvalidInput("category", f"{body.kpi} has one target, not one per category")
    deviation = DeviationRepository(uow).add(
        Deviation(
            kpi=body.kpi,
            period=body.period,
            region=body.region,
            category=body.category,
            justification=body.justification,
            measures=body.measures,
            recorded_at=clock.now(),
            recorded_by=principal.client_id,
        )
    )
    return _deviation_out(deviation)


async def get_deviation(uow: UnitOfWork, principal: Principal, deviation_id: UUID) -> DeviationOut:
    deviation = await DeviationRepository(uow).get(deviation_id)
    if deviation is None or (principal.region is not None and principal.region != deviation.region):
        raise NotFound("No such deviation.")
    return _deviation_out(deviation)


async def list_deviations(
    uow: UnitOfWork,
    principal: Principal,
    page: PageRequest,
    kpi: str | None,
    period: str | None,
    region: Region | None,
) -> Page[DeviationOut]:
    region = kpis.region_asked(principal, region)
    window = await DeviationRepository(uow).window_for(page, kpi, period, region)
    return window.map(_deviation_out)


async def _deviations(
    uow: UnitOfWork, period: Period
) -> dict[tuple[str, str, str | None], Deviation]:
    """The newest deviation for each KPI, region and category of the period."""
    found: dict[tuple[str, str, str | None], Deviation] = {}
    for deviation in await DeviationRepository(uow).list_for(None, period.text, None):
        found.setdefault((deviation.kpi, deviation.region, deviation.category), deviation)
    return found


def _deviation_out(deviation: Deviation) -> DeviationOut:
    return DeviationOut.model_validate(deviation, from_attributes=True)


# submissions -------------------------------------------------------------------------------


async def submit_report(
    uow: UnitOfWork,
    principal: Principal,
    kind: ReportKind,
    period_text: str,
    region: Region | None,
) -> SubmissionOut:
    region = kpis.region_asked(principal, region)
    period = period_of(kind, period_text)
    now = clock.now()
    report = await _build(uow, kind, period, region, now)
    submission = SubmissionRepository(uow).add(
        ReportSubmission(
            kind=kind,
            period=period.text,
            region=region,
            submitted_at=now,
            submitted_by=principal.client_id,
            report=report.model_dump(mode="json"),
        )
    )
    return _submission_out(submission)


async def list_submissions(
    uow: UnitOfWork, principal: Principal, kind: ReportKind, period_text: str, region: Region | None
) -> SubmissionList:
    region = kpis.region_asked(principal, region)
    period = period_of(kind, period_text)
    rows = await SubmissionRepository(uow).list_for(kind, period.text, region)
    return SubmissionList(items=[SubmissionOut.model_validate(row._mapping) for row in rows])


async def get_submission(
    uow: UnitOfWork, principal: Principal, kind: ReportKind, period_text: str, submission_id: UUID
) -> SubmissionDetail:
    period = period_of(kind, period_text)
    submission = await SubmissionRepository(uow).get_of(kind, period.text, submission_id)
    if submission is None or (
        principal.region is not None and submission.region != principal.region
    ):
        raise NotFound("No such submission of this report.")
    kpis.region_asked(principal, _region(submission.region))
    submitted = Report.model_validate(submission.report)
    today = await _build(uow, kind, period, _region(submission.region), clock.now())
    revisions = await _revisions(uow, period, submitted, today, submission.submitted_at)
    submitted, today = _for(principal, submitted), _for(principal, today)
    return SubmissionDetail(
        **_submission_out(submission).model_dump(),
        submitted=submitted,
        today=today,
        revisions=_hidden_revisions(principal, revisions, submitted, today),
    )


async def _revisions(
    uow: UnitOfWork, period: Period, submitted: Report, today: Report, since: datetime
) -> list[RowRevision]:
    repository = KpiRepository(uow)
    revisions = []
    now_rows = {
        (row.kpi, row.region, row.category): row
        for section in today.sections
        for row in section.rows
    }
    for section in submitted.sections:
        for row in section.rows:
            current = now_rows.get((row.kpi, row.region, row.category))
            if current is None or _figures(current) == _figures(row):
                continue
            definition = CATALOGUE[row.kpi]
            filters = {"category": row.category} if row.category else {}
            query = KpiQuery(period=period.text, region=row.region, **filters)
            scope = kpis.scope_of(definition, query, row.region, period)
            events = await repository.count_events_since(definition, scope, since)
            revisions.append(
                RowRevision(
                    kpi=row.kpi,
                    region=row.region,
                    category=row.category,
                    submitted=row.value,
                    today=current.value,
                    events=dict(events),
                )
            )
    return revisions


def _hidden_revisions(
    principal: Principal, revisions: Sequence[RowRevision], submitted: Report, today: Report
) -> list[RowRevision]:
    """Without reports.detail: the values as the two reports beside show them, and counts
    of 1–4 events hidden."""
    if kpis.may_see_detail(principal):
        return list(revisions)

    def shown(report: Report) -> dict[tuple[str, str | None, str | None], float | None]:
        return {
            (row.kpi, row.region, row.category): row.value
            for section in report.sections
            for row in section.rows
        }

    then, now = shown(submitted), shown(today)
    hidden = []
    for revision in revisions:
        key = (revision.kpi, revision.region, revision.category)
        events = {t: (None if is_small(c) else c) for t, c in revision.events.items()}
        hidden.append(
            revision.model_copy(
                update={"events": events, "submitted": then.get(key), "today": now.get(key)}
            )
        )
    return hidden


def _figures(row: ReportRow) -> tuple[Any, ...]:
    return (row.value, row.numerator, row.denominator, row.n)


def _region(text: str | None) -> Region | None:
    return Region(text) if text is not None else None


def _submission_out(submission: ReportSubmission) -> SubmissionOut:
    return SubmissionOut.model_validate(submission, from_attributes=True)
