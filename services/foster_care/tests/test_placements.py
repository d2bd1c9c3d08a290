"""Placements: only after an accepted proposal of that home, far from home, kinship and
emergency homes, ending with a reason, the place freed again, and a child placed again after
a breakdown."""

from __future__ import annotations

import json
from datetime import date

from devstack.services import FOSTER_CARE
from devstack.testing import fetch

from . import factories

REQUESTS = "/v1/foster-home-requests"
PLACEMENTS = "/v1/foster-placements"
PROPOSED_AT = "2023-12-05T10:00:00+01:00"
STARTED = "foster_care.foster_placement.started.v1"


async def test_a_placement_follows_an_accepted_proposal_of_that_home(api):
    home = await api.approved_home()
    other_home = await api.approved_home()
    request = await api.request()
    body = {"request_id": request["id"], "foster_home_id": home["id"], "start_date": "2024-01-15"}
    none_yet = await api.problem("POST", PLACEMENTS, 409, body)
    assert "A placement follows an accepted proposal" in none_yet["detail"]

    declined = await api.propose(request["id"], home["id"], PROPOSED_AT)
    await api.decide(request["id"], declined["id"], "declined", PROPOSED_AT, "other")
    after_decline = await api.problem("POST", PLACEMENTS, 409, body)
    assert "A placement follows an accepted proposal" in after_decline["detail"]

    proposal = await api.propose(request["id"], home["id"], "2023-12-07T10:00:00+01:00")
    pending = await api.problem("POST", PLACEMENTS, 409, body)
    assert "awaits a decision" in pending["detail"]
    await api.decide(request["id"], proposal["id"], "accepted", "2023-12-08T10:00:00+01:00")
    wrong_home = await api.problem(
        "POST", PLACEMENTS, 409, {**body, "foster_home_id": other_home["id"]}
    )
    assert f"The accepted proposal is for foster home {home['id']}" in wrong_home["detail"]
    await api.invalid("POST", PLACEMENTS, "start_date", {**body, "start_date": "2010-01-01"})
    await api.invalid(
        "POST", PLACEMENTS, "start_date", {**body, "start_date": factories.days_ago(-400)}
    )

    placement = await api.place(request["id"], home["id"], "2024-01-15")
    assert (placement["request_id"], placement["foster_home_id"]) == (request["id"], home["id"])
    assert (placement["kind"], placement["kinship"], placement["emergency"]) == (
        "ordinary",
        False,
        False,
    )
    assert (placement["far_from_home"], placement["age_years"]) == (False, 9)
    assert (placement["end_date"], placement["end_reason"]) == (None, None)
    read = await api.read_request(request["id"])
    assert (read["status"], read["placed_on"], read["days_waiting"]) == (
        "placed",
        "2024-01-15",
        None,
    )
    again = await api.problem("POST", PLACEMENTS, 409, body)
    assert "placed already" in again["detail"]
    assert (await api.get(f"{PLACEMENTS}/{placement['id']}")) == placement


async def test_a_withdrawn_request_is_not_placed(api):
    home = await api.approved_home()
    request = await api.request()
    proposal = await api.propose(request["id"], home["id"], PROPOSED_AT)
    await api.decide(request["id"], proposal["id"], "accepted", PROPOSED_AT)
    await api.post(
        f"{REQUESTS}/{request['id']}/withdraw",
        {"withdrawn_at": "2023-12-06T10:00:00+01:00", "reason": "returned_home"},
        200,
    )
    refused = await api.problem(
        "POST",
        PLACEMENTS,
        409,
        {"request_id": request["id"], "foster_home_id": home["id"], "start_date": "2024-01-15"},
    )
    assert "withdrawn" in refused["detail"]
    # Its accepted proposal no longer holds the home's place.
    assert home["id"] in await api.candidate_ids((await api.request())["id"])


