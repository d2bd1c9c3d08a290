"""The pieces every KPI module builds its bases and measures from: what was known at the
scope's instant, in its region, whether a record is Oslo's, and the usual measures (unique
children, records, a share)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, true
from sqlalchemy.sql.elements import ColumnElement

from reporting_gateway.kpis.catalogue import Shape


def known(recorded_at: Any, scope: Shape) -> ColumnElement[bool]:
    return recorded_at <= scope.known_at if scope.knows else true()


def in_region(region: Any, scope: Shape) -> ColumnElement[bool]:
    """The scope's region, inside each base (the planner cannot push it through DISTINCT
    ON or a UNION); the repository filters by it again."""
    return region == scope.region if scope.regional else true()


def one_of(column: Any, values: tuple[str, ...]) -> ColumnElement[bool]:
    # Not `in_()`: its list is expanded at each execution, and these statements are
    # compiled once.
    return or_(*(column == value for value in values))


def oslo(municipality_number: Any) -> ColumnElement[bool]:
    return func.left(municipality_number, 2) == "03"


def unique_children(b: Any) -> dict[str, Any]:
    children = func.count(func.distinct(b.child_key))
    return {"numerator": children, "n": children}


def records(b: Any) -> dict[str, Any]:
    return {"numerator": func.count(b.id), "n": func.count(b.id)}


def share(b: Any, condition: Any) -> dict[str, Any]:
    """Records meeting `condition` ÷ all records: a rate resting on counts."""
    return {
        "numerator": func.count(b.id).filter(condition),
        "denominator": func.count(b.id),
        "n": func.count(b.id),
    }


SHARE_COUNTS = ("numerator", "denominator", "n")
