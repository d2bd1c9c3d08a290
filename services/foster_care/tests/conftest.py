from __future__ import annotations

from typing import Any

import pytest

from devstack.services import FOSTER_CARE

from . import factories


@pytest.fixture(scope="module")
async def foster_care(start_service):
    return await start_service(FOSTER_CARE)


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
        body: dict[str, Any],
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

    async def request(self, headers: dict[str, str] | None = None, **fields: Any) -> dict:
        return await self.post(
            "/v1/foster-home-requests", factories.request(**fields), headers=headers
        )

    async def home(self, **fields: Any) -> dict:
        return await self.post("/v1/foster-homes", factories.home(**fields))

    async def approved_home(self, places: int = 1, **fields: Any) -> dict:
        """A home taken through every stage to approval, a day apart from its inquiry."""
        home = await self.home(**fields)
        for to, at in factories.stages_to_approval(home["inquiry_at"]):
            body: dict[str, Any] = {"to": to, "at": at}
            if to == "training":
                body["training_programme"] = "SOLID"
            if to == "approved":
                body["places"] = places
            home = await self.post(f"/v1/foster-homes/{home['id']}/transitions", body, 200)
        return home

    async def talk_alone(self, request_id: str, held_on: str = "2024-01-05") -> dict:
        return await self.post(
            f"/v1/foster-home-requests/{request_id}/child-conversations",
            {"held_on": held_on, "method": "in_person", "view_recorded": True},
        )

    async def propose(self, request_id: str, home_id: str, at: str, status: int = 201) -> dict:
        return await self.post(
            f"/v1/foster-home-requests/{request_id}/proposals",
            {"foster_home_id": home_id, "proposed_at": at},
            status,
        )

    async def decide(
        self, request_id: str, proposal_id: str, decision: str, at: str, reason: str | None = None
    ) -> dict:
        body = {"decision": decision, "decided_at": at}
        if reason is not None:
            body["reason"] = reason
        return await self.post(
            f"/v1/foster-home-requests/{request_id}/proposals/{proposal_id}/decision", body, 200
        )

    async def place(self, request_id: str, home_id: str, start_date: str) -> dict:
        return await self.post(
            "/v1/foster-placements",
            {"request_id": request_id, "foster_home_id": home_id, "start_date": start_date},
        )

    async def placed(self, request: dict, home: dict, proposed_at: str, start_date: str) -> dict:
        """Propose, accept and place: the municipality's flow in one call."""
        proposal = await self.propose(request["id"], home["id"], proposed_at)
        await self.decide(request["id"], proposal["id"], "accepted", proposed_at)
        return await self.place(request["id"], home["id"], start_date)


@pytest.fixture(scope="module")
def api(foster_care, admin) -> Api:
    return Api(foster_care, admin)
