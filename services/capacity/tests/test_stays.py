"""Stays: places on admission, the race for the last place, discharge, the derived flags,
single-child decisions, ETags."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from devstack.services import CAPACITY
from devstack.testing import fetch


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


async def test_admission_beyond_the_contracted_places_is_refused(api, capacity, admin):
    institution = await api.institution(contracts=[{"budgeted_places": 1}])
    await api.stay(institution["id"])
    refused = await capacity.post("/v1/stays", headers=admin, json=_stay(institution["id"]))
    assert refused.status_code == 409
    assert "taken" in refused.json()["detail"]
    # A single purchase brings its own place.
    single = await capacity.post(
        "/v1/stays",
        headers=admin,
        json=_stay(institution["id"], contract_type="single_purchase", day_price_nok="24900.00"),
    )
    assert single.status_code == 201, single.text


def _stay(institution_id: str, **fields):
    from . import factories

    return factories.stay(institution_id, **fields)


async def test_no_contract_no_admission(api, capacity, admin):
    institution = await api.institution(contracts=[])
    response = await capacity.post("/v1/stays", headers=admin, json=_stay(institution["id"]))
    assert response.status_code == 409


async def test_two_admissions_racing_for_the_last_place(api, capacity, admin, environment):
    institution = await api.institution(contracts=[{"budgeted_places": 3}])
    await api.stay(institution["id"])
    await api.stay(institution["id"])
    responses = await asyncio.gather(
        *(
            capacity.post("/v1/stays", headers=admin, json=_stay(institution["id"]))
            for _ in range(6)
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409, 409]
    rows = await fetch(
        await environment.database(CAPACITY),
        "SELECT count(*) AS n FROM stay WHERE institution_id = $1 AND discharged_at IS NULL",
        institution["id"],
    )
    assert rows[0]["n"] == 3


async def test_a_discharged_place_is_free_again(api, capacity, admin):
    institution = await api.institution(contracts=[{"budgeted_places": 1}])
    stay = await api.stay(institution["id"], admitted_at=days_ago(3))
    discharged = await capacity.post(
        f"/v1/stays/{stay['id']}/discharge",
        headers=admin,
        json={"discharged_at": days_ago(1), "end_reason": "planned"},
    )
    assert discharged.status_code == 200, discharged.text
    assert discharged.json()["days"] == 2
    assert (
        await capacity.post("/v1/stays", headers=admin, json=_stay(institution["id"]))
    ).status_code == 201


async def test_discharge_rules(api, capacity, admin):
    institution = await api.institution(contracts=[{"budgeted_places": 5}])
    stay = await api.stay(institution["id"], admitted_at=days_ago(2))
    path = f"/v1/stays/{stay['id']}/discharge"
    before = await capacity.post(
        path, headers=admin, json={"discharged_at": days_ago(3), "end_reason": "planned"}
    )
    assert before.status_code == 422
    assert before.json()["errors"][0]["field"] == "discharged_at"
    bad_reason = await capacity.post(
        path, headers=admin, json={"discharged_at": days_ago(1), "end_reason": "bored"}
    )
    assert bad_reason.status_code == 422
    assert bad_reason.json()["errors"][0]["field"] == "end_reason"
    stale = await capacity.post(
        path,
        headers={**admin, "If-Match": '"7"'},
        json={"discharged_at": days_ago(1), "end_reason": "planned"},
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    read = await capacity.get(f"/v1/stays/{stay['id']}", headers=admin)
    done = await capacity.post(
        path,
        headers={**admin, "If-Match": read.headers["etag"]},
        json={"discharged_at": days_ago(1), "end_reason": "unintended"},
    )
    assert done.status_code == 200
    assert done.json()["end_reason"] == "unintended"
    assert done.headers["etag"] != read.headers["etag"]
    twice = await capacity.post(
        path, headers=admin, json={"discharged_at": days_ago(0), "end_reason": "planned"}
    )
    assert twice.status_code == 409


async def test_birth_date_rules(api, capacity, admin):
    institution = await api.institution(contracts=[{"budgeted_places": 5}])
    future = (date.today() + timedelta(days=1)).isoformat()
    response = await capacity.post(
        "/v1/stays", headers=admin, json=_stay(institution["id"], birth_date=future)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "birth_date"


async def test_flags(api, capacity, admin):
    institution = await api.institution(
        functions=["acute", "care"],
        contracts=[{"budgeted_places": 5}, {"function": "care", "budgeted_places": 5}],
    )
    young = await api.stay(institution["id"], birth_date=_years_ago(11))
    assert young["flags"]["under_13_at_admission"] is True
    assert young["age_at_admission"] == 10 or young["age_at_admission"] == 11

    long_acute = await api.stay(institution["id"], admitted_at=days_ago(50))
    assert long_acute["flags"]["acute_beyond_six_weeks"] is True
    short_acute = await api.stay(institution["id"], admitted_at=days_ago(10))
    assert short_acute["flags"]["acute_beyond_six_weeks"] is False

    alone = await api.stay(
        institution["id"], function="care", lives_alone=True, admitted_at=days_ago(60)
    )
    flags = alone["flags"]
    assert flags["living_alone_beyond_six_weeks"] is True
    assert flags["living_alone_without_valid_decision"] is True

    decisions = f"/v1/stays/{alone['id']}/single-child-decisions"
    today = date.today()
    overdue = await capacity.post(
        decisions,
        headers=admin,
        json={
            "decided_on": (today - timedelta(days=55)).isoformat(),
            "justification": "Needs one-to-one staffing.",
            "valid_until": (today + timedelta(days=100)).isoformat(),
            "next_review_on": (today - timedelta(days=5)).isoformat(),
        },
    )
    assert overdue.status_code == 201, overdue.text
    read = (await capacity.get(f"/v1/stays/{alone['id']}", headers=admin)).json()
    assert read["flags"]["single_child_review_overdue"] is True
    assert read["flags"]["living_alone_without_valid_decision"] is True  # overdue: not valid

    decision_path = f"{decisions}/{overdue.json()['id']}"
    review = {
        "reviewed_on": today.isoformat(),
        "next_review_on": (today + timedelta(days=30)).isoformat(),
    }
    stale = await capacity.patch(decision_path, headers={**admin, "If-Match": '"9"'}, json=review)
    assert stale.status_code == 412
    reviewed = await capacity.patch(
        decision_path, headers={**admin, "If-Match": overdue.headers["etag"]}, json=review
    )
    assert reviewed.status_code == 200, reviewed.text
    read = (await capacity.get(f"/v1/stays/{alone['id']}", headers=admin)).json()
    assert read["flags"]["single_child_review_overdue"] is False
    assert read["flags"]["living_alone_without_valid_decision"] is False
    assert read["single_child_decisions"][0]["valid"] is True

    not_alone = await capacity.post(
        f"/v1/stays/{short_acute['id']}/single-child-decisions",
        headers=admin,
        json={
            "decided_on": today.isoformat(),
            "justification": "x",
            "valid_until": today.isoformat(),
            "next_review_on": today.isoformat(),
        },
    )
    assert not_alone.status_code == 409


def _years_ago(years: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


async def test_stays_are_scoped_and_audited(api, capacity, auth, environment):
    institution = await api.institution(
        municipality_number="0301", contracts=[{"budgeted_places": 5}]
    )
    stay = await api.stay(institution["id"], municipality_number="0301")
    assert (
        await capacity.get(f"/v1/stays/{stay['id']}", headers=auth("region-vest"))
    ).status_code == 403
    assert (
        await capacity.get(f"/v1/stays/{stay['id']}", headers=auth("municipality-4601"))
    ).status_code == 403
    assert (
        await capacity.get(f"/v1/stays/{stay['id']}", headers=auth("municipality-0301"))
    ).status_code == 200
    admit = await capacity.post(
        "/v1/stays",
        headers=auth("municipality-0301"),
        json=_stay(institution["id"], municipality_number="0301"),
    )
    assert admit.status_code == 403
    rows = await fetch(
        await environment.database(CAPACITY),
        "SELECT action, client_id, outcome FROM audit_event WHERE resource_type = 'stay' "
        "AND resource_id = $1 ORDER BY at",
        stay["id"],
    )
    # Granted and denied, every attempt on the child's record is in the trail.
    assert [(r["action"], r["client_id"], r["outcome"]) for r in rows] == [
        ("create", "national-admin", "granted"),
        ("read", "region-vest", "forbidden"),
        ("read", "municipality-4601", "forbidden"),
        ("read", "municipality-0301", "granted"),
    ]


async def test_a_change_of_fields_names_the_version_it_changes(api, capacity, admin):
    """PATCH without If-Match is 428: a change cannot overwrite one its sender has not seen."""
    institution = await api.institution()
    contract = await capacity.post(
        f"/v1/institutions/{institution['id']}/place-contracts",
        headers=admin,
        json=_contract(),
    )
    blind = await capacity.patch(
        contract.headers["location"], headers=admin, json={"budgeted_places": 9}
    )
    assert blind.status_code == 428
    assert blind.headers["content-type"] == "application/problem+json"
    assert "If-Match" in blind.json()["detail"]
    unchanged = (await capacity.get(contract.headers["location"], headers=admin)).json()
    assert unchanged["budgeted_places"] == 2

    institution = await api.institution(contracts=[{"budgeted_places": 3}])
    stay = await api.stay(institution["id"], lives_alone=True)
    today = date.today()
    decision = await capacity.post(
        f"/v1/stays/{stay['id']}/single-child-decisions",
        headers=admin,
        json={
            "decided_on": today.isoformat(),
            "justification": "Needs one-to-one staffing.",
            "valid_until": (today + timedelta(days=30)).isoformat(),
            "next_review_on": (today + timedelta(days=7)).isoformat(),
        },
    )
    review = await capacity.patch(
        decision.headers["location"],
        headers=admin,
        json={
            "reviewed_on": today.isoformat(),
            "next_review_on": (today + timedelta(days=14)).isoformat(),
        },
    )
    assert review.status_code == 428


async def test_one_single_child_decision_is_in_force_at_a_time(api, capacity, admin):
    institution = await api.institution(contracts=[{"budgeted_places": 3}])
    stay = await api.stay(institution["id"], lives_alone=True, admitted_at=days_ago(60))
    decisions = f"/v1/stays/{stay['id']}/single-child-decisions"
    today = date.today()

    def body(start: int, end: int) -> dict:
        return {
            "decided_on": (today + timedelta(days=start)).isoformat(),
            "justification": "Needs one-to-one staffing.",
            "valid_until": (today + timedelta(days=end)).isoformat(),
            "next_review_on": (today + timedelta(days=start + 7)).isoformat(),
        }

    first = await capacity.post(decisions, headers=admin, json=body(-50, -20))
    assert first.status_code == 201, first.text
    overlapping = await capacity.post(decisions, headers=admin, json=body(-30, 10))
    assert overlapping.status_code == 409
    assert "review that decision" in overlapping.json()["detail"]
    racing = await asyncio.gather(
        *(capacity.post(decisions, headers=admin, json=body(-10, 30)) for _ in range(4))
    )
    assert sorted(r.status_code for r in racing) == [201, 409, 409, 409]
    # A review may not stretch the first decision over the second's period either.
    stretched = await capacity.patch(
        f"{decisions}/{first.json()['id']}",
        headers={**admin, "If-Match": first.headers["etag"]},
        json={
            "reviewed_on": (today - timedelta(days=21)).isoformat(),
            "next_review_on": (today - timedelta(days=14)).isoformat(),
            "valid_until": (today + timedelta(days=5)).isoformat(),
        },
    )
    assert stretched.status_code == 409
    read = (await capacity.get(f"/v1/stays/{stay['id']}", headers=admin)).json()
    assert len(read["single_child_decisions"]) == 2


def _contract(**fields):
    from . import factories

    return factories.contract(**fields)
