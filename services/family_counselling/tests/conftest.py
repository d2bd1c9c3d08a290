from __future__ import annotations

import calendar
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from common.clock import OSLO
from devstack.services import FAMILY_COUNSELLING
from devstack.testing import fetch

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
async def family_counselling(start_service):
    return await start_service(FAMILY_COUNSELLING)


@pytest.fixture(scope="module")
def admin(auth) -> dict[str, str]:
    return auth("national-admin")


@pytest.fixture(scope="module")
def vest(auth) -> dict[str, str]:
    """Bufetat region vest: family_counselling scopes, region vest only."""
    return auth("region-vest")


@pytest.fixture(scope="module")
def ost(auth) -> dict[str, str]:
    """Bufetat region øst: family_counselling scopes, region øst only."""
    return auth("region-ost")


@pytest.fixture(scope="module")
def bergen(auth) -> dict[str, str]:
    """Bergen's child welfare service: no family_counselling scope at all."""
    return auth("municipality-4601")


@pytest.fixture(scope="module")
def oslo(auth) -> dict[str, str]:
    """Oslo's child welfare service: no family_counselling scope at all."""
    return auth("municipality-0301")


# Time -------------------------------------------------------------------------------------


def today() -> date:
    """Today in Oslo: the business date the service counts days by."""
    return datetime.now(OSLO).date()


def instant_days_ago(days: float) -> str:
    """An instant `days` days ago (negative: ahead), in Oslo time."""
    return (datetime.now(OSLO) - timedelta(days=days)).isoformat()


def oslo_noon(day: date) -> str:
    """Noon on `day` in Oslo, as an instant."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=OSLO).isoformat()


def add_months(day: date, months: int) -> date:
    """`day` `months` months on, the last day of that month when it has no such day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def closing(**fields: Any) -> dict[str, Any]:
    """A valid body closing a mediation with a child aged 7 or more."""
    return {
        "closed_at": "2024-05-02T12:00:00+02:00",
        "track": "B",
        "violence_registered": False,
        "agreement_reached": True,
        "child_heard": True,
        "concern_report_sent": False,
        **fields,
    }


def clinical_closing(**fields: Any) -> dict[str, Any]:
    return {
        "closed_at": "2024-05-02T12:00:00+02:00",
        "violence_registered": False,
        "concern_report_sent": False,
        **fields,
    }


# The API ----------------------------------------------------------------------------------


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
        assert all(problem[key] for key in ("type", "title", "detail")), problem
        return problem

    async def invalid(
        self,
        method: str,
        path: str,
        field: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> str:
        """A call that must be 422 naming `field`; the message about that field."""
        problem = await self.problem(method, path, 422, body, headers, **params)
        messages = {error["field"]: error["message"] for error in problem["errors"]}
        assert field in messages, problem
        return messages[field]

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

    async def clinical(self, office_id: str, **fields: Any) -> dict[str, Any]:
        """A case other than a mediation (clinical unless `case_type` says otherwise)."""
        return await self.case(
            office_id, **{"case_type": "clinical", "mediation_reason": None, **fields}
        )

    async def read_case(self, case_id: str, headers: dict[str, str] | None = None) -> dict:
        return await self.get(f"/v1/cases/{case_id}", headers=headers)

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

    async def session(
        self, case_id: str, scheduled_at: str, outcome: str = "attended", kind: str = "mediation"
    ) -> dict[str, Any]:
        """An appointment at `scheduled_at` with its outcome recorded an hour later."""
        appointment = await self.appointment(case_id, scheduled_at, kind)
        recorded = datetime.fromisoformat(scheduled_at) + timedelta(hours=1)
        recorded = min(recorded, datetime.now(UTC))
        return await self.outcome(appointment["id"], outcome, recorded.isoformat())

    async def close(self, case_id: str, body: dict[str, Any], status: int = 200) -> dict:
        return await self.post(f"/v1/cases/{case_id}/close", body, status)

    async def queue(self, office_id: str, **params: Any) -> dict[str, Any]:
        return await self.get(f"/v1/offices/{office_id}/work-queue", **params)

    async def queued(self, office_id: str) -> list[str]:
        """The ids of the office's whole work queue, first to be seen first."""
        answer = await self.queue(office_id, limit=500)
        assert answer["next_cursor"] is None
        return [item["case_id"] for item in answer["items"]]

    async def slot(self, office_id: str, starts_at: str | None = None) -> dict[str, Any]:
        return await self.post(
            f"/v1/offices/{office_id}/mediation-slots",
            {"starts_at": starts_at or instant_days_ago(-30)},
        )

    async def certificate(self, case_id: str) -> dict[str, Any]:
        return await self.post(f"/v1/cases/{case_id}/mediation-certificate")


@pytest.fixture(scope="module")
def api(family_counselling, admin) -> Api:
    return Api(family_counselling, admin)


# The audit trail --------------------------------------------------------------------------

Trail = Callable[..., Awaitable[list[tuple]]]


@pytest.fixture(scope="module")
def audit_rows(environment) -> Callable[..., Awaitable[list]]:
    """`await audit_rows(client_id, since)`: the client's audit entries about cases, in order."""

    async def rows(client_id: str, since: datetime) -> list:
        return await fetch(
            await environment.database(FAMILY_COUNSELLING),
            "SELECT action, outcome, purpose, resource_id, resource_ids FROM audit_event "
            "WHERE client_id = $1 AND resource_type = 'case' AND at >= $2 ORDER BY at, id",
            client_id,
            since,
        )

    return rows


@pytest.fixture(scope="module")
def trail(audit_rows) -> Trail:
    """`await trail(client_id, since)`: every case the client touched, in order, as
    (action, outcome, purpose, case id); a list's one entry names each case it showed."""

    async def records(client_id: str, since: datetime) -> list[tuple]:
        return [
            (row["action"], row["outcome"], row["purpose"], record)
            for row in await audit_rows(client_id, since)
            for record in (row["resource_ids"] or [row["resource_id"]])
        ]

    return records


@pytest.fixture(scope="module")
def who_saw(environment) -> Callable[..., Awaitable[list]]:
    """`await who_saw(case_id)`: every audit entry about the case (alone or in a list)."""

    async def rows(case_id: str) -> list:
        return await fetch(
            await environment.database(FAMILY_COUNSELLING),
            "SELECT client_id, action, outcome, purpose, subject, trace_id FROM audit_event "
            "WHERE resource_type = 'case' AND (resource_id = $1 OR $1 = ANY(resource_ids)) "
            "ORDER BY at, id",
            case_id,
        )

    return rows
