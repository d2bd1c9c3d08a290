"""Candidates by the 5-step priority order, offers with justifications, decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devstack.services import CAPACITY
from devstack.testing import fetch

from . import factories


@pytest.fixture(scope="module")
async def ladder(api):
    """Institutions for 'treatment_high_risk' (used by no other test here) on every step,
    for a request from Bergen (region vest)."""
    f = "treatment_high_risk"

    async def make(name, municipality, ownership, contracts):
        return (
            await api.institution(
                name=name,
                municipality_number=municipality,
                ownership=ownership,
                functions=[f],
                contracts=[{"function": f, **c} for c in contracts],
            )
        )["id"]

    return {
        "state_vest": await make(
            "Stat vest", "4601", "state", [{"contract_type": "state", "budgeted_places": 2}]
        ),
        "guarantee_vest": await make(
            "Garanti vest", "1103", "commercial", [{"contract_type": "purchase_guarantee"}]
        ),
        "state_ost": await make("Stat øst", "0301", "state", [{"contract_type": "state"}]),
        "framework_commercial": await make(
            "Rammeavtale kommersiell", "4601", "commercial", [{"contract_type": "framework"}]
        ),
        "framework_ideal": await make(
            "Rammeavtale ideell", "5001", "ideal", [{"contract_type": "framework"}]
        ),
        "single_on_framework": await make(
            "Enkeltkjøp med ramme",
            "4601",
            "ideal",
            [
                {"contract_type": "framework", "budgeted_places": 0},
                {"contract_type": "single_purchase"},
            ],
        ),
        "single_commercial": await make(
            "Enkeltkjøp kommersiell", "4601", "commercial", [{"contract_type": "single_purchase"}]
        ),
        "single_ideal": await make(
            "Enkeltkjøp ideell", "4601", "ideal", [{"contract_type": "single_purchase"}]
        ),
        "full": await make(
            "Full", "4601", "state", [{"contract_type": "state", "budgeted_places": 0}]
        ),
    }


async def request_for(api, function="treatment_high_risk", **fields):
    return await api.placement_request(
        urgency="planned",
        function=function,
        desired_start_date=(datetime.now(UTC).date() + timedelta(days=5)).isoformat(),
        **fields,
    )


async def test_candidates_follow_the_five_steps(api, capacity, admin, ladder):
    request = await request_for(api)
    response = await capacity.get(
        f"/v1/placement-requests/{request['id']}/candidates", headers=admin
    )
    assert response.status_code == 200
    items = response.json()["items"]
    order = [(item["institution_id"], item["contract_type"]) for item in items]
    assert order == [
        (ladder["state_vest"], "state"),  # 1, state before private
        (ladder["guarantee_vest"], "purchase_guarantee"),  # 1
        (ladder["state_ost"], "state"),  # 2, another region
        (ladder["framework_commercial"], "framework"),  # 3, own region first
        (ladder["framework_ideal"], "framework"),  # 3
        (ladder["single_on_framework"], "single_purchase"),  # 4
        (ladder["single_ideal"], "single_purchase"),  # 5, ideal before commercial
        (ladder["single_commercial"], "single_purchase"),  # 5
    ]
    assert [item["rung"] for item in items] == [1, 1, 2, 3, 3, 4, 5, 5]
    assert all(
        item["free_places"] > 0 and item["reason"].startswith(f"Step {item['rung']}")
        for item in items
    )
    assert items[0]["free_places"] == 2
    assert "your own region (vest)" in items[0]["reason"]


async def test_ideal_before_commercial_inside_a_step(api, capacity, admin):
    f = "substance_use"
    commercial = await api.institution(
        name="A kommersiell",
        ownership="commercial",
        functions=[f],
        contracts=[{"function": f, "contract_type": "framework", "budgeted_places": 5}],
    )
    ideal = await api.institution(
        name="B ideell",
        ownership="ideal",
        functions=[f],
        contracts=[{"function": f, "contract_type": "framework", "budgeted_places": 1}],
    )
    request = await request_for(api, function=f)
    items = (
        await capacity.get(f"/v1/placement-requests/{request['id']}/candidates", headers=admin)
    ).json()["items"]
    assert [item["institution_id"] for item in items] == [ideal["id"], commercial["id"]]


async def test_occupied_places_are_not_free(api, capacity, admin):
    f = "parent_child_centre"
    institution = await api.institution(
        functions=[f], contracts=[{"function": f, "contract_type": "state", "budgeted_places": 1}]
    )
    request = await request_for(api, function=f)
    path = f"/v1/placement-requests/{request['id']}/candidates"
    assert len((await capacity.get(path, headers=admin)).json()["items"]) == 1
    await api.stay(institution["id"], function=f)
    assert (await capacity.get(path, headers=admin)).json()["items"] == []


async def test_an_offer_from_a_worse_step_needs_a_justification(api, capacity, admin, ladder):
    request = await request_for(api)
    path = f"/v1/placement-requests/{request['id']}/offers"
    offer = {
        "institution_id": ladder["framework_ideal"],
        "function": "treatment_high_risk",
        "contract_type": "framework",
        "offered_at": datetime.now(UTC).isoformat(),
    }
    refused = await capacity.post(path, json=offer, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "justification"
    assert "step-1" in refused.json()["errors"][0]["message"]

    made = await capacity.post(
        path,
        headers=admin,
        json={**offer, "justification": "Specialised treatment team the child needs."},
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["rung"], body["best_available_rung"], body["status"]) == (3, 1, "pending")
    assert made.headers["location"].endswith(body["id"])
    read = (await capacity.get(f"/v1/placement-requests/{request['id']}", headers=admin)).json()
    assert read["status"] == "offered"


async def test_the_best_step_needs_no_justification(api, capacity, admin, ladder):
    request = await request_for(api)
    made = await capacity.post(
        f"/v1/placement-requests/{request['id']}/offers",
        headers=admin,
        json={
            "institution_id": ladder["state_vest"],
            "function": "treatment_high_risk",
            "contract_type": "state",
            "offered_at": datetime.now(UTC).isoformat(),
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["rung"] == 1


async def test_offer_without_a_free_place_is_a_conflict(api, capacity, admin, ladder):
    request = await request_for(api)
    response = await capacity.post(
        f"/v1/placement-requests/{request['id']}/offers",
        headers=admin,
        json={
            "institution_id": ladder["full"],
            "function": "treatment_high_risk",
            "contract_type": "state",
            "offered_at": datetime.now(UTC).isoformat(),
            "justification": "x",
        },
    )
    assert response.status_code == 409


async def test_the_municipality_decides_with_a_reason(
    api, capacity, admin, auth, ladder, environment
):
    bergen = auth("municipality-4601")
    request = await request_for(api, headers=bergen)
    offers = f"/v1/placement-requests/{request['id']}/offers"
    now = datetime.now(UTC)
    offer = (
        await capacity.post(
            offers,
            headers=admin,
            json={
                "institution_id": ladder["state_vest"],
                "function": "treatment_high_risk",
                "contract_type": "state",
                "offered_at": now.isoformat(),
            },
        )
    ).json()
    # The municipality may not make offers, and sees only its own.
    assert (
        await capacity.post(
            offers,
            headers=bergen,
            json={
                "institution_id": ladder["state_vest"],
                "function": "treatment_high_risk",
                "contract_type": "state",
                "offered_at": now.isoformat(),
            },
        )
    ).status_code == 403
    decision = f"{offers}/{offer['id']}/decision"
    no_reason = await capacity.post(
        decision, headers=bergen, json={"decision": "declined", "decided_at": now.isoformat()}
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    declined = await capacity.post(
        decision,
        headers=bergen,
        json={
            "decision": "declined",
            "reason": "Too far from school.",
            "decided_at": now.isoformat(),
        },
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    assert declined.json()["decision_reason"] == "Too far from school."
    again = await capacity.post(
        decision, headers=bergen, json={"decision": "accepted", "decided_at": now.isoformat()}
    )
    assert again.status_code == 409
    status = (await capacity.get(f"/v1/placement-requests/{request['id']}", headers=bergen)).json()[
        "status"
    ]
    assert status == "open"

    second = (
        await capacity.post(
            offers,
            headers=admin,
            json={
                "institution_id": ladder["guarantee_vest"],
                "function": "treatment_high_risk",
                "contract_type": "purchase_guarantee",
                "offered_at": now.isoformat(),
            },
        )
    ).json()
    accepted = await capacity.post(
        f"{offers}/{second['id']}/decision",
        headers=bergen,
        json={"decision": "accepted", "reason": "Good match.", "decided_at": now.isoformat()},
    )
    assert accepted.json()["status"] == "accepted"
    read = (await capacity.get(f"/v1/placement-requests/{request['id']}", headers=bergen)).json()
    assert read["status"] == "accepted"
    listed = (await capacity.get(offers, headers=bergen)).json()["items"]
    assert [o["status"] for o in listed] == ["declined", "accepted"]
    events = await fetch(
        await environment.database(CAPACITY),
        "SELECT subject FROM outbox WHERE convert_from(payload, 'UTF8') LIKE $1 "
        "ORDER BY created_at",
        f"%{request['id']}%",
    )
    assert [e["subject"].split(".")[2] for e in events] == [
        "received",
        "offered",
        "decided",
        "offered",
        "decided",
    ]


async def test_offer_on_a_closed_or_accepted_request_is_a_conflict(api, capacity, admin, ladder):
    request = await request_for(api)
    closed = await capacity.post(
        f"/v1/placement-requests/{request['id']}/close",
        headers=admin,
        json={
            "closed_at": datetime.now(UTC).isoformat(),
            "reason": "The municipality found another solution.",
        },
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    response = await capacity.post(
        f"/v1/placement-requests/{request['id']}/offers",
        headers=admin,
        json={
            "institution_id": ladder["state_vest"],
            "function": "treatment_high_risk",
            "contract_type": "state",
            "offered_at": datetime.now(UTC).isoformat(),
        },
    )
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


async def test_late_offer_records_the_breach_and_a_confirmation_follows(
    api, capacity, admin, ladder
):
    f = "ema_care_centre"
    institution = await api.institution(
        functions=[f], contracts=[{"function": f, "contract_type": "state", "budgeted_places": 1}]
    )
    need = datetime.now(UTC) - timedelta(hours=5)
    request = await api.placement_request(
        function=f,
        need_concluded_at=need.isoformat(),
        desired_start_date=factories.oslo_day(need),
    )
    offer = await capacity.post(
        f"/v1/placement-requests/{request['id']}/offers",
        headers=admin,
        json={
            "institution_id": institution["id"],
            "function": f,
            "contract_type": "state",
            "offered_at": datetime.now(UTC).isoformat(),
        },
    )
    assert offer.status_code == 201
    assert offer.json()["within_deadline"] is False
    read = (await capacity.get(f"/v1/placement-requests/{request['id']}", headers=admin)).json()
    assert read["status"] == "offered"
    assert read["breached_at"] is not None
    path = f"/v1/placement-requests/{request['id']}/breach-confirmations"
    body = {"source": "county_governor", "confirmed_at": datetime.now(UTC).isoformat()}
    assert (await capacity.post(path, headers=admin, json=body)).status_code == 201
    assert (await capacity.post(path, headers=admin, json=body)).status_code == 409
    read = (await capacity.get(f"/v1/placement-requests/{request['id']}", headers=admin)).json()
    assert [c["source"] for c in read["breach_confirmations"]] == ["county_governor"]
    bad = await capacity.post(
        path, headers=admin, json={"source": "the_press", "confirmed_at": body["confirmed_at"]}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "source"
