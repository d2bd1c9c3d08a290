"""Reading KPIs in the gateway's tests."""

from __future__ import annotations

from typing import Any


async def kpi(gateway, headers, kpi_id: str, status: int = 200, **params: Any) -> dict[str, Any]:
    response = await gateway.get(f"/v1/kpis/{kpi_id}", params=params, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def by(answer: dict[str, Any], dimension: str, *names: str) -> dict[str, Any]:
    """The breakdown's rows by their value of `dimension`: the measures named (or value)."""
    names = names or ("value",)
    return {
        row[dimension]: row[names[0]] if len(names) == 1 else tuple(row[n] for n in names)
        for row in answer["breakdown"]
    }
