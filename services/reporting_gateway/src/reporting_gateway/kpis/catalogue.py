"""The KPI catalogue (`KPIS.md`): what each KPI is, how it is counted, against which target.

A KPI is a `Definition` (this module's data) and a query over read models (`Query`, in the
module of the stream it reads: `kpis/capacity.py`, …). The engine around them (scope, as
known at, targets, breakdowns, small-count protection, reports) is the same for all, so a
new KPI is one definition and one query."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from sqlalchemy import Date, DateTime, Text, bindparam

if TYPE_CHECKING:
    from sqlalchemy import Select


class TimeBase(StrEnum):
    at_date = "at_date"
    unique_in_period = "unique_in_period"
    day_based = "day_based"
    flow_in_period = "flow_in_period"


TIME_BASES = {
    TimeBase.at_date: "a stock at the end of a date",
    TimeBase.unique_in_period: "distinct children or cases with at least one day in the period",
    TimeBase.day_based: "calendar days in the period, summed and divided",
    TimeBase.flow_in_period: "what happened in the period",
}


class Unit(StrEnum):
    number = "number"  # a count: value = numerator
    rate = "rate"  # value = numerator ÷ denominator, a fraction
    average = "average"  # value = numerator ÷ denominator, a number
    nok = "nok"  # value = numerator ÷ denominator, in NOK


# Rules met against the same period a year earlier.
YEARLY_RULES = ("falling", "rising")


@dataclass(frozen=True)
class Target:
    rule: Literal["at_least", "at_most", "zero", "falling", "rising"]
    text: str
    value: float | None = None

    @property
    def yearly(self) -> bool:
        """Met against the same period a year earlier (falling: below it; rising: above)."""
        return self.rule in YEARLY_RULES

    def met(self, value: float | None, a_year_earlier: float | None = None) -> bool | None:
        if value is None:
            return None
        if self.rule == "at_least":
            return value >= (self.value or 0)
        if self.rule == "at_most":
            return value <= (self.value or 0)
        if self.rule == "zero":
            return value == 0
        if self.rule == "rising":
            return None if a_year_earlier is None else value > a_year_earlier
        if value == 0:
            return True  # none at all: as low as it goes
        return None if a_year_earlier is None else value < a_year_earlier


@dataclass(frozen=True)
class Scope:
    """What one answer counts: the days (first..last, last already cut at `as_of`), the
    date a stock is taken on, the region (None = national), filters by the definition's
    dimensions, and only facts recorded by `known_at` (None = everything recorded)."""

    first: date
    last: date
    on: date
    cutoff: datetime
    region: str | None
    exclude_oslo: bool
    filters: Mapping[str, str]
    known_at: datetime | None


@dataclass(frozen=True)
class Shape:
    """A KPI statement as built once and run for any scope: what its structure depends on
    (whether a region is asked, whether only facts recorded by an instant count), and the
    scope's values as bind parameters of the same names (`values_of` gives them)."""

    regional: bool
    knows: bool

    first: ClassVar[Any] = bindparam("first", type_=Date)
    last: ClassVar[Any] = bindparam("last", type_=Date)
    after_last: ClassVar[Any] = bindparam("after_last", type_=Date)
    on: ClassVar[Any] = bindparam("on", type_=Date)
    cutoff: ClassVar[Any] = bindparam("cutoff", type_=DateTime(timezone=True))
    known_at: ClassVar[Any] = bindparam("known_at", type_=DateTime(timezone=True))
    region: ClassVar[Any] = bindparam("region", type_=Text)

    @classmethod
    def of(cls, scope: Scope) -> Shape:
        return cls(regional=scope.region is not None, knows=scope.known_at is not None)

    @staticmethod
    def values_of(scope: Scope) -> dict[str, Any]:
        values: dict[str, Any] = {
            "first": scope.first,
            "last": scope.last,
            "after_last": scope.last + timedelta(days=1),
            "on": scope.on,
            "cutoff": scope.cutoff,
        }
        if scope.known_at is not None:
            values["known_at"] = scope.known_at
        if scope.region is not None:
            values["region"] = scope.region
        return values


Query = Callable[[Shape], "Select[tuple[object, ...]]"]
"""Builds the KPI's base rows for a shape of scope: one row per record, with a column for
every dimension the definition names, `region` and `oslo`; the measures (`numerator`,
`denominator`, `n`, …) are aggregate expressions the repository groups by the breakdown
asked."""


Measures = Callable[[Any], Mapping[str, Any]]
"""The aggregate expressions of a KPI by name (`numerator`, `denominator`, `n`, extras),
built over the columns of its base rows."""


@dataclass(frozen=True)
class Definition:
    id: str
    name: str
    definition: str
    time_base: TimeBase
    unit: Unit
    dimensions: tuple[str, ...]
    sources: tuple[str, ...]
    """The event types the KPI is counted from (what a revision is explained by)."""
    base: Query
    measures: Measures
    counts: tuple[str, ...] = ("numerator", "n")
    """The measures that count children or cases: those of 1–4 are suppressed."""
    extras: tuple[str, ...] = ()
    """Further measures the answer shows beside value, numerator, denominator and n."""
    target: Target | None = None
    targets: Mapping[str, Mapping[str, Target]] = field(default_factory=dict)
    """Targets that hold for one value of a dimension (e.g. occupancy's categories)."""
    budgeted: bool = False
    """The target is the region's budgeted day price for the year (S 1.1.4)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Dimensions whose values are ids, each with the base column naming its value: a
    breakdown by one gives each row `<dimension>_name` too (e.g. an office's name)."""


CATALOGUE: dict[str, Definition] = {}


def register(definition: Definition) -> Definition:
    if definition.id in CATALOGUE:
        raise ValueError(f"{definition.id} is in the catalogue already")
    CATALOGUE[definition.id] = definition
    return definition
