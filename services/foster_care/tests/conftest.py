from __future__ import annotations

from typing import Any

import pytest

from devstack.services import FOSTER_CARE

from . import factories

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
async def foster_care(start_service):
    return await start_service(FOSTER_CARE)


@pytest.fixture(scope="module")
def admin(auth) -> dict[str, str]:
    return auth("national-admin")


@pytest.fixture(scope="module")
def bergen(auth) -> dict[str, str]:
    """Bergen's child welfare service (municipality 4601, region vest)."""
    return auth("municipality-4601")


@pytest.fixture(scope="module")
def oslo(auth) -> dict[str, str]:
    """Oslo's child welfare service (municipality 0301, region ost)."""
    return auth("municipality-0301")


@pytest.fixture(scope="module")
def vest(auth) -> dict[str, str]:
    """Bufetat region vest."""
    return auth("region-vest")


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

    async def problem(
        self,
        method: str,
        path: str,
        status: int,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """Make a call that must fail with `status`, answered as problem+json; its body."""
        response = await self.client.request(
            method, path, json=body, params=params or None, headers=headers or self.headers
        )
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == PROBLEM, response.text
        problem = response.json()
        assert problem["status"] == status
        return problem

    async def invalid(
        self,
        method: str,
        path: str,
        field: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        """A call that must be 422 naming `field`; the message about that field."""
        problem = await self.problem(method, path, 422, body, headers)
        messages = {error["field"]: error["message"] for error in problem["errors"]}
        assert field in messages, problem
        return messages[field]

    async def request(self, headers: dict[str, str] | None = None, **fields: Any) -> dict:
        return await self.post(
            "/v1/foster-home-requests", factories.request(**fields), headers=headers
        )

    async def read_request(self, request_id: str, headers: dict[str, str] | None = None) -> dict:
        return await self.get(f"/v1/foster-home-requests/{request_id}", headers=headers)

    async def home(self, **fields: Any) -> dict:
        return await self.post("/v1/foster-homes", factories.home(**fields))

    async def transition(self, home_id: str, to: str, at: str, **fields: Any) -> dict:
        return await self.post(
            f"/v1/foster-homes/{home_id}/transitions", {"to": to, "at": at, **fields}, 200
        )

    async def home_in(self, stage: str, **fields: Any) -> dict:
        """A home taken through the stages up to `stage` (`inquiry` for none), a day apart."""
        home = await self.home(**fields)
        if stage == "inquiry":
            return home
        for to, at in factories.stages_to_approval(home["inquiry_at"]):
            extra: dict[str, Any] = {}
            if to == "training":
                extra["training_programme"] = "SOLID"
            home = await self.transition(home["id"], to, at, **extra)
            if to == stage:
                return home
        raise AssertionError(f"no stage {stage}")

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

    async def pause(self, home_id: str, at: str = "2023-10-01T10:00:00+02:00") -> dict:
        return await self.post(
            f"/v1/foster-homes/{home_id}/pause", {"at": at, "reason": "respite"}, 200
        )

    async def candidates(self, request_id: str, headers: dict[str, str] | None = None) -> list:
        """Every candidate of the request (one page of the longest), best first."""
        answer = await self.get(
            f"/v1/foster-home-requests/{request_id}/candidates", headers=headers, limit=500
        )
        assert answer["next_cursor"] is None
        return answer["items"]

    async def candidate_ids(self, request_id: str) -> list[str]:
        return [item["foster_home_id"] for item in await self.candidates(request_id)]

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

    async def end(self, placement_id: str, end_date: str, reason: str = "planned") -> dict:
        return await self.post(
            f"/v1/foster-placements/{placement_id}/end",
            {"end_date": end_date, "reason": reason},
            200,
        )


@pytest.fixture(scope="module")
def api(foster_care, admin) -> Api:
    return Api(foster_care, admin)
