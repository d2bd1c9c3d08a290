from __future__ import annotations

from typing import Any

import pytest

from devstack.services import FAMILY_COUNSELLING


@pytest.fixture(scope="module")
async def family_counselling(start_service):
    return await start_service(FAMILY_COUNSELLING)


@pytest.fixture(scope="module")
def admin(auth) -> dict[str, str]:
    return auth("national-admin")


class Api:
    """Shortcuts for the calls most tests make, asserting they succeed."""

    def __init__(self, client, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def post(
        self,
        path: str,
        body: dict[str, Any] | None = None,
        status: int = 201,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = await self.client.post(path, json=body, headers=headers or self.headers)
        assert response.status_code == status, response.text
        return response.json()

    async def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        response = await self.client.get(path, params=params, headers=headers or self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def office(self, **fields: Any) -> dict[str, Any]:
        body = {
            "name": "Familievernkontoret i Bergen",
            "municipality_number": "4601",
            "ownership": "state",
            "therapist_hours_per_week": 240,
            **fields,
        }
        return await self.post("/v1/offices", body)

    async def case(self, office_id: str, **fields: Any) -> dict[str, Any]:
        body = {
            "office_id": office_id,
            "case_type": "mediation",
            "referral_received_at": "2024-03-04T09:30:00+01:00",
            "children": [{"age": 6, "lives_at_home": True}, {"age": 9, "lives_at_home": True}],
            "mediation_reason": "separation",
            **fields,
        }
        return await self.post("/v1/cases", body)

    async def appointment(
        self, case_id: str, scheduled_at: str, kind: str = "mediation"
    ) -> dict[str, Any]:
        return await self.post(
            f"/v1/cases/{case_id}/appointments", {"scheduled_at": scheduled_at, "kind": kind}
        )

    async def outcome(self, appointment_id: str, outcome: str, recorded_at: str) -> dict:
        return await self.post(
            f"/v1/appointments/{appointment_id}/outcome",
            {"outcome": outcome, "recorded_at": recorded_at},
            200,
        )


@pytest.fixture(scope="module")
def api(family_counselling, admin) -> Api:
    return Api(family_counselling, admin)
