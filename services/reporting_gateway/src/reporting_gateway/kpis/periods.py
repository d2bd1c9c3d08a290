"""Reporting periods as the directorate names them: `2024`, `2024-T2`, `2024-03`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

PATTERN = r"^(\d{4})(?:-(T[1-3]|0[1-9]|1[0-2]))?$"
_PERIOD = re.compile(PATTERN)
# The tertials: T1 January–April, T2 May–August, T3 September–December.
_TERTIAL_MONTHS = {"T1": (1, 4), "T2": (5, 8), "T3": (9, 12)}
FIRST_YEAR, LAST_YEAR = 1900, 2199


@dataclass(frozen=True)
class Period:
    text: str
    kind: Literal["month", "tertial", "year"]
    first: date
    last: date

    @classmethod
    def parse(cls, text: str) -> Period:
        """ValueError with the rule when `text` names no period."""
        match = _PERIOD.fullmatch(text)
        if match is None:
            raise ValueError("a period is a year (2024), a tertial (2024-T2) or a month (2024-03)")
        year = int(match[1])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"the year must lie between {FIRST_YEAR} and {LAST_YEAR}")
        part = match[2]
        if part is None:
            return cls(text, "year", date(year, 1, 1), date(year, 12, 31))
        if part.startswith("T"):
            first_month, last_month = _TERTIAL_MONTHS[part]
            return cls(text, "tertial", date(year, first_month, 1), _month_end(year, last_month))
        month = int(part)
        return cls(text, "month", date(year, month, 1), _month_end(year, month))

    @property
    def year(self) -> int:
        return self.first.year


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def _a_period(text: str) -> str:
    Period.parse(text)  # its ValueError names the rule
    return text


PeriodText = Annotated[
    str,
    Field(
        pattern=PATTERN,
        description="A year (2024), a tertial (2024-T2: T1 Jan–Apr, T2 May–Aug, T3 Sep–Dec) "
        "or a month (2024-03).",
        examples=["2024", "2024-T2", "2024-03"],
    ),
    AfterValidator(_a_period),
]
"""A period in a request: its form and its year checked."""
