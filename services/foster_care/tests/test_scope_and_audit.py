"""Who sees which child, and the trail of who looked: every read of a request or a placement,
granted, denied (403) or not found (404), is written to the audit trail with its outcome;
a municipality's lists and waiting list hold only its own children."""

from __future__ import annotations

from datetime import UTC, date, datetime

from devstack.services import FOSTER_CARE
from devstack.testing import fetch

from . import factories

REQUESTS = "/v1/foster-home-requests"
PLACEMENTS = "/v1/foster-placements"
PROPOSED_AT = "2023-12-05T10:00:00+01:00"


async def entries(environment, client_id: str, resource_type: str, since: datetime) -> list:
    return await fetch(
        await environment.database(FOSTER_CARE),
        "SELECT action, outcome, purpose, resource_id, resource_ids FROM audit_event "
        "WHERE client_id = $1 AND resource_type = $2 AND at >= $3 ORDER BY at, id",
        client_id,
        resource_type,
        since,
    )


async def trail(environment, client_id: str, resource_type: str, since: datetime) -> list[tuple]:
    """Every record the client touched, in order: a list's one entry names each it showed."""
    return [
        (r["action"], r["outcome"], r["purpose"], record)
        for r in await entries(environment, client_id, resource_type, since)
        for record in (r["resource_ids"] or [r["resource_id"]])
    ]


async def test_every_write_and_read_of_a_request_is_audited(api, environment):
    started = datetime.now(UTC)
    created = await api.request(desired_start_date="2023-12-15")
    await api.read_request(created["id"])
    await api.get(f"{REQUESTS}/{created['id']}/candidates")
    await api.get(REQUESTS, municipality_number="4601", limit=500)
    await api.post(
        f"{REQUESTS}/search", {"national_id": factories.national_id(date(2014, 9, 12))}, 200
    )
    rows = await fetch(
        await environment.database(FOSTER_CARE),
        "SELECT action, outcome, purpose, client_id, subject, trace_id FROM audit_event "
        "WHERE resource_type = 'foster_home_request' "
        "AND (resource_id = $1 OR $1 = ANY(resource_ids)) ORDER BY at",
        created["id"],
    )
    assert [(r["action"], r["outcome"], r["purpose"]) for r in rows] == [
        ("create", "granted", None),
        ("read", "granted", None),
        ("read", "granted", "candidates"),
        ("list", "granted", None),
    ]
    assert {r["client_id"] for r in rows} == {"national-admin"}
    assert all(r["subject"] and r["trace_id"] for r in rows)
    searched = await trail(environment, "national-admin", "foster_home_request", started)
    assert ("search", "granted", "national id search, 0 found", None) in searched


async def test_denied_and_missing_reads_of_requests_are_audited_too(api, vest, environment):
    in_ost = await api.request(municipality_number="0301")
    in_vest = await api.request(municipality_number="4601")
    missing = "0190a1a1-0000-7000-8000-00000000dead"
    started = datetime.now(UTC)
    await api.read_request(in_vest["id"], headers=vest)
    await api.problem("GET", f"{REQUESTS}/{in_ost['id']}", 403, headers=vest)
    await api.problem("GET", f"{REQUESTS}/{missing}", 404, headers=vest)
    await api.problem("GET", f"{REQUESTS}/{in_ost['id']}/candidates", 403, headers=vest)
    await api.problem("GET", f"{REQUESTS}/{in_ost['id']}/proposals", 403, headers=vest)
    await api.problem("GET", f"{REQUESTS}/{in_vest['id']}/proposals/{missing}", 404, headers=vest)
    await api.problem(
        "POST",
        f"{REQUESTS}/{in_ost['id']}/withdraw",
        403,
        {"withdrawn_at": "2023-12-10T10:00:00+01:00", "reason": "other"},
        headers=vest,
    )
    await api.problem("GET", REQUESTS, 403, headers=vest, region="ost")
    assert await trail(environment, "region-vest", "foster_home_request", started) == [
        ("read", "granted", None, in_vest["id"]),
        ("read", "forbidden", None, in_ost["id"]),
        ("read", "not_found", None, missing),
        ("read", "forbidden", "candidates", in_ost["id"]),
        ("read", "forbidden", "proposals", in_ost["id"]),
        ("read", "not_found", f"proposal {missing}", in_vest["id"]),
        ("update", "forbidden", "withdraw", in_ost["id"]),
        ("list", "forbidden", None, None),
    ]
    unchanged = await api.read_request(in_ost["id"])
    assert unchanged["status"] == "open"


async def test_every_read_of_a_placement_is_audited_with_its_outcome(
    api, bergen, oslo, environment
):
    home = await api.approved_home()
    request = await api.request(headers=bergen)
    placement = await api.placed(request, home, PROPOSED_AT, "2024-01-15")
    missing = "0190a1a1-0000-7000-8000-00000000beef"
    started = datetime.now(UTC)
    await api.get(f"{PLACEMENTS}/{placement['id']}", headers=bergen)
    await api.problem("GET", f"{PLACEMENTS}/{placement['id']}", 403, headers=oslo)
    await api.problem("GET", f"{PLACEMENTS}/{missing}", 404, headers=oslo)
    await api.problem(
        "POST",
        f"{PLACEMENTS}/{placement['id']}/end",
        403,
        {"end_date": "2024-02-01", "reason": "planned"},
        headers=oslo,
    )
    await api.problem("GET", PLACEMENTS, 403, headers=oslo, municipality_number="4601")
    assert await trail(environment, "municipality-4601", "foster_placement", started) == [
        ("read", "granted", None, placement["id"]),
    ]
    assert await trail(environment, "municipality-0301", "foster_placement", started) == [
        ("read", "forbidden", None, placement["id"]),
        ("read", "not_found", None, missing),
        ("update", "forbidden", None, placement["id"]),
        ("list", "forbidden", None, None),
    ]
    listed = await api.get(PLACEMENTS, headers=bergen, limit=500)
    assert placement["id"] in {item["id"] for item in listed["items"]}
    after_list = await trail(environment, "municipality-4601", "foster_placement", started)
    assert ("list", "granted", None, placement["id"]) in after_list
    created = await fetch(
        await environment.database(FOSTER_CARE),
        "SELECT client_id FROM audit_event WHERE resource_type = 'foster_placement' "
        "AND resource_id = $1 AND action = 'create'",
        placement["id"],
    )
    assert [row["client_id"] for row in created] == ["national-admin"]