async def test_a_child_is_not_placed_in_a_home_that_withdrew(api):
    """The family withdrew after the municipality accepted the proposal: the proposal is
    declined for them (home_withdrew), the child waits again for that reason, and no
    placement can be made in the withdrawn home."""
    home = await api.approved_home()
    request = await api.request()
    proposal = await api.propose(request["id"], home["id"], PROPOSED_AT)
    await api.decide(request["id"], proposal["id"], "accepted", PROPOSED_AT)
    await api.transition(
        home["id"], "withdrawn", "2023-12-06T10:00:00+01:00", reason="family_withdrew"
    )
    declined = await api.get(f"/v1/foster-home-requests/{request['id']}/proposals/{proposal['id']}")
    assert declined["status"] == "declined"
    assert declined["decline_reason"] == "home_withdrew"
    waiting = await api.read_request(request["id"])
    assert waiting["status"] == "open"
    assert waiting["waiting_reason"] == "recruited_home_withdrew"
    await api.problem(
        "POST",
        PLACEMENTS,
        409,
        {"request_id": request["id"], "foster_home_id": home["id"], "start_date": "2024-01-15"},
    )
    assert (await api.read_request(request["id"]))["status"] == "open"
    # A home with a child living in it cannot withdraw until the placement has ended.
    lived_in = await api.approved_home()
    placed = await api.placed(await api.request(), lived_in, PROPOSED_AT, "2024-01-15")
    refused = await api.problem(
        "POST",
        f"/v1/foster-homes/{lived_in['id']}/transitions",
        409,
        {"to": "withdrawn", "at": "2024-02-01T10:00:00+01:00", "reason": "family_withdrew"},
    )
    assert "end the placement first" in refused["detail"]
    await api.end(placed["id"], "2024-02-01", "moved")


async def test_a_home_in_another_region_is_far_from_home(api):
    request = await api.request(municipality_number="4601")
    in_oslo = await api.approved_home(municipality_number="0301")
    far = await api.placed(request, in_oslo, PROPOSED_AT, "2024-01-15")
    assert (far["far_from_home"], far["region"], far["home_region"]) == (True, "vest", "ost")
    assert (far["municipality_number"], far["home_municipality_number"]) == ("4601", "0301")

    near_request = await api.request(municipality_number="4601")
    in_stavanger = await api.approved_home(municipality_number="1103")
    near = await api.placed(near_request, in_stavanger, PROPOSED_AT, "2024-01-15")
    assert (near["far_from_home"], near["home_region"]) == (False, "vest")

    from_oslo = await api.request(municipality_number="0301")
    in_bergen = await api.approved_home(municipality_number="4601")
    placed = await api.placed(from_oslo, in_bergen, PROPOSED_AT, "2024-01-15")
    assert (placed["far_from_home"], placed["region"], placed["home_region"]) == (
        True,
        "ost",
        "vest",
    )
    far_ones = await api.get(PLACEMENTS, region="vest", limit=500)
    assert far["id"] in {item["id"] for item in far_ones["items"]}  # the placing region's


async def test_kinship_and_emergency_placements_are_recorded_as_such(api, environment):
    request = await api.request()
    kinship = await api.approved_home(kind="kinship", kinship_request_id=request["id"])
    await api.talk_alone(request["id"], "2023-12-02")
    placed = await api.placed(request, kinship, PROPOSED_AT, "2024-01-15")
    assert (placed["kind"], placed["kinship"], placed["emergency"]) == ("kinship", True, False)

    urgent = await api.request()
    emergency = await api.approved_home(kind="emergency")
    placed_in_emergency = await api.placed(urgent, emergency, PROPOSED_AT, "2024-01-15")
    assert (
        placed_in_emergency["kind"],
        placed_in_emergency["kinship"],
        placed_in_emergency["emergency"],
    ) == ("emergency", False, True)
    kinds = {
        row["id"]: row["kind"]
        for row in await fetch(
            await environment.database(FOSTER_CARE),
            "SELECT id::text AS id, kind::text AS kind FROM foster_placement "
            "WHERE id = ANY($1::uuid[])",
            [placed["id"], placed_in_emergency["id"]],
        )
    }
    assert kinds == {placed["id"]: "kinship", placed_in_emergency["id"]: "emergency"}


