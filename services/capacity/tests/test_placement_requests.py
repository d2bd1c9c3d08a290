"""Placement requests: deadlines of the duty to assist, breaches, scope, children's data."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from devstack.services import CAPACITY
from devstack.testing import eventually, fetch

from . import factories

OSLO = ZoneInfo("Europe/Oslo")


def parse(instant: str) -> datetime:
    return datetime.fromisoformat(instant)


async def test_acute_deadline_is_two_hours_after_the_need(api):
    need = datetime(2024, 3, 1, 10, 0, tzinfo=OSLO)
    created = await api.placement_request(
        need_concluded_at=need.isoformat(), desired_start_date="2024-03-01"
    )
    assert parse(created["deadline_at"]) == need + timedelta(hours=2)
    assert created["deadline_at"] == "2024-03-01T12:00:00+01:00"  # answered in Oslo time
    assert created["duty_to_assist"] is True


async def test_planned_deadline_is_the_end_of_the_desired_start_date_in_oslo(api):
    need = datetime(2024, 6, 1, 9, 0, tzinfo=OSLO)
    created = await api.placement_request(
        urgency="planned",
        function="care",
        need_concluded_at=need.isoformat(),
        desired_start_date="2024-06-20",
    )
    deadline = parse(created["deadline_at"])
    assert deadline.astimezone(OSLO).date() == date(2024, 6, 20)
    assert (deadline.astimezone(OSLO).hour, deadline.astimezone(OSLO).minute) == (23, 59)
    assert deadline.utcoffset() == timedelta(hours=2)  # summer time


async def test_a_request_past_its_deadline_is_breached_for_every_reader_at_once(
    api, capacity, admin
):
    need = datetime.now(UTC) - timedelta(hours=3)
    # The sweeper runs every 0.2 s here; read straight away, before it may have run.
    created = await api.placement_request(
        need_concluded_at=need.isoformat(),
        desired_start_date=factories.oslo_day(need),
    )
    assert created["status"] == "breached"
    read = (await capacity.get(f"/v1/placement-requests/{created['id']}", headers=admin)).json()
    assert read["status"] == "breached"
    listed = (
        await capacity.get("/v1/placement-requests", params={"status": "breached"}, headers=admin)
    ).json()
    assert created["id"] in {item["id"] for item in listed["items"]}
    open_ = (
        await capacity.get("/v1/placement-requests", params={"status": "open"}, headers=admin)
    ).json()
    assert created["id"] not in {item["id"] for item in open_["items"]}


async def test_the_service_marks_breaches_itself_and_says_so_once(api, environment):
    need = datetime.now(UTC) - timedelta(hours=2, seconds=-1)  # deadline in one second
    created = await api.placement_request(
        need_concluded_at=need.isoformat(),
        desired_start_date=factories.oslo_day(need),
    )
    assert created["status"] == "open"
    db = await environment.database(CAPACITY)

    async def marked():
        rows = await fetch(
            db,
            "SELECT status, breached_at, deadline_at FROM placement_request WHERE id = $1",
            created["id"],
        )
        assert rows[0]["status"] == "breached"
        assert rows[0]["breached_at"] == rows[0]["deadline_at"]

    await eventually(marked, within=10)
    events = await fetch(
        db,
        "SELECT payload FROM outbox WHERE subject = $1 AND convert_from(payload, 'UTF8') LIKE $2",
        "capacity.placement_request.breached.v1",
        f"%{created['id']}%",
    )
    assert len(events) == 1


async def test_a_request_recorded_late_with_an_offer_made_in_time_is_never_breached(
    api, capacity, admin, environment
):
    # A system sending what already happened: the need, and an offer within the two hours,
    # both recorded a day later. The sweeper (every 0.2 s, grace 1 s here) must not report
    # a breach in the moment between the two calls; without an offer it does after the grace.
    need = datetime.now(UTC) - timedelta(days=1)
    in_time = await api.placement_request(
        need_concluded_at=need.isoformat(), desired_start_date=factories.oslo_day(need)
    )
    institution = await api.institution(contracts=[{"function": "acute", "budgeted_places": 1}])
    offer = await capacity.post(
        f"/v1/placement-requests/{in_time['id']}/offers",
        json={
            "institution_id": institution["id"],
            "function": "acute",
            "contract_type": "state",
            "offered_at": (need + timedelta(hours=1)).isoformat(),
            "justification": "The place the child's team knows.",
        },
        headers=admin,
    )
    assert offer.status_code == 201, offer.text
    assert offer.json()["within_deadline"] is True
    never_offered = await api.placement_request(
        need_concluded_at=need.isoformat(), desired_start_date=factories.oslo_day(need)
    )
    db = await environment.database(CAPACITY)

    async def breached_events() -> set[str]:
        rows = await fetch(
            db,
            "SELECT convert_from(payload, 'UTF8') AS payload FROM outbox WHERE subject = $1",
            "capacity.placement_request.breached.v1",
        )
        return {
            request["id"]
            for request in (in_time, never_offered)
            for row in rows
            if request["id"] in row["payload"]
        }

    async def marked():
        assert await breached_events() == {never_offered["id"]}

    await eventually(marked, within=10)
    await asyncio.sleep(1.5)  # well past the grace: still only the one never offered
    assert await breached_events() == {never_offered["id"]}


async def test_a_youth_of_twenty_has_no_deadline_and_is_never_breached(api, capacity, admin):
    need = datetime.now(UTC) - timedelta(days=3)
    twenty_one = need.date().replace(year=need.year - 21, day=1)
    created = await api.placement_request(
        birth_date=twenty_one.isoformat(),
        need_concluded_at=need.isoformat(),
        desired_start_date=factories.oslo_day(need),
    )
    assert created["deadline_at"] is None
    assert created["duty_to_assist"] is False
    assert created["age_years"] >= 20
    assert created["status"] == "open"
    breached = (
        await capacity.get("/v1/placement-requests", params={"status": "breached"}, headers=admin)
    ).json()
    assert created["id"] not in {item["id"] for item in breached["items"]}


async def test_nineteen_on_the_need_date_still_has_the_duty(api):
    need = datetime(2024, 3, 1, 10, 0, tzinfo=OSLO)
    created = await api.placement_request(
        birth_date="2004-03-02", need_concluded_at=need.isoformat(), desired_start_date="2024-03-01"
    )
    assert created["age_years"] == 19
    assert created["deadline_at"] is not None


async def test_bad_input_names_the_field(capacity, admin):
    future = (date.today() + timedelta(days=30)).isoformat()
    cases = {
        "municipality_number": {"municipality_number": "9999"},
        "birth_date": {"birth_date": future},
        "urgency": {"urgency": "whenever"},
        "function": {"function": "prison"},
        "need_concluded_at": {"need_concluded_at": "2024-03-01T10:00:00"},  # no offset
        "child_ref": {"child_ref": "Ola Nordmann"},
        "national_id": {"national_id": "12345678901"},
        "child_views_recorded": {"child_views_recorded": "maybe"},
    }
    for field, override in cases.items():
        response = await capacity.post(
            "/v1/placement-requests", headers=admin, json=factories.placement_request(**override)
        )
        assert response.status_code == 422, (field, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert field in {error["field"] for error in response.json()["errors"]}, field
    missing = factories.placement_request()
    del missing["urgency"]
    response = await capacity.post("/v1/placement-requests", headers=admin, json=missing)
    assert response.json()["errors"] == [{"field": "urgency", "message": "Field required"}]


async def test_rules_across_fields(capacity, admin):
    need = datetime.now(UTC) - timedelta(hours=1)
    cases = {
        "desired_start_date": {
            "need_concluded_at": need.isoformat(),
            "desired_start_date": (need.date() - timedelta(days=2)).isoformat(),
        },
        "need_concluded_at": {
            "need_concluded_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()
        },
        "national_id": {
            "birth_date": "2010-05-04",
            "national_id": factories.national_id(date(2011, 5, 4)),
        },
    }
    for field, override in cases.items():
        response = await capacity.post(
            "/v1/placement-requests", headers=admin, json=factories.placement_request(**override)
        )
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["field"] == field


async def test_national_id_is_validated_encrypted_and_never_shown(
    api, capacity, admin, environment
):
    birth = date(2010, 5, 4)
    number = factories.national_id(birth)
    bad_check = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = await capacity.post(
        "/v1/placement-requests",
        headers=admin,
        json=factories.placement_request(national_id=bad_check),
    )
    assert response.status_code == 422
    assert bad_check not in response.text  # the error never repeats the number
    assert "mod-11" in response.json()["errors"][0]["message"]

    created = await api.placement_request(national_id=number, birth_date=birth.isoformat())
    assert created["national_id_masked"] == "*********" + number[-2:]
    read = await capacity.get(f"/v1/placement-requests/{created['id']}", headers=admin)
    assert number not in read.text

    db = await environment.database(CAPACITY)
    for table in ("placement_request", "outbox", "audit_event", "idempotency_key"):
        rows = await fetch(
            db, f"SELECT count(*) AS n FROM {table} t WHERE position($1 in t::text) > 0", number
        )
        assert rows[0]["n"] == 0, f"{table} holds the national id in clear"

    found = await capacity.post(
        "/v1/placement-requests/search", headers=admin, json={"national_id": number}
    )
    assert [item["id"] for item in found.json()["items"]] == [created["id"]]


async def test_d_numbers_are_accepted(api):
    birth = date(2009, 11, 23)
    created = await api.placement_request(
        national_id=factories.national_id(birth, d_number=True), birth_date=birth.isoformat()
    )
    assert created["national_id_masked"].startswith("*********")


async def test_every_read_and_write_is_audited(api, capacity, admin, environment):
    created = await api.placement_request()
    await capacity.get(f"/v1/placement-requests/{created['id']}", headers=admin)
    await capacity.get("/v1/placement-requests", headers=admin)
    rows = await fetch(
        await environment.database(CAPACITY),
        "SELECT action, client_id, subject, trace_id FROM audit_event "
        "WHERE resource_type = 'placement_request' "
        "AND (resource_id = $1 OR $1 = ANY(resource_ids)) ORDER BY at",
        created["id"],
    )
    assert [row["action"] for row in rows] == ["create", "read", "list"]
    assert {row["client_id"] for row in rows} == {"national-admin"}
    assert all(row["trace_id"] for row in rows)


async def test_a_municipality_sees_and_asks_only_for_itself(api, capacity, auth):
    bergen = auth("municipality-4601")
    oslo = auth("municipality-0301")
    own = await api.placement_request(headers=bergen)
    other = await api.placement_request(headers=oslo, municipality_number="0301")

    response = await capacity.get(f"/v1/placement-requests/{other['id']}", headers=bergen)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert (
        await capacity.get(f"/v1/placement-requests/{own['id']}", headers=bergen)
    ).status_code == 200
    listed = (await capacity.get("/v1/placement-requests", headers=bergen)).json()["items"]
    assert {item["municipality_number"] for item in listed} == {"4601"}
    asks_for_other = await capacity.post(
        "/v1/placement-requests",
        headers=bergen,
        json=factories.placement_request(municipality_number="0301"),
    )
    assert asks_for_other.status_code == 403
    offers = await capacity.get(f"/v1/placement-requests/{other['id']}/offers", headers=bergen)
    assert offers.status_code == 403
    candidates = await capacity.get(
        f"/v1/placement-requests/{other['id']}/candidates", headers=bergen
    )
    assert candidates.status_code == 403


async def test_a_region_sees_and_changes_only_its_region(api, capacity, auth):
    vest = auth("region-vest")
    in_ost = await api.placement_request(municipality_number="0301")
    in_vest = await api.placement_request(municipality_number="4601")
    assert (
        await capacity.get(f"/v1/placement-requests/{in_ost['id']}", headers=vest)
    ).status_code == 403
    assert (
        await capacity.get(f"/v1/placement-requests/{in_vest['id']}", headers=vest)
    ).status_code == 200
    listed = (await capacity.get("/v1/placement-requests", headers=vest)).json()["items"]
    assert {item["region"] for item in listed} == {"vest"}
    assert (
        await capacity.get("/v1/placement-requests", params={"region": "ost"}, headers=vest)
    ).status_code == 403
    close = await capacity.post(
        f"/v1/placement-requests/{in_ost['id']}/close",
        headers=vest,
        json={"closed_at": datetime.now(UTC).isoformat(), "reason": "withdrawn"},
    )
    assert close.status_code == 403


async def test_unknown_ids_are_404(capacity, admin):
    missing = "0190a1a1-0000-7000-8000-000000000000"
    for path in (
        f"/v1/placement-requests/{missing}",
        f"/v1/placement-requests/{missing}/candidates",
        f"/v1/placement-requests/{missing}/offers",
    ):
        response = await capacity.get(path, headers=admin)
        assert response.status_code == 404, path


async def test_denied_attempts_are_audited_too(api, capacity, auth, environment):
    """Who tried to see what they may not: 403 and 404 on a child's record stay in the trail
    although the request changed nothing."""
    in_ost = await api.placement_request(municipality_number="0301")
    in_vest = await api.placement_request(municipality_number="4601")
    vest = auth("region-vest")
    started = datetime.now(UTC)
    assert (
        await capacity.get(f"/v1/placement-requests/{in_ost['id']}", headers=vest)
    ).status_code == 403
    assert (
        await capacity.get(f"/v1/placement-requests/{in_ost['id']}/candidates", headers=vest)
    ).status_code == 403
    closing = await capacity.post(
        f"/v1/placement-requests/{in_ost['id']}/close",
        headers=vest,
        json={"closed_at": datetime.now(UTC).isoformat(), "reason": "withdrawn"},
    )
    assert closing.status_code == 403
    missing = "0190a1a1-0000-7000-8000-00000000dead"
    assert (
        await capacity.get(f"/v1/placement-requests/{missing}", headers=vest)
    ).status_code == 404
    assert (
        await capacity.get("/v1/placement-requests", params={"region": "ost"}, headers=vest)
    ).status_code == 403
    no_offer = await capacity.get(
        f"/v1/placement-requests/{in_vest['id']}/offers/{missing}", headers=vest
    )
    assert no_offer.status_code == 404
    db = await environment.database(CAPACITY)
    rows = await fetch(
        db,
        "SELECT action, outcome, purpose, resource_id FROM audit_event "
        "WHERE client_id = 'region-vest' AND resource_type = 'placement_request' "
        "AND at >= $1 ORDER BY at",
        started,
    )
    assert [(r["action"], r["outcome"], r["purpose"], r["resource_id"]) for r in rows] == [
        ("read", "forbidden", None, in_ost["id"]),
        ("read", "forbidden", "candidates", in_ost["id"]),
        ("update", "forbidden", "close", in_ost["id"]),
        ("read", "not_found", None, missing),
        ("list", "forbidden", None, None),
        ("read", "not_found", f"offer {missing}", in_vest["id"]),
    ]
    unchanged = await fetch(db, "SELECT status FROM placement_request WHERE id = $1", in_ost["id"])
    assert unchanged[0]["status"] == "open"