async def test_a_municipality_lists_only_its_own_requests(api, bergen, oslo, environment):
    own = await api.request(headers=bergen)
    oslos = await api.request(headers=oslo, municipality_number="0301")
    listed = await api.get(REQUESTS, headers=bergen, limit=500)
    ids = {item["id"] for item in listed["items"]}
    assert own["id"] in ids
    assert oslos["id"] not in ids
    assert {item["municipality_number"] for item in listed["items"]} == {"4601"}
    region_wide = await api.get(REQUESTS, headers=bergen, region="vest", limit=500)
    assert {item["municipality_number"] for item in region_wide["items"]} == {"4601"}
    started = datetime.now(UTC)
    refused = await api.problem("GET", REQUESTS, 403, headers=bergen, municipality_number="0301")
    assert "own" in refused["detail"]
    assert await trail(environment, "municipality-4601", "foster_home_request", started) == [
        ("list", "forbidden", None, None)
    ]
    everyone = await api.get(REQUESTS, limit=500)
    assert {own["id"], oslos["id"]} <= {item["id"] for item in everyone["items"]}
    found = await api.post(
        f"{REQUESTS}/search",
        {"national_id": factories.national_id(date(2013, 2, 3))},
        200,
        headers=bergen,
    )
    assert found["items"] == []


async def test_a_municipalitys_waiting_list_holds_only_its_own_children(
    api, bergen, oslo, vest, environment
):
    own = await api.request(headers=bergen, desired_start_date="2024-01-10")
    oslos = await api.request(
        headers=oslo, municipality_number="0301", desired_start_date="2024-01-10"
    )
    stavanger = await api.request(municipality_number="1103", desired_start_date="2024-01-10")
    started = datetime.now(UTC)
    seen = await api.get("/v1/waiting-list", headers=bergen, as_of="2024-03-01", limit=500)
    ids = {item["request_id"] for item in seen["items"]}
    assert own["id"] in ids
    assert oslos["id"] not in ids
    assert stavanger["id"] not in ids
    assert {item["municipality_number"] for item in seen["items"]} == {"4601"}
    assert await trail(environment, "municipality-4601", "foster_home_request", started) == [
        ("list", "granted", "waiting list", item["request_id"]) for item in seen["items"]
    ]
    # The page is one entry, however many children it showed.
    assert len(await entries(environment, "municipality-4601", "foster_home_request", started)) == 1
    oslo_sees = await api.get("/v1/waiting-list", headers=oslo, as_of="2024-03-01", limit=500)
    assert {item["request_id"] for item in oslo_sees["items"]} & {
        own["id"],
        stavanger["id"],
    } == set()
    assert oslos["id"] in {item["request_id"] for item in oslo_sees["items"]}
    await api.problem("GET", "/v1/waiting-list", 403, headers=bergen, municipality_number="0301")
    region = await api.get("/v1/waiting-list", headers=vest, as_of="2024-03-01", limit=500)
    region_ids = {item["request_id"] for item in region["items"]}
    assert {own["id"], stavanger["id"]} <= region_ids
    assert oslos["id"] not in region_ids
    await api.problem("GET", "/v1/waiting-list", 403, headers=vest, region="ost")
    everyone = await api.get("/v1/waiting-list", as_of="2024-03-01", limit=500)
    assert {own["id"], oslos["id"], stavanger["id"]} <= {i["request_id"] for i in everyone["items"]}


async def test_a_municipality_sees_candidates_and_proposals_of_its_own_requests_only(
    api, bergen, oslo
):
    home = await api.approved_home()
    own = await api.request(headers=bergen)
    oslos = await api.request(headers=oslo, municipality_number="0301")
    assert home["id"] in {i["foster_home_id"] for i in await api.candidates(own["id"], bergen)}
    await api.problem("GET", f"{REQUESTS}/{oslos['id']}/candidates", 403, headers=bergen)
    proposal = await api.propose(own["id"], home["id"], PROPOSED_AT)
    seen = await api.get(f"{REQUESTS}/{own['id']}/proposals/{proposal['id']}", headers=bergen)
    assert seen["foster_home_id"] == home["id"]
    await api.problem(
        "GET", f"{REQUESTS}/{own['id']}/proposals/{proposal['id']}", 403, headers=oslo
    )
    # Oslo may not decide on Bergen's proposal; Bergen may.
    decision = {"decision": "accepted", "decided_at": PROPOSED_AT}
    path = f"{REQUESTS}/{own['id']}/proposals/{proposal['id']}/decision"
    await api.problem("POST", path, 403, decision, headers=oslo)
    assert (await api.post(path, decision, 200, headers=bergen))["status"] == "accepted"
