from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from common.reference import Region
from common.schemas import Input, Instant, Output, Text
from reporting_gateway.kpis.catalogue import TimeBase, Unit
from reporting_gateway.kpis.periods import PeriodText
from reporting_gateway.kpis.schemas import Figures

ReportKind = Literal["monthly", "tertial", "annual"]


class DeviationIn(Input):
    kpi: str = Field(max_length=64, examples=["cap.occupancy"])
    period: PeriodText
    region: Region
    category: str | None = Field(
        None,
        max_length=64,
        description="For a KPI whose targets are set per category (cap.occupancy): which; "
        "none: the deviation holds for each category below target.",
        examples=["state_acute"],
    )
    justification: Text = Field(examples=["To akuttplasser stod tomme under oppussing."])
    measures: Text = Field(examples=["Plassene tas i bruk igjen fra 1. april."])


class DeviationOut(Output):
    id: UUID
    kpi: str
    period: str
    region: Region
    category: str | None
    justification: str
    measures: str
    recorded_at: Instant
    recorded_by: str


class ReportRow(Figures):
    kpi: str
    name: str
    region: Region | None = Field(description="Absent: national.")
    category: str | None = Field(description="The filter the row counts (e.g. state_acute).")
    time_base: TimeBase
    unit: Unit
    deviation: DeviationOut | None = None
    lacks_deviation: bool = Field(
        False, description="Below target and no justification recorded for it yet."
    )


class Section(Output):
    id: str
    title: str
    rows: list[ReportRow]


class Missing(Output):
    kpi: str
    region: Region
    category: str | None


class Report(Output):
    kind: ReportKind
    period: str
    region: Region | None = Field(description="Absent: national, with a row per region.")
    known_at: Instant = Field(description="The figures as known at this instant.")
    data_as_of: Instant | None
    sections: list[Section]
    lacking_deviations: list[Missing] = Field(
        description="Values below target without a justification and measures."
    )


class SubmissionOut(Output):
    id: UUID
    kind: ReportKind
    period: str
    region: Region | None
    submitted_at: Instant
    submitted_by: str


class SubmissionList(Output):
    items: list[SubmissionOut]


class RowRevision(Output):
    kpi: str
    region: Region | None
    category: str | None
    submitted: float | None
    today: float | None
    events: dict[str, int | None] = Field(
        description="Events recorded since the submission that bear on it, by type."
    )


class SubmissionDetail(SubmissionOut):
    submitted: Report = Field(description="The report as it was submitted.")
    today: Report = Field(description="The same report with today's figures.")
    revisions: list[RowRevision] = Field(description="The rows whose figures changed since.")