async def test_a_placement_ends_once_with_a_reason(api, foster_care, admin):
    for reason in ("planned", "breakdown", "moved", "other"):
        request = await api.request()
        home = await api.approved_home()
        placement = await api.placed(request, home, PROPOSED_AT, "2024-01-15")
        path = f"{PLACEMENTS}/{placement['id']}/end"
        await api.invalid("POST", path, "reason", {"end_date": "2024-03-01"})
        await api.invalid("POST", path, "reason", {"end_date": "2024-03-01", "reason": "bored"})
        before = await api.invalid(
            "POST", path, "end_date", {"end_date": "2024-01-14", "reason": reason}
        )
        assert "before the start date" in before
        future = await api.invalid(
            "POST", path, "end_date", {"end_date": factories.days_ago(-1), "reason": reason}
        )
        assert "future" in future
        stale = await foster_care.post(
            path,
            json={"end_date": "2024-03-01", "reason": reason},
            headers={**admin, "If-Match": '"9"'},
        )
        assert stale.status_code == 412
        read = await foster_care.get(f"{PLACEMENTS}/{placement['id']}", headers=admin)
        ended = await foster_care.post(
            path,
            json={"end_date": "2024-03-01", "reason": reason},
            headers={**admin, "If-Match": read.headers["etag"]},
        )
        assert ended.status_code == 200, ended.text
        assert (ended.json()["end_date"], ended.json()["end_reason"]) == ("2024-03-01", reason)
        assert ended.headers["etag"] != read.headers["etag"]
        twice = await api.problem("POST", path, 409, {"end_date": "2024-03-02", "reason": reason})
        assert "ended on 2024-03-01 already" in twice["detail"]
        same_day = await api.problem(
            "POST", path, 409, {"end_date": "2024-03-01", "reason": reason}
        )
        assert "already" in same_day["detail"]
    ended_ones = await api.get(PLACEMENTS, current="false", limit=500)
    assert {item["end_reason"] for item in ended_ones["items"]} >= {
        "planned",
        "breakdown",
        "moved",
        "other",
    }


async def test_an_ended_placement_frees_the_homes_place(api):
    home = await api.approved_home()
    request = await api.request(desired_start_date=factories.days_ago(60))
    placement = await api.placed(
        request, home, factories.instant_days_ago(50), factories.days_ago(40)
    )
    waiting = await api.request()
    assert home["id"] not in await api.candidate_ids(waiting["id"])
    current = await api.get(PLACEMENTS, foster_home_id=home["id"], current="true")
    assert [item["id"] for item in current["items"]] == [placement["id"]]
    await api.end(placement["id"], factories.days_ago(0), "moved")
    candidates = await api.candidates(waiting["id"])
    item = next(i for i in candidates if i["foster_home_id"] == home["id"])
    assert item["free_places"] == 1
    assert (await api.get(PLACEMENTS, foster_home_id=home["id"], current="true"))["items"] == []
    # The next child moves in.
    second = await api.placed(waiting, home, factories.instant_days_ago(0), factories.days_ago(0))
    assert second["foster_home_id"] == home["id"]


async def started_events(environment, placement_id: str) -> list[dict]:
    rows = await fetch(
        await environment.database(FOSTER_CARE),
        "SELECT convert_from(payload, 'UTF8') AS payload FROM outbox "
        "WHERE subject = $1 AND convert_from(payload, 'UTF8') LIKE $2",
        STARTED,
        f"%{placement_id}%",
    )
    return [json.loads(row["payload"])["data"] for row in rows]


