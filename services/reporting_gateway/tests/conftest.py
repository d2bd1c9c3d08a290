from __future__ import annotations

import pytest

from devstack.services import GATEWAY

from .scenario import Scenario


@pytest.fixture(scope="module")
async def gateway(start_service):
    return await start_service(GATEWAY)


@pytest.fixture(scope="module")
def scenario(gateway) -> Scenario:
    return Scenario(gateway.app.state.platform)


@pytest.fixture(scope="module")
def detail(auth) -> dict[str, str]:
    """A reader who may see small counts."""
    return auth("national-admin")


@pytest.fixture(scope="module")
def reader(auth) -> dict[str, str]:
    """A reader of published figures: small counts hidden."""
    return auth("national-admin", scope="reports.read")
