"""Who sees which case, and the trail of who looked: a region's token sees its own region's
offices and cases only (another region's is 403, audited as forbidden; an unknown case 404,
audited as not found); every read of a case is audited, a list's and the work queue's one
entry naming every case it showed; municipalities have no family_counselling scope; and
Idempotency-Key makes opening a case safe to retry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from devstack.services import FAMILY_COUNSELLING
from devstack.testing import fetch

from .conftest import closing, instant_days_ago

CASES = "/v1/cases"
MISSING = "0190a1a1-0000-7000-8000-00000000dead"


async def test_every_read_and_change_of_a_case_is_audited(api, who_saw):
    office = await api.office()
    slot = await api.slot(office["id"])
    case = await api.case(office["id"])
    await api.read_case(case["id"])
    await api.get(CASES, office_id=office["id"])
    await api.queue(office["id"])
    appointment = await api.appointment(case["id"], "2024-03-12T10:00:00+01:00")
    await api.get(f"/v1/cases/{case['id']}/appointments")
    await api.get(f"/v1/appointments/{appointment['id']}")
    await api.outcome(appointment["id"], "attended", "2024-03-12T11:00:00+01:00")
    booked = await api.post(f"/v1/cases/{case['id']}/bookings", {"slot_id": slot["id"]})
    await api.client.patch(
        f"{CASES}/{case['id']}", json={"track": "B"}, headers={**api.headers, "If-Match": "*"}
    )
    await api.close(case["id"], closing())
    certificate = await api.certificate(case["id"])
    await api.get(f"/v1/mediation-certificates/{certificate['certificate_number']}")
    now = instant_days_ago(0)
    await api.post(
        f"{CASES}/{case['id']}/reopen",
        {"reopened_at": now, "referral_received_at": now, "reason": "New referral."},
        200,
    )
    rows = await who_saw(case["id"])
    assert [(r["action"], r["outcome"], r["purpose"]) for r in rows] == [
        ("create", "granted", None),
        ("read", "granted", None),
        ("list", "granted", None),
        ("list", "granted", "work queue"),
        ("update", "granted", "appointment"),
        ("read", "granted", "appointments"),
        ("read", "granted", f"appointment {appointment['id']}"),
        ("update", "granted", f"appointment {appointment['id']}"),
        ("update", "granted", "booking"),
        ("update", "granted", "triage"),
        ("update", "granted", "close"),
        ("update", "granted", "mediation certificate"),
        ("read", "granted", "mediation certificate checked"),
        ("update", "granted", "reopen"),
    ]
    assert {r["client_id"] for r in rows} == {"national-admin"}
    assert all(r["subject"] and r["trace_id"] for r in rows)
    assert booked["slot_id"] == slot["id"]


async def test_a_region_sees_its_own_cases_only_and_denials_are_audited(api, vest, trail):
    bergen = await api.office(municipality_number="4601")
    oslo = await api.office(municipality_number="0301")
    own = await api.case(bergen["id"])
    theirs = await api.case(oslo["id"])
    their_appointment = await api.appointment(theirs["id"], "2024-03-12T10:00:00+01:00")
    started = datetime.now(UTC)

    assert (await api.read_case(own["id"], headers=vest))["id"] == own["id"]
    refused = await api.problem("GET", f"{CASES}/{theirs['id']}", 403, headers=vest)
    assert "vest" in refused["detail"]
    assert theirs["id"] not in refused["detail"]
    await api.problem("GET", f"{CASES}/{MISSING}", 404, headers=vest)
    await api.problem("GET", f"{CASES}/{theirs['id']}/appointments", 403, headers=vest)
    await api.problem("GET", f"/v1/appointments/{their_appointment['id']}", 403, headers=vest)
    await api.problem("GET", f"/v1/appointments/{MISSING}", 404, headers=vest)
    await api.problem(
        "POST",
        f"/v1/appointments/{their_appointment['id']}/outcome",
        403,
        {"outcome": "attended", "recorded_at": "2024-03-12T11:00:00+01:00"},
        headers=vest,
    )
    await api.problem(
        "PATCH",
        f"{CASES}/{theirs['id']}",
        403,
        {"track": "C!"},
        headers={**vest, "If-Match": "*"},
    )
    await api.problem("POST", f"{CASES}/{theirs['id']}/close", 403, closing(), headers=vest)
    await api.problem("POST", f"{CASES}/{theirs['id']}/mediation-certificate", 403, headers=vest)
    await api.problem("GET", CASES, 403, headers=vest, region="ost")
    await api.problem("GET", f"/v1/offices/{oslo['id']}/work-queue", 403, headers=vest)

    assert await trail("region-vest", started) == [
        ("read", "granted", None, own["id"]),
        ("read", "forbidden", None, theirs["id"]),
        ("read", "not_found", None, MISSING),
        ("read", "forbidden", "appointments", theirs["id"]),
        ("read", "forbidden", f"appointment {their_appointment['id']}", theirs["id"]),
        ("read", "not_found", f"appointment {MISSING}", MISSING),
        ("update", "forbidden", f"appointment {their_appointment['id']}", theirs["id"]),
        ("update", "forbidden", "triage", theirs["id"]),
        ("update", "forbidden", "close", theirs["id"]),
        ("update", "forbidden", "mediation certificate", theirs["id"]),
        ("list", "forbidden", None, None),
        ("list", "forbidden", "work queue", None),
    ]
    unchanged = await api.read_case(theirs["id"])
    assert (unchanged["status"], unchanged["track"], unchanged["version"]) == ("open", None, 1)
    outcome = await api.get(f"/v1/appointments/{their_appointment['id']}")
    assert outcome["outcome"] is None

    # Nor may it open a case at another region's office, or list another region's.
    body = {
        "office_id": oslo["id"],
        "case_type": "clinical",
        "referral_received_at": "2024-03-04T09:30:00+01:00",
    }
    await api.problem("POST", CASES, 403, body, headers=vest)
    opened = await api.post(CASES, {**body, "office_id": bergen["id"]}, headers=vest)
    assert opened["region"] == "vest"
    listed = await api.get(CASES, headers=vest, limit=500)
    ids = {case["id"] for case in listed["items"]}
    assert {own["id"], opened["id"]} <= ids
    assert theirs["id"] not in ids
    assert {case["region"] for case in listed["items"]} == {"vest"}
    filtered = await api.get(CASES, headers=vest, office_id=oslo["id"], limit=500)
    assert filtered["items"] == []


async def test_the_lists_one_audit_entry_names_the_cases_shown(api, vest, ost, audit_rows):
    bergen = await api.office(municipality_number="4601")
    oslo = await api.office(municipality_number="0301")
    in_vest = [await api.case(bergen["id"]) for _ in range(3)]
    in_ost = await api.case(oslo["id"])
    started = datetime.now(UTC)

    first = await api.get(CASES, headers=vest, office_id=bergen["id"], limit=2)
    rest = await api.get(
        CASES, headers=vest, office_id=bergen["id"], limit=2, cursor=first["next_cursor"]
    )
    queue = await api.queue(bergen["id"], headers=vest, limit=2)
    empty = await api.get(CASES, headers=vest, office_id=oslo["id"])
    assert empty["items"] == []
    rows = await audit_rows("region-vest", started)
    assert [(r["action"], r["purpose"], r["resource_id"]) for r in rows] == [
        ("list", None, None),
        ("list", None, None),
        ("list", "work queue", None),
        ("list", None, None),
    ]
    shown = [
        [item["id"] for item in first["items"]],
        [item["id"] for item in rest["items"]],
        [item["case_id"] for item in queue["items"]],
    ]
    assert [row["resource_ids"] for row in rows[:3]] == shown
    assert rows[3]["resource_ids"] is None  # nothing shown, nothing named
    assert sorted(shown[0] + shown[1]) == sorted(case["id"] for case in in_vest)
    assert len(shown[2]) == 2

    ost_started = datetime.now(UTC)
    seen = await api.get(CASES, headers=ost, limit=500)
    ost_rows = await audit_rows("region-ost", ost_started)
    assert len(ost_rows) == 1
    assert ost_rows[0]["resource_ids"] == [case["id"] for case in seen["items"]]
    assert in_ost["id"] in ost_rows[0]["resource_ids"]
    assert not {case["id"] for case in in_vest} & set(ost_rows[0]["resource_ids"])


async def test_who_saw_a_case_includes_every_list_that_showed_it(api, vest, who_saw):
    office = await api.office()
    case = await api.case(office["id"])
    await api.get(CASES, headers=vest, office_id=office["id"])
    await api.queue(office["id"], headers=vest)
    await api.read_case(case["id"], headers=vest)
    rows = await who_saw(case["id"])
    assert [(r["client_id"], r["action"], r["purpose"]) for r in rows] == [
        ("national-admin", "create", None),
        ("region-vest", "list", None),
        ("region-vest", "list", "work queue"),
        ("region-vest", "read", None),
    ]


async def test_municipalities_have_no_family_counselling_scope(
    api, bergen, oslo, trail, family_counselling
):
    office = await api.office()
    case = await api.case(office["id"])
    appointment = await api.appointment(case["id"], "2024-03-12T10:00:00+01:00")
    started = datetime.now(UTC)
    calls = [
        ("GET", "/v1/offices", None),
        ("GET", f"/v1/offices/{office['id']}", None),
        ("GET", f"/v1/offices/{office['id']}/mediation-slots", None),
        ("GET", f"/v1/offices/{office['id']}/work-queue", None),
        ("GET", CASES, None),
        ("GET", f"{CASES}/{case['id']}", None),
        ("GET", f"{CASES}/{case['id']}/appointments", None),
        ("GET", f"/v1/appointments/{appointment['id']}", None),
        ("GET", "/v1/mediation-certificates/MK-2222-2222-2222", None),
        (
            "POST",
            "/v1/offices",
            {
                "name": "X",
                "municipality_number": "4601",
                "ownership": "state",
                "therapist_hours_per_week": 1,
            },
        ),
        (
            "POST",
            CASES,
            {
                "office_id": office["id"],
                "case_type": "clinical",
                "referral_received_at": "2024-03-04T09:30:00+01:00",
            },
        ),
        ("POST", f"{CASES}/{case['id']}/close", closing()),
        ("POST", f"{CASES}/{case['id']}/mediation-certificate", None),
    ]
    for headers in (bergen, oslo):
        for method, path, body in calls:
            refused = await api.problem(method, path, 403, body, headers=headers)
            assert "family_counselling" in refused["detail"], (method, path)
    for method, path, body in calls[:3]:
        response = await family_counselling.request(method, path, json=body)
        assert response.status_code == 401, (method, path)
    assert await trail("municipality-4601", started) == []
    assert await trail("municipality-0301", started) == []
    assert (await api.read_case(case["id"]))["status"] == "open"


async def test_a_read_only_token_may_not_change_anything(api, auth):
    reader = auth("region-vest", scope="family_counselling.read")
    office = await api.office()
    case = await api.case(office["id"])
    assert (await api.read_case(case["id"], headers=reader))["id"] == case["id"]
    refused = await api.problem(
        "POST", f"{CASES}/{case['id']}/close", 403, closing(), headers=reader
    )
    assert "family_counselling.write" in refused["detail"]
    await api.problem(
        "POST",
        f"/v1/offices/{office['id']}/mediation-slots",
        403,
        {"starts_at": instant_days_ago(-3)},
        headers=reader,
    )


# Idempotency --------------------------------------------------------------------------------


async def test_idempotency_key_replays_the_case_it_opened(
    api, family_counselling, admin, vest, environment
):
    db = await environment.database(FAMILY_COUNSELLING)
    office = await api.office()
    headers = {**admin, "Idempotency-Key": "fc-case-1"}
    body = {
        "office_id": office["id"],
        "case_type": "mediation",
        "mediation_reason": "court",
        "referral_received_at": "2024-03-04T09:30:00+01:00",
        "children": [{"age": 10}],
    }
    first = await family_counselling.post(CASES, json=body, headers=headers)
    # The same body with its keys in another order is the same request.
    second = await family_counselling.post(
        CASES, json=dict(reversed(list(body.items()))), headers=headers
    )
    assert first.status_code == second.status_code == 201, second.text
    assert first.json() == second.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"

    async def count() -> int:
        rows = await fetch(
            db, "SELECT count(*) AS n FROM counselling_case WHERE office_id = $1", office["id"]
        )
        return rows[0]["n"]

    assert await count() == 1
    events = await fetch(
        db,
        "SELECT count(*) AS n FROM outbox WHERE convert_from(payload, 'UTF8') LIKE $1",
        f"%{first.json()['id']}%",
    )
    assert events[0]["n"] == 1
    created = await fetch(
        db,
        "SELECT count(*) AS n FROM audit_event WHERE resource_id = $1 AND action = 'create'",
        first.json()["id"],
    )
    assert created[0]["n"] == 1

    other = await family_counselling.post(
        CASES, json={**body, "mediation_reason": "separation"}, headers=headers
    )
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in other.json()["detail"]
    assert await count() == 1

    # Two retries at once: still one case.
    racing = {**admin, "Idempotency-Key": "fc-case-2"}
    answers = await asyncio.gather(
        *(family_counselling.post(CASES, json=body, headers=racing) for _ in range(3))
    )
    assert [a.status_code for a in answers] == [201] * 3, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert await count() == 2
    # The key is the client's own: another client with the same key opens its own case.
    own = await api.post(CASES, body, headers={**vest, "Idempotency-Key": "fc-case-1"})
    assert own["id"] != first.json()["id"]
    assert await count() == 3


async def test_a_retried_booking_replays_its_appointment(api, family_counselling, admin):
    office = await api.office()
    slot = await api.slot(office["id"])
    case = await api.case(office["id"])
    headers = {**admin, "Idempotency-Key": "fc-booking-1"}
    path = f"{CASES}/{case['id']}/bookings"
    first = await family_counselling.post(path, json={"slot_id": slot["id"]}, headers=headers)
    again = await family_counselling.post(path, json={"slot_id": slot["id"]}, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert first.json() == again.json()
    listed = await api.get(f"{CASES}/{case['id']}/appointments")
    assert len(listed["items"]) == 1
