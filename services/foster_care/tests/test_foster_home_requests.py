"""Foster-home requests: kinship first, the child's wishes, the age limit, national ids, the
six-week flag, waiting reasons, family group conferences, breach confirmations, withdrawal,
who may ask for and see which request, and Idempotency-Key."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from devstack.services import FOSTER_CARE
from devstack.testing import fetch

from . import factories

REQUESTS = "/v1/foster-home-requests"


async def test_family_and_close_network_are_assessed_first(api, environment):
    body = factories.request(kinship_assessed=False)
    message = await api.invalid("POST", REQUESTS, "kinship_assessed", body)
    assert "family and close network first" in message
    rows = await fetch(
        await environment.database(FOSTER_CARE),
        "SELECT count(*) AS n FROM foster_home_request WHERE child_ref = $1",
        body["child_ref"],
    )
    assert rows[0]["n"] == 0
    created = await api.request(kinship_assessed=True)
    assert (created["status"], created["kinship_assessed"]) == ("open", True)
    missing = factories.request()
    del missing["kinship_assessed"]
    assert await api.invalid("POST", REQUESTS, "kinship_assessed", missing) == "Field required"


async def test_bad_input_names_the_field(api):
    future = (date.today() + timedelta(days=30)).isoformat()
    cases = {
        "municipality_number": {"municipality_number": "9999"},
        "region": {"region": "ost"},
        "birth_date": {"birth_date": future},
        "desired_start_date": {"desired_start_date": "15.01.2024"},
        "requested_at": {"requested_at": "2023-12-01T10:00:00"},  # no offset
        "child_ref": {"child_ref": "Ola Nordmann"},
        "national_id": {"national_id": "12345678901"},
        "needs.0": {"needs": ["a_pony"]},
        "child_wishes_recorded": {"child_wishes_recorded": "maybe"},
    }
    for field, override in cases.items():
        await api.invalid("POST", REQUESTS, field, factories.request(**override))
    twice = await api.invalid(
        "POST", REQUESTS, "needs", factories.request(needs=["health", "health"])
    )
    assert "once" in twice
    tomorrow = (datetime.now().astimezone() + timedelta(days=1)).isoformat()
    assert "future" in await api.invalid(
        "POST", REQUESTS, "requested_at", factories.request(requested_at=tomorrow)
    )


async def test_the_childs_wishes_recorded_need_the_day_they_were(api):
    message = await api.invalid(
        "POST",
        REQUESTS,
        "child_wishes_recorded_on",
        factories.request(child_wishes_recorded=True, child_wishes_recorded_on=None),
    )
    assert "required" in message
    await api.invalid(
        "POST",
        REQUESTS,
        "child_wishes_recorded_on",
        factories.request(child_wishes_recorded=False, child_wishes_recorded_on="2023-11-20"),
    )
    not_recorded = await api.request(child_wishes_recorded=False, child_wishes_recorded_on=None)
    assert (not_recorded["child_wishes_recorded"], not_recorded["child_wishes_recorded_on"]) == (
        False,
        None,
    )
    recorded = await api.request()
    assert recorded["child_wishes_recorded_on"] == "2023-11-20"


async def test_a_youth_of_twenty_on_the_desired_start_date_is_refused(api):
    message = await api.invalid(
        "POST",
        REQUESTS,
        "birth_date",
        factories.request(birth_date="2004-01-15", desired_start_date="2024-01-15"),
    )
    assert "age 20" in message
    assert "duty to assist ends at 20" in message
    nineteen = await api.request(birth_date="2004-01-16", desired_start_date="2024-01-15")
    assert nineteen["age_years"] == 19
    assert "birth_date" in {
        error["field"]
        for error in (
            await api.problem(
                "POST",
                REQUESTS,
                422,
                factories.request(birth_date="2024-02-01", desired_start_date="2024-01-15"),
            )
        )["errors"]
    }


async def test_national_id_matches_the_birth_date_and_is_only_shown_masked(
    api, foster_care, admin, environment
):
    birth = date(2014, 9, 12)
    number = factories.national_id(birth)
    other = factories.national_id(date(2014, 9, 13))
    mismatch = await api.problem(
        "POST", REQUESTS, 422, factories.request(national_id=other, birth_date=birth.isoformat())
    )
    assert mismatch["errors"] == [{"field": "national_id", "message": "does not match birth_date"}]
    assert other not in str(mismatch)
    bad_check = number[:-1] + str((int(number[-1]) + 1) % 10)
    refused = await api.problem("POST", REQUESTS, 422, factories.request(national_id=bad_check))
    assert refused["errors"][0]["field"] == "national_id"
    assert bad_check not in str(refused)

    created = await api.request(national_id=number, birth_date=birth.isoformat())
    assert created["national_id_masked"] == "*********" + number[-2:]
    read = await foster_care.get(f"{REQUESTS}/{created['id']}", headers=admin)
    assert read.json()["national_id_masked"] == created["national_id_masked"]
    assert number not in read.text
    db = await environment.database(FOSTER_CARE)
    for table in ("foster_home_request", "outbox", "audit_event", "idempotency_key"):
        rows = await fetch(
            db, f"SELECT count(*) AS n FROM {table} t WHERE position($1 in t::text) > 0", number
        )
        assert rows[0]["n"] == 0, f"{table} holds the national id in clear"
    found = await api.post(f"{REQUESTS}/search", {"national_id": number}, 200)
    assert [item["id"] for item in found["items"]] == [created["id"]]


async def test_more_than_six_weeks_past_the_desired_start_date_is_flagged(api):
    long_ago = await api.request(
        desired_start_date=factories.days_ago(43), requested_at=factories.instant_days_ago(60)
    )
    assert (long_ago["days_waiting"], long_ago["more_than_six_weeks"]) == (43, True)
    assert long_ago["waiting_reason"] == "no_suitable_home"
    six_weeks = await api.request(
        desired_start_date=factories.days_ago(42), requested_at=factories.instant_days_ago(60)
    )
    assert (six_weeks["days_waiting"], six_weeks["more_than_six_weeks"]) == (42, False)
    ahead = await api.request(
        desired_start_date=factories.days_ago(-10), requested_at=factories.instant_days_ago(1)
    )
    assert (ahead["days_waiting"], ahead["more_than_six_weeks"]) == (None, False)
    assert ahead["waiting_reason"] is None
    read = await api.read_request(long_ago["id"])
    assert (read["days_waiting"], read["more_than_six_weeks"]) == (43, True)
    flagged = {
        item["id"]: item["more_than_six_weeks"]
        for item in (await api.get(REQUESTS, status="open", limit=500))["items"]
    }
    assert (flagged[long_ago["id"]], flagged[six_weeks["id"]], flagged[ahead["id"]]) == (
        True,
        False,
        False,
    )


async def test_waiting_reasons_are_recorded_from_a_date(api):
    request = await api.request(
        desired_start_date=factories.days_ago(30), requested_at=factories.instant_days_ago(40)
    )
    path = f"{REQUESTS}/{request['id']}/waiting-reasons"
    assert request["waiting_reason"] == "no_suitable_home"  # until another is recorded
    first = await api.post(path, {"reason": "other", "from_date": factories.days_ago(20)})
    assert (first["reason"], first["from_date"]) == ("other", factories.days_ago(20))
    assert (await api.read_request(request["id"]))["waiting_reason"] == "other"
    await api.post(path, {"reason": "municipality_declined", "from_date": factories.days_ago(5)})
    assert (await api.read_request(request["id"]))["waiting_reason"] == "municipality_declined"
    listed = await api.get(path)
    assert [(e["reason"], e["from_date"]) for e in listed["items"]] == [
        ("other", factories.days_ago(20)),
        ("municipality_declined", factories.days_ago(5)),
    ]
    before_request = await api.invalid(
        "POST", path, "from_date", {"reason": "other", "from_date": factories.days_ago(41)}
    )
    assert "before the request" in before_request
    await api.invalid(
        "POST", path, "from_date", {"reason": "other", "from_date": factories.days_ago(-1)}
    )
    await api.invalid(
        "POST", path, "reason", {"reason": "lazy", "from_date": factories.days_ago(1)}
    )
    await api.invalid("POST", path, "from_date", {"reason": "other"})


async def test_family_group_conferences_are_offered_then_held_once(api):
    request = await api.request()
    path = f"{REQUESTS}/{request['id']}/family-group-conferences"
    offered = await api.post(
        path, {"offered_on": "2023-12-05", "held_on": None, "aims_to_recruit_home": True}
    )
    assert (offered["offered_on"], offered["held_on"]) == ("2023-12-05", None)
    held_path = f"{path}/{offered['id']}/held"
    early = await api.invalid("POST", held_path, "held_on", {"held_on": "2023-12-04"})
    assert "before the conference was offered" in early
    future = await api.invalid("POST", held_path, "held_on", {"held_on": factories.days_ago(-1)})
    assert "future" in future
    held = await api.post(held_path, {"held_on": "2023-12-12"}, 200)
    assert held["held_on"] == "2023-12-12"
    twice = await api.problem("POST", held_path, 409, {"held_on": "2023-12-13"})
    assert "held on 2023-12-12 already" in twice["detail"]

    at_once = await api.post(
        path, {"offered_on": "2023-12-06", "held_on": "2023-12-20", "aims_to_recruit_home": False}
    )
    assert at_once["held_on"] == "2023-12-20"
    await api.problem("POST", f"{path}/{at_once['id']}/held", 409, {"held_on": "2023-12-21"})
    backwards = await api.invalid(
        "POST",
        path,
        "held_on",
        {"offered_on": "2023-12-06", "held_on": "2023-12-01", "aims_to_recruit_home": True},
    )
    assert "before" in backwards
    listed = await api.get(path)
    assert [(c["offered_on"], c["held_on"]) for c in listed["items"]] == [
        ("2023-12-05", "2023-12-12"),
        ("2023-12-06", "2023-12-20"),
    ]
    missing = "0190a1a1-0000-7000-8000-00000000f00d"
    await api.problem("POST", f"{path}/{missing}/held", 404, {"held_on": "2023-12-13"})


async def test_breaches_are_confirmed_once_per_source_by_bufetat_only(api, bergen):
    request = await api.request(headers=bergen)
    path = f"{REQUESTS}/{request['id']}/breach-confirmations"
    governor = {"source": "county_governor", "confirmed_at": "2024-02-01T09:00:00+01:00"}
    refused = await api.problem("POST", path, 403, governor, headers=bergen)
    assert "municipality" in refused["detail"]
    confirmed = await api.post(path, governor)
    assert confirmed["source"] == "county_governor"
    self_assessed = await api.post(
        path, {"source": "self_assessed", "confirmed_at": "2024-02-02T09:00:00+01:00"}
    )
    assert self_assessed["source"] == "self_assessed"
    again = await api.problem(
        "POST", path, 409, {**governor, "confirmed_at": "2024-02-03T09:00:00+01:00"}
    )
    assert "already confirmed by this source" in again["detail"]
    await api.invalid("POST", path, "source", {**governor, "source": "the_press"})
    await api.invalid(
        "POST", path, "confirmed_at", {**governor, "confirmed_at": "2023-11-30T09:00:00+01:00"}
    )
    read = await api.read_request(request["id"], headers=bergen)
    assert [c["source"] for c in read["breach_confirmations"]] == [
        "county_governor",
        "self_assessed",
    ]


async def test_a_request_is_withdrawn_once_and_not_while_a_proposal_awaits(api):
    home = await api.approved_home()
    request = await api.request()
    path = f"{REQUESTS}/{request['id']}/withdraw"
    body = {"withdrawn_at": "2023-12-10T10:00:00+01:00", "reason": "kinship_solution"}
    proposal = await api.propose(request["id"], home["id"], "2023-12-05T10:00:00+01:00")
    pending = await api.problem("POST", path, 409, body)
    assert "awaits a decision" in pending["detail"]
    await api.decide(
        request["id"], proposal["id"], "declined", "2023-12-06T10:00:00+01:00", "child_declined"
    )
    await api.invalid(
        "POST", path, "withdrawn_at", {**body, "withdrawn_at": "2023-11-01T10:00:00+01:00"}
    )
    await api.invalid("POST", path, "reason", {**body, "reason": "bored"})
    withdrawn = await api.post(path, body, 200)
    assert (withdrawn["status"], withdrawn["withdrawal_reason"]) == (
        "withdrawn",
        "kinship_solution",
    )
    assert withdrawn["days_waiting"] is None
    assert withdrawn["waiting_reason"] is None
    again = await api.problem("POST", path, 409, body)
    assert "withdrawn" in again["detail"]
    no_proposal = await api.problem(
        "POST",
        f"{REQUESTS}/{request['id']}/proposals",
        409,
        {"foster_home_id": home["id"], "proposed_at": "2023-12-11T10:00:00+01:00"},
    )
    assert "withdrawn" in no_proposal["detail"]


async def test_a_municipality_asks_for_and_sees_only_its_own_children(api, bergen, oslo):
    own = await api.request(headers=bergen)
    assert own["municipality_number"] == "4601"
    for_oslo = await api.problem(
        "POST", REQUESTS, 403, factories.request(municipality_number="0301"), headers=bergen
    )
    assert "municipality 4601" in for_oslo["detail"]
    oslos = await api.request(headers=oslo, municipality_number="0301")
    await api.problem("GET", f"{REQUESTS}/{oslos['id']}", 403, headers=bergen)
    await api.problem("GET", f"{REQUESTS}/{own['id']}", 403, headers=oslo)
    assert (await api.read_request(own["id"], headers=bergen))["id"] == own["id"]
    for tail in ("candidates", "proposals", "waiting-reasons", "family-group-conferences"):
        await api.problem("GET", f"{REQUESTS}/{oslos['id']}/{tail}", 403, headers=bergen)
    await api.problem(
        "POST",
        f"{REQUESTS}/{oslos['id']}/withdraw",
        403,
        {"withdrawn_at": "2023-12-10T10:00:00+01:00", "reason": "other"},
        headers=bergen,
    )
    unchanged = await api.read_request(oslos["id"])
    assert unchanged["status"] == "open"


async def test_a_region_asks_for_and_sees_only_its_region(api, vest):
    in_vest = await api.request(headers=vest, municipality_number="1103")
    assert in_vest["region"] == "vest"
    await api.problem(
        "POST", REQUESTS, 403, factories.request(municipality_number="0301"), headers=vest
    )
    in_ost = await api.request(municipality_number="0301")
    await api.problem("GET", f"{REQUESTS}/{in_ost['id']}", 403, headers=vest)
    assert (await api.read_request(in_vest["id"], headers=vest))["id"] == in_vest["id"]
    listed = await api.get(REQUESTS, headers=vest, limit=500)
    assert {item["region"] for item in listed["items"]} == {"vest"}
    await api.problem("GET", REQUESTS, 403, headers=vest, region="ost")


async def test_idempotency_key_replays_the_first_answer(api, foster_care, admin, environment):
    headers = {**admin, "Idempotency-Key": "fc-request-1"}
    body = factories.request()
    first = await foster_care.post(REQUESTS, json=body, headers=headers)
    second = await foster_care.post(REQUESTS, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    db = await environment.database(FOSTER_CARE)
    rows = await fetch(
        db, "SELECT count(*) AS n FROM foster_home_request WHERE child_ref = $1", body["child_ref"]
    )
    assert rows[0]["n"] == 1
    events = await fetch(
        db,
        "SELECT count(*) AS n FROM outbox WHERE convert_from(payload, 'UTF8') LIKE $1",
        f"%{first.json()['id']}%",
    )
    assert events[0]["n"] == 1
    other = await foster_care.post(
        REQUESTS, json={**body, "desired_start_date": "2024-02-01"}, headers=headers
    )
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in other.json()["detail"]
    rows = await fetch(
        db, "SELECT count(*) AS n FROM foster_home_request WHERE child_ref = $1", body["child_ref"]
    )
    assert rows[0]["n"] == 1


async def test_idempotency_key_on_a_proposal(api, foster_care, admin, environment):
    home = await api.approved_home(places=2)
    request = await api.request()
    headers = {**admin, "Idempotency-Key": "fc-proposal-1"}
    body = {"foster_home_id": home["id"], "proposed_at": "2023-12-05T10:00:00+01:00"}
    path = f"{REQUESTS}/{request['id']}/proposals"
    first = await foster_care.post(path, json=body, headers=headers)
    again = await foster_care.post(path, json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["id"] == again.json()["id"]
    rows = await fetch(
        await environment.database(FOSTER_CARE),
        "SELECT count(*) AS n FROM proposal WHERE foster_home_request_id = $1",
        request["id"],
    )
    assert rows[0]["n"] == 1
    # Without the key the same call is a second proposal, refused by the state.
    await api.problem("POST", path, 409, body)
