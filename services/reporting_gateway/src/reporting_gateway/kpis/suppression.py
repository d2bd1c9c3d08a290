"""Small-count protection for published aggregates.

Primary: a cell (a total, a breakdown row, a region's row in a report) whose counts of
children or cases include a value from 1 to 4 is hidden whole: value, numerator,
denominator, n and every further measure, and with them any rate resting on them.
Secondary: a hidden cell must not be recoverable from the shown total and the other cells
of the same group, so while a group hides exactly one non-empty cell, or hides cells whose
counts could only be 1 each (their hidden sum equals their number), the next smallest
shown cell is hidden too; with none left, the total. Unique counts do not add up, so
treating every count as additive errs on the safe side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SMALLEST_SHOWN = 5
SHOWN_AS = "<5"
PRIMARY = "fewer than 5 children or cases: hidden to protect them (reports.detail may see it)"
SECONDARY = (
    "hidden with a small count elsewhere in the same answer, which could be recovered "
    "from the totals otherwise"
)


def is_small(count: int | None) -> bool:
    """A count of 1–4: hidden from callers without reports.detail."""
    return count is not None and 0 < count < SMALLEST_SHOWN


@dataclass
class Cell:
    counts: dict[str, int | None]
    hidden: bool = False
    reason: str | None = None
    parts: list[Cell] = field(default_factory=list)

    def hide(self, reason: str) -> None:
        if not self.hidden:
            self.hidden, self.reason = True, reason

    @property
    def small(self) -> bool:
        return any(is_small(value) for value in self.counts.values())

    @property
    def empty(self) -> bool:
        return all(not value for value in self.counts.values())

    def size(self) -> int:
        return max((value or 0 for value in self.counts.values()), default=0)


def protect(total: Cell) -> None:
    """Hide the small cells of `total` and its parts (nested groups too), then whatever
    would let one be recovered."""
    for cell in _walk(total):
        if cell.small:
            cell.hide(PRIMARY)
    _secondary(total)


def _walk(cell: Cell) -> list[Cell]:
    return [cell, *(inner for part in cell.parts for inner in _walk(part))]


def _secondary(total: Cell) -> None:
    for part in total.parts:
        _secondary(part)
    parts = [part for part in total.parts if not part.empty]
    while not total.hidden:
        hidden = [part for part in parts if part.hidden]
        if not hidden or not _recoverable(total, hidden, parts):
            return
        shown = sorted((p for p in parts if not p.hidden), key=lambda p: p.size())
        if shown:
            shown[0].hide(SECONDARY)
        else:
            total.hide(SECONDARY)


def _recoverable(total: Cell, hidden: Sequence[Cell], parts: Sequence[Cell]) -> bool:
    if len(hidden) == 1:
        return True
    for name, value in total.counts.items():
        if value is None:
            continue
        rest = value - sum(p.counts.get(name) or 0 for p in parts if not p.hidden)
        if 0 < rest <= len(hidden):
            return True  # each hidden cell must be 1 (or 0)
    return False