async def test_a_child_asked_for_again_after_a_breakdown_waits_anew_and_moves_a_second_time(
    api, bergen, environment
):
    child = factories.child_ref()
    first = await api.request(
        headers=bergen,
        child_ref=child,
        desired_start_date="2023-06-01",
        requested_at="2023-05-02T10:00:00+02:00",
    )
    home = await api.approved_home(inquiry_at="2023-03-01T12:00:00+01:00")
    placement = await api.placed(first, home, "2023-06-10T10:00:00+02:00", "2023-07-01")
    [started] = await started_events(environment, placement["id"])
    assert started["placement_number"] == 1
    await api.end(placement["id"], "2023-12-31", "breakdown")

    again = await api.request(
        headers=bergen,
        child_ref=child,
        desired_start_date="2024-02-01",
        requested_at="2024-01-10T10:00:00+01:00",
    )
    assert again["id"] != first["id"]
    assert again["status"] == "open"
    assert again["days_waiting"] == (factories.today() - date(2024, 2, 1)).days
    earlier = await api.read_request(first["id"], headers=bergen)
    assert (earlier["status"], earlier["placed_on"], earlier["days_waiting"]) == (
        "placed",
        "2023-07-01",
        None,
    )
    # It waits from its own desired start date, not from the first request's.
    march = await api.get("/v1/waiting-list", headers=bergen, as_of="2024-03-01", limit=500)
    waiting = {item["request_id"]: item for item in march["items"]}
    assert waiting[again["id"]]["days_waiting"] == 29
    assert first["id"] not in waiting
    june = await api.get("/v1/waiting-list", headers=bergen, as_of="2023-06-15", limit=500)
    waiting_then = {item["request_id"]: item for item in june["items"]}
    assert waiting_then[first["id"]]["days_waiting"] == 14
    assert again["id"] not in waiting_then

    new_home = await api.approved_home()
    second = await api.placed(again, new_home, "2024-03-05T10:00:00+01:00", "2024-03-15")
    assert second["request_id"] == again["id"]
    [restarted] = await started_events(environment, second["id"])
    assert restarted["placement_number"] == 2
    assert restarted["child_key"] == started["child_key"]
    assert restarted["foster_home_request_id"] == again["id"]
    assert restarted["desired_start_date"] == "2024-02-01"
    assert child not in json.dumps(restarted)  # events carry the keyed hash only

    # Another municipality's child with the same pseudonym is another child.
    oslo_child = await api.request(
        municipality_number="0301", child_ref=child, requested_at="2024-01-10T10:00:00+01:00"
    )
    oslo_placement = await api.placed(
        oslo_child, await api.approved_home(), "2024-03-05T10:00:00+01:00", "2024-03-15"
    )
    [oslo_started] = await started_events(environment, oslo_placement["id"])
    assert oslo_started["placement_number"] == 1


async def test_a_municipality_places_and_reads_only_its_own_children(api, bergen, oslo):
    home = await api.approved_home()
    request = await api.request(headers=oslo, municipality_number="0301")
    proposal = await api.propose(request["id"], home["id"], PROPOSED_AT)
    await api.decide(request["id"], proposal["id"], "accepted", PROPOSED_AT)
    body = {"request_id": request["id"], "foster_home_id": home["id"], "start_date": "2024-01-15"}
    await api.problem("POST", PLACEMENTS, 403, body, headers=bergen)
    placement = await api.post(PLACEMENTS, body, headers=oslo)
    await api.problem("GET", f"{PLACEMENTS}/{placement['id']}", 403, headers=bergen)
    await api.problem(
        "POST",
        f"{PLACEMENTS}/{placement['id']}/end",
        403,
        {"end_date": "2024-02-01", "reason": "planned"},
        headers=bergen,
    )
    assert (await api.get(f"{PLACEMENTS}/{placement['id']}", headers=oslo))["id"] == placement["id"]
    listed = await api.get(PLACEMENTS, headers=bergen, limit=500)
    assert placement["id"] not in {item["id"] for item in listed["items"]}
    assert {item["municipality_number"] for item in listed["items"]} <= {"4601"}
    missing = "0190a1a1-0000-7000-8000-00000000abcd"
    await api.problem("GET", f"{PLACEMENTS}/{missing}", 404)
