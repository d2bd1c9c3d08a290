from __future__ import annotations

from typing import Any

import pytest

from devstack.services import CAPACITY

from . import factories


@pytest.fixture(scope="module")
async def capacity(start_service):
    return await start_service(CAPACITY, breach_sweep_interval_seconds=0.2, breach_grace_seconds=1)


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

    async def institution(self, contracts: list[dict[str, Any]] = (), **fields: Any) -> dict:
        created = await self.post("/v1/institutions", factories.institution(**fields))
        for body in contracts:
            await self.post(
                f"/v1/institutions/{created['id']}/place-contracts", factories.contract(**body)
            )
        return created

    async def placement_request(self, headers: dict[str, str] | None = None, **fields: Any) -> dict:
        return await self.post(
            "/v1/placement-requests", factories.placement_request(**fields), headers=headers
        )

    async def stay(self, institution_id: str, **fields: Any) -> dict:
        return await self.post("/v1/stays", factories.stay(institution_id, **fields))


@pytest.fixture(scope="module")
def api(capacity, admin) -> Api:
    return Api(capacity, admin)
