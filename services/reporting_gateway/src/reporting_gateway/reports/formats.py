"""A report as a spreadsheet: CSV (one table) or XLSX (a sheet per section, numbers as
numbers, targets beside the values, shortfalls and missing justifications marked), written
by openpyxl."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from reporting_gateway.reports.schemas import Report, ReportRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
COLUMNS = (
    ("kpi", "KPI"),
    ("name", "Name"),
    ("region", "Region"),
    ("category", "Category"),
    ("value", "Value"),
    ("numerator", "Numerator"),
    ("denominator", "Denominator"),
    ("n", "n"),
    ("target", "Target"),
    ("target_value", "Target value"),
    ("meets_target", "Meets target"),
    ("shown_as", "Shown as"),
    ("justification", "Justification"),
    ("measures", "Measures"),
    ("lacks_deviation", "Lacks justification"),
)
_SHORT = PatternFill("solid", fgColor="F8D7DA")
_MISSING = PatternFill("solid", fgColor="FFE08A")
_RATE_FORMAT = "0.0%"


def _cells(row: ReportRow) -> dict[str, Any]:
    return {
        "kpi": row.kpi,
        "name": row.name,
        "region": row.region or "national",
        "category": row.category,
        "value": row.value,
        "numerator": row.numerator,
        "denominator": row.denominator,
        "n": row.n,
        "target": row.target.text if row.target else None,
        "target_value": row.target.value if row.target else None,
        "meets_target": row.meets_target,
        "shown_as": row.shown_as,
        "justification": row.deviation.justification if row.deviation else None,
        "measures": row.deviation.measures if row.deviation else None,
        "lacks_deviation": row.lacks_deviation,
    }


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", *(name for name, _ in COLUMNS)])
    for section in report.sections:
        for row in section.rows:
            cells = _cells(row)
            writer.writerow(
                [section.id, *("" if cells[name] is None else cells[name] for name, _ in COLUMNS)]
            )
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "Report"
    for label, value in (
        ("Report", report.kind),
        ("Period", report.period),
        ("Region", report.region or "national"),
        ("Figures as known at", report.known_at.isoformat()),
        ("Newest event", report.data_as_of.isoformat() if report.data_as_of else None),
        ("Values below target without justification", len(report.lacking_deviations)),
    ):
        about.append([label, value])
    about.column_dimensions["A"].width = 42
    about.column_dimensions["B"].width = 32
    for section in report.sections:
        sheet = book.create_sheet(section.title[:31].replace("/", "-"))
        sheet.append([title for _, title in COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.rows:
            cells = _cells(row)
            sheet.append([cells[name] for name, _ in COLUMNS])
            line = sheet[sheet.max_row]
            if row.unit == "rate":
                for index in (5, 10):  # value and target value as percentages
                    line[index - 1].number_format = _RATE_FORMAT
            if row.meets_target is False:
                line[4].fill = _SHORT
            if row.lacks_deviation:
                line[len(COLUMNS) - 1].fill = _MISSING
        sheet.freeze_panes = "C2"
        for index, (_, title) in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(title) + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
