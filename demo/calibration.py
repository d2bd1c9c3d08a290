"""The 2024 figures the demo year is calibrated on, and the check that the gateway's KPIs
land on them.

Each figure names the KPI and the part of its answer that should carry it. A count scales
with the load (a slice of the year has that share of the cases); shares, means and medians
do not. The check asks the gateway with the loading token (national, with reports.detail,
so nothing is suppressed) and compares within a tolerance (±5 % by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from demo.client import Platform


@dataclass(frozen=True)
class Figure:
    service: str  # the part of the demo that makes it (whose scale applies)
    label: str  # what the figure is, as the source gives it
    kpi: str
    expected: float  # for the whole year
    measure: str = "value"  # value, numerator, denominator, n, mean, median, count_over_180, …
    params: Mapping[str, str] = field(default_factory=lambda: {"period": "2024"})
    row: Mapping[str, str] | None = None  # a breakdown row, e.g. {"kind": "acute"}
    counts: bool = True  # a count: expected × the service's scale

    def expected_at(self, scale: float) -> float:
        return self.expected * scale if self.counts else self.expected


@dataclass(frozen=True)
class Outcome:
    figure: Figure
    expected: float
    actual: float | None

    @property
    def deviation(self) -> float | None:
        if self.actual is None:
            return None
        if self.expected == 0:
            return 0.0 if self.actual == 0 else float("inf")
        return (self.actual - self.expected) / self.expected

    def within(self, tolerance: float) -> bool:
        deviation = self.deviation
        return deviation is not None and abs(deviation) <= tolerance

    def line(self, tolerance: float) -> str:
        mark = "ok " if self.within(tolerance) else "OFF"
        deviation = self.deviation
        shown = "–" if deviation is None else f"{deviation:+.1%}"
        return (
            f"{mark} {self.figure.label:<58} expected {_number(self.expected):>10} "
            f"got {_number(self.actual):>10} ({shown})"
        )


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    if abs(value) < 1:
        return f"{value:.3f}"
    return f"{value:,.1f}".replace(",", " ")


def _read(answer: Mapping[str, Any], figure: Figure) -> float | None:
    if figure.row is not None:
        for row in answer.get("breakdown") or []:
            if all(row.get(key) == value for key, value in figure.row.items()):
                answer = row
                break
        else:
            return None
    value = answer.get(figure.measure)
    return None if value is None else float(value)


async def check(
    platform: Platform, figures: Sequence[Figure], scales: Mapping[str, float]
) -> list[Outcome]:
    outcomes = []
    for figure in figures:
        params = dict(figure.params)
        if figure.row is not None:
            params["breakdown"] = next(iter(figure.row))
        answer = await platform.gateway.get(f"/v1/kpis/{figure.kpi}", params)
        outcomes.append(
            Outcome(figure, figure.expected_at(scales[figure.service]), _read(answer, figure))
        )
    return outcomes


def summary(outcomes: Sequence[Outcome], tolerance: float) -> str:
    """The check as a table a person reads: each figure, what the gateway says, how far."""
    off = sum(1 for outcome in outcomes if not outcome.within(tolerance))
    return "\n".join(
        [
            f"The gateway's KPIs against the 2024 figures (±{tolerance:.0%}):",
            *("  " + outcome.line(tolerance) for outcome in outcomes),
            f"{len(outcomes) - off} of {len(outcomes)} figures within ±{tolerance:.0%}",
        ]
    )
