"""Small counts in published figures: hidden for a caller without `reports.detail`, and
never recoverable from the totals and the other cells of the same answer."""

from __future__ import annotations

from datetime import date
from itertools import product
from typing import Any

import pytest

from reporting_gateway.kpis.suppression import Cell, protect

COUNTS = ("numerator", "denominator", "n")


@pytest.fixture(scope="module")
async def stays(scenario):
    """New stays in nord, 2021-03: 7 care, 6 treatment (low risk), 2 acute."""
    home = await scenario.institution("nord", municipality_number="1804")
    for function, how_many in (("care", 7), ("treatment_low_risk", 6), ("acute", 2)):
        for _ in range(how_many):
            await scenario.stay(home, date(2021, 3, 3), function=function)


def recover(answer: dict[str, Any], dimension: str) -> dict[str, int]:
    """What an attacker can work out: a hidden cell alone in its group is the total minus
    the rest; hidden cells whose hidden sum equals their number are 1 each."""
    found: dict[str, int] = {}
    hidden = [row for row in answer["breakdown"] if row["value"] is None]
    for name in COUNTS:
        if answer.get(name) is None:
            continue
        rest = answer[name] - sum(row[name] or 0 for row in answer["breakdown"])
        if len(hidden) == 1:
            found[hidden[0][dimension]] = rest
        elif hidden and rest == len(hidden):
            found.update({row[dimension]: 1 for row in hidden})
    return found


async def test_a_small_count_is_hidden_and_cannot_be_recovered(gateway, reader, detail, stays):
    params = {"period": "2021-03", "region": "nord", "breakdown": "function"}
    response = await gateway.get("/v1/kpis/cap.new_stays", params=params, headers=reader)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["value"] == 15
    rows = {row["function"]: row for row in answer["breakdown"]}
    acute = rows["acute"]
    assert acute["value"] is None
    assert acute["n"] is None
    assert acute["shown_as"] == "<5"
    assert "fewer than 5" in acute["suppression_reason"]
    # The next smallest is hidden too, or 15 − 7 − 6 would give the acute stays away.
    assert rows["treatment_low_risk"]["value"] is None
    assert "recovered" in rows["treatment_low_risk"]["suppression_reason"]
    assert rows["care"]["value"] == 7
    assert recover(answer, "function") == {}

    full = await gateway.get("/v1/kpis/cap.new_stays", params=params, headers=detail)
    assert {row["function"]: row["value"] for row in full.json()["breakdown"]} == {
        "acute": 2,
        "care": 7,
        "treatment_low_risk": 6,
    }


async def test_a_small_total_hides_its_rate(gateway, reader, stays):
    response = await gateway.get(
        "/v1/kpis/cap.single_purchase_share",
        params={"period": "2021-03", "region": "nord", "function": "acute"},
        headers=reader,
    )
    answer = response.json()
    assert answer["value"] is None
    assert answer["denominator"] is None
    assert answer["shown_as"] == "<5"


@pytest.mark.parametrize(
    ("total", "parts"),
    [
        (15, [7, 6, 2]),
        (12, [10, 1, 1]),
        (9, [3, 3, 3]),
        (20, [16, 4, 0]),
        (6, [5, 1]),
        (30, [12, 9, 6, 2, 1]),
    ],
)
def test_no_hidden_cell_is_recoverable(total: int, parts: list[int]):
    root = Cell({"n": total}, parts=[Cell({"n": value}) for value in parts])
    protect(root)
    for part in root.parts:
        if 0 < (part.counts["n"] or 0) < 5:
            assert part.hidden
    shown = [p.counts["n"] or 0 for p in root.parts if not p.hidden]
    hidden = [p for p in root.parts if p.hidden and not p.empty]
    if root.hidden or not hidden:
        return
    assert len(hidden) >= 2
    rest = total - sum(shown)
    # More than one way to fill the hidden cells with the counts they could hold.
    ways = {
        combo for combo in product(range(1, rest + 1), repeat=len(hidden)) if sum(combo) == rest
    }
    assert rest > len(hidden)
    assert len(ways) != 1
