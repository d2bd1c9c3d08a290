"""The pieces every KPI module builds its bases and measures from: what was known at the
scope's instant, in its region, whether a record is Oslo's, and the usual measures (unique
children, records, a share)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Numeric, cast, func, or_, true
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


def oslo_flag(municipality_number: Any) -> ColumnElement[bool]:
    """Oslo's or not: an unknown municipality (a fact not yet joined) counts as not Oslo's."""
    return func.coalesce(oslo(municipality_number), False)


HALF_YEAR_DAYS = 180


def rounded(value: Any) -> Any:
    """To six decimals, as a value is (a percentile between two records interpolates)."""
    return func.round(cast(value, Numeric), 6)


def waiting_times(b: Any) -> dict[str, Any]:
    """Over waits of `b.days` each: the mean as the value (days ÷ waits), with the median,
    the 90th percentile and how many waited more than half a year beside it."""
    return {
        "numerator": func.coalesce(func.sum(b.days), 0),
        "denominator": func.count(b.id),
        "n": func.count(b.id),
        "mean": rounded(func.avg(b.days)),
        "median": rounded(func.percentile_cont(0.5).within_group(b.days)),
        "p90": rounded(func.percentile_cont(0.9).within_group(b.days)),
        "count_over_180": func.count(b.id).filter(b.days > HALF_YEAR_DAYS),
    }


WAITING_COUNTS = ("denominator", "n", "count_over_180")
WAITING_EXTRAS = ("mean", "median", "p90", "count_over_180")
