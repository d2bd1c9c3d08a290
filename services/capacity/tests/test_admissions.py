"""Admissions as an integrating system and an attacker would try them: a placement request
is admitted once, a backdated admission takes its place on every day since, and a refusal
tells another region nothing about a record it may not see."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from devstack.services import CAPACITY
from devstack.testing import fetch

from . import factories


def days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


async def accepted_request(api, capacity, admin, institution_id: str, **fields) -> dict:
    """A placement request with an accepted offer of a state place at the institution."""
    request = await api.placement_request(**fields)
    offer = await api.post(
        f"/v1/placement-requests/{request['id']}/offers",
        {
            "institution_id": institution_id,
            "function": "acute",
            "contract_type": "state",
            "offered_at": datetime.now(UTC).isoformat(),
            "justification": "Closest to the child's school.",
        },
    )
    decided = await capacity.post(
        f"/v1/placement-requests/{request['id']}/offers/{offer['id']}/decision",
        headers=admin,
        json={"decision": "accepted", "decided_at": datetime.now(UTC).isoformat()},
    )
    assert decided.status_code == 200, decided.text
    return request


def admission(institution_id: str, request: dict, **fields) -> dict:
    return factories.stay(
        institution_id,
        placement_request_id=request["id"],
        municipality_number=request["municipality_number"],
        child_ref=request["child_ref"],
        birth_date=request["birth_date"],
        **fields,
    )


async def test_an_accepted_request_is_admitted_once(api, capacity, admin, environment):
    institution = await api.institution(contracts=[{"budgeted_places": 20}])
    request = await accepted_request(api, capacity, admin, institution["id"])
    first = await capacity.post(
        "/v1/stays", headers=admin, json=admission(institution["id"], request)
    )
    assert first.status_code == 201, first.text
    again = await capacity.post(
        "/v1/stays", headers=admin, json=admission(institution["id"], request)
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert "admitted already" in again.json()["detail"]

    racing = await accepted_request(api, capacity, admin, institution["id"])
    answers = await asyncio.gather(
        *(
            capacity.post("/v1/stays", headers=admin, json=admission(institution["id"], racing))
            for _ in range(8)
        )
    )
    assert sorted(answer.status_code for answer in answers) == [201] + [409] * 7
    rows = await fetch(
        await environment.database(CAPACITY),
        "SELECT placement_request_id, count(*) AS n FROM stay "
        "WHERE placement_request_id = ANY($1::uuid[]) GROUP BY placement_request_id",
        [request["id"], racing["id"]],
    )
    assert sorted(row["n"] for row in rows) == [1, 1]


async def test_a_backdated_admission_takes_its_place_on_every_day_since(api, capacity, admin):
    institution = await api.institution(contracts=[{"budgeted_places": 1}])
    await api.stay(institution["id"], admitted_at=days_ago(5))  # the one place, since 5 days
    # Full today, and on every day since five days ago: not free twenty days ago either,
    # since a stay admitted then would still be there.
    backdated = await capacity.post(
        "/v1/stays", headers=admin, json=_stay(institution["id"], admitted_at=days_ago(20))
    )
    assert backdated.status_code == 409, backdated.text
    assert "taken" in backdated.json()["detail"]

    other = await api.institution(contracts=[{"budgeted_places": 1}])
    earlier = await api.stay(other["id"], admitted_at=days_ago(20))
    ended = await capacity.post(
        f"/v1/stays/{earlier['id']}/discharge",
        headers=admin,
        json={"discharged_at": days_ago(10), "end_reason": "planned"},
    )
    assert ended.status_code == 200, ended.text
    overlapping = await capacity.post(
        "/v1/stays", headers=admin, json=_stay(other["id"], admitted_at=days_ago(15))
    )
    assert overlapping.status_code == 409, overlapping.text
    after = await capacity.post(
        "/v1/stays", headers=admin, json=_stay(other["id"], admitted_at=days_ago(9))
    )
    assert after.status_code == 201, after.text


async def test_a_backdated_admission_needs_places_under_contract_every_day(api, capacity, admin):
    today = datetime.now(UTC).date()
    institution = await api.institution(
        contracts=[
            {
                "budgeted_places": 2,
                "valid_from": "2020-01-01",
                "valid_to": (today - timedelta(days=10)).isoformat(),
            },
            {"budgeted_places": 2, "valid_from": (today - timedelta(days=5)).isoformat()},
        ]
    )
    gap = await capacity.post(
        "/v1/stays", headers=admin, json=_stay(institution["id"], admitted_at=days_ago(12))
    )
    assert gap.status_code == 409, gap.text
    assert "no state places" in gap.json()["detail"]
    since_the_new_contract = await capacity.post(
        "/v1/stays", headers=admin, json=_stay(institution["id"], admitted_at=days_ago(4))
    )
    assert since_the_new_contract.status_code == 201, since_the_new_contract.text


async def test_a_refusal_says_nothing_about_another_regions_request(
    api, capacity, admin, auth, environment
):
    institution = await api.institution(
        municipality_number="4601", contracts=[{"budgeted_places": 5}]
    )
    in_ost = await accepted_request(
        api, capacity, admin, institution["id"], municipality_number="0301"
    )
    vest = auth("region-vest")
    response = await capacity.post(
        "/v1/stays", headers=vest, json=admission(institution["id"], in_ost)
    )
    assert response.status_code == 403
    assert "accepted" not in response.text
    assert "ost" not in response.json()["detail"]
    unknown = await capacity.post(
        "/v1/stays",
        headers=vest,
        json=admission(institution["id"], {**in_ost, "id": "0190a1a1-0000-7000-8000-00000000beef"}),
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "placement_request_id"
    rows = await fetch(
        await environment.database(CAPACITY),
        "SELECT action, client_id, outcome, purpose FROM audit_event "
        "WHERE resource_type = 'placement_request' AND resource_id = $1 AND client_id = $2",
        in_ost["id"],
        "region-vest",
    )
    assert [(r["action"], r["outcome"], r["purpose"]) for r in rows] == [
        ("update", "forbidden", "admission")
    ]


def _stay(institution_id: str, **fields):
    return factories.stay(institution_id, **fields)
