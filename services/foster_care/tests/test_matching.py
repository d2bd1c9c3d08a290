"""Matching: which homes are candidates and in what order, proposals (a kinship home only for
its own child, after the child was talked to alone), the decisions on them, and two
proposals racing for a home's last place."""

from __future__ import annotations

import asyncio

from devstack.services import FOSTER_CARE
from devstack.testing import fetch

from . import factories

REQUESTS = "/v1/foster-home-requests"
PROPOSED_AT = "2023-12-05T10:00:00+01:00"
DECIDED_AT = "2023-12-06T10:00:00+01:00"


def mine(items: list[dict], homes: dict[str, dict]) -> list[str]:
    """The names of `homes` among the candidates, in the order they came."""
    names = {home["id"]: name for name, home in homes.items()}
    return [names[item["foster_home_id"]] for item in items if item["foster_home_id"] in names]


async def test_candidates_are_approved_available_homes_with_a_free_place(api):
    request = await api.request()
    other = await api.request()
    homes = {
        "approved": await api.approved_home(),
        "two_places": await api.approved_home(places=2),
        "paused": await api.approved_home(),
        "full": await api.approved_home(),
        "withdrawn": await api.approved_home(),
    }
    for stage in ("inquiry", "pre_assessment", "training_completed", "home_study"):
        homes[stage] = await api.home_in(stage)
    await api.pause(homes["paused"]["id"])
    await api.propose(other["id"], homes["full"]["id"], PROPOSED_AT)
    third = await api.request()
    await api.propose(third["id"], homes["two_places"]["id"], PROPOSED_AT)
    await api.transition(
        homes["withdrawn"]["id"], "withdrawn", "2023-10-01T10:00:00+02:00", reason="other"
    )
    items = await api.candidates(request["id"])
    assert sorted(mine(items, homes)) == ["approved", "two_places"]
    by_home = {item["foster_home_id"]: item for item in items}
    assert by_home[homes["two_places"]["id"]]["free_places"] == 1
    assert by_home[homes["approved"]["id"]]["free_places"] == 1
    assert all(item["free_places"] > 0 for item in items)

    await api.post(
        f"/v1/foster-homes/{homes['paused']['id']}/resume", {"at": "2023-10-02T10:00:00+02:00"}, 200
    )
    assert "paused" in mine(await api.candidates(request["id"]), homes)


async def test_own_region_first_then_the_needs_a_home_meets_each_with_its_reason(api):
    request = await api.request(needs=["close_to_school", "siblings_together"])
    homes = {
        # In Oslo: meets siblings_together, but lies in another region.
        "ost_both": await api.approved_home(
            municipality_number="0301", suited_for=["siblings_together"]
        ),
        # In Stavanger (vest): meets nothing.
        "vest_none": await api.approved_home(municipality_number="1103"),
        # In Bergen, the child's own municipality: close to school.
        "bergen_school": await api.approved_home(municipality_number="4601"),
        # In Bergen and takes siblings: meets both.
        "bergen_both": await api.approved_home(
            municipality_number="4601", suited_for=["siblings_together", "young_child"]
        ),
    }
    items = await api.candidates(request["id"])
    assert mine(items, homes) == ["bergen_both", "bergen_school", "vest_none", "ost_both"]
    by_name = {
        name: next(i for i in items if i["foster_home_id"] == home["id"])
        for name, home in homes.items()
    }
    both = by_name["bergen_both"]
    assert (both["own_region"], both["needs_met"], both["needs_missed"]) == (
        True,
        ["close_to_school", "siblings_together"],
        [],
    )
    assert both["reason"] == (
        "Own region (vest); approved ordinary home trained in SOLID, 1 free place; "
        "meets 2 of 2 needs (close to school, siblings together)."
    )
    school = by_name["bergen_school"]
    assert (school["needs_met"], school["needs_missed"]) == (
        ["close_to_school"],
        ["siblings_together"],
    )
    assert "meets 1 of 2 needs (close to school); not siblings together" in school["reason"]
    assert by_name["vest_none"]["needs_met"] == []
    assert (
        "meets 0 of 2 needs; not close to school, siblings together"
        in (by_name["vest_none"]["reason"])
    )
    ost = by_name["ost_both"]
    assert (ost["own_region"], ost["region"], ost["needs_met"]) == (
        False,
        "ost",
        ["siblings_together"],
    )
    assert ost["reason"].startswith("Another region (ost)")
    for item in items:
        assert item["reason"].startswith(("Own region", "Another region"))
        assert item["reason"].endswith(".")
    # Another region's homes come after every home of the own region.
    regions = [item["own_region"] for item in items]
    assert regions == sorted(regions, reverse=True)


async def test_close_to_school_is_met_by_where_a_home_is_not_by_what_it_claims(api):
    """A home in Oslo cannot claim to be close to a Bergen child's school: those needs are
    met by a home in the child's own municipality, and a home may not list them."""
    for need in ("close_to_school", "close_to_family"):
        message = await api.invalid(
            "POST",
            "/v1/foster-homes",
            "suited_for",
            factories.home(municipality_number="0301", suited_for=[need]),
        )
        assert "met by where a home is" in message
    request = await api.request(needs=["close_to_school", "close_to_family"])
    far = await api.approved_home(municipality_number="0301")
    near = await api.approved_home(municipality_number="4601")
    items = await api.candidates(request["id"])
    by_home = {item["foster_home_id"]: item for item in items}
    assert by_home[near["id"]]["needs_met"] == ["close_to_school", "close_to_family"]
    assert by_home[far["id"]]["needs_met"] == []
    assert by_home[far["id"]]["needs_missed"] == ["close_to_school", "close_to_family"]


async def test_a_kinship_home_is_only_for_its_own_child(api):
    own = await api.request()
    other = await api.request()
    kinship = await api.approved_home(kind="kinship", kinship_request_id=own["id"])
    own_items = await api.candidates(own["id"])
    item = next(i for i in own_items if i["foster_home_id"] == kinship["id"])
    assert item["kind"] == "kinship"
    assert item["reason"].endswith("; recruited in this child's own network.")
    assert kinship["id"] not in await api.candidate_ids(other["id"])
    await api.talk_alone(other["id"], "2023-12-02")
    refused = await api.problem(
        "POST",
        f"{REQUESTS}/{other['id']}/proposals",
        409,
        {"foster_home_id": kinship["id"], "proposed_at": PROPOSED_AT},
    )
    assert "another child's request" in refused["detail"]


async def test_a_kinship_home_is_proposed_only_after_the_child_was_talked_to_alone(api, bergen):
    request = await api.request(headers=bergen)
    kinship = await api.approved_home(kind="kinship", kinship_request_id=request["id"])
    path = f"{REQUESTS}/{request['id']}/proposals"
    body = {"foster_home_id": kinship["id"], "proposed_at": PROPOSED_AT}
    message = await api.invalid("POST", path, "foster_home_id", body)
    assert "talked to alone" in message
    assert "view recorded" in message
    conversations = f"{REQUESTS}/{request['id']}/child-conversations"
    # Talked to, but the child's view not written down.
    await api.post(
        conversations, {"held_on": "2023-12-03", "method": "video", "view_recorded": False}
    )
    await api.invalid("POST", path, "foster_home_id", body)
    # The view recorded, but only after the proposal.
    await api.post(
        conversations,
        {"held_on": "2023-12-06", "method": "in_person", "view_recorded": True},
        headers=bergen,
    )
    await api.invalid("POST", path, "foster_home_id", body)
    # On the day of the proposal: in time.
    await api.post(
        conversations, {"held_on": "2023-12-05", "method": "phone", "view_recorded": True}
    )
    proposal = await api.post(path, body)
    assert (proposal["foster_home_id"], proposal["status"]) == (kinship["id"], "pending")
    listed = await api.get(conversations, headers=bergen)
    assert [c["held_on"] for c in listed["items"]] == ["2023-12-03", "2023-12-05", "2023-12-06"]
    await api.invalid(
        "POST",
        conversations,
        "held_on",
        {"held_on": factories.days_ago(-1), "method": "phone", "view_recorded": True},
    )


async def test_only_an_approved_unpaused_home_is_proposed_and_only_by_bufetat(api, bergen):
    request = await api.request(headers=bergen)
    path = f"{REQUESTS}/{request['id']}/proposals"
    paused = await api.approved_home()
    await api.pause(paused["id"])
    refused = await api.problem(
        "POST", path, 409, {"foster_home_id": paused["id"], "proposed_at": PROPOSED_AT}
    )
    assert "paused" in refused["detail"]
    studying = await api.home_in("home_study")
    refused = await api.problem(
        "POST", path, 409, {"foster_home_id": studying["id"], "proposed_at": PROPOSED_AT}
    )
    assert "stage home_study; only approved homes" in refused["detail"]
    missing = "0190a1a1-0000-7000-8000-00000000cafe"
    await api.invalid(
        "POST", path, "foster_home_id", {"foster_home_id": missing, "proposed_at": PROPOSED_AT}
    )
    home = await api.approved_home()
    body = {"foster_home_id": home["id"], "proposed_at": PROPOSED_AT}
    by_municipality = await api.problem("POST", path, 403, body, headers=bergen)
    assert "municipality" in by_municipality["detail"]
    await api.invalid(
        "POST", path, "proposed_at", {**body, "proposed_at": "2023-11-30T10:00:00+01:00"}
    )
    late_home = await api.approved_home(inquiry_at=factories.instant_days_ago(10))
    before_approval = await api.invalid(
        "POST",
        path,
        "proposed_at",
        {"foster_home_id": late_home["id"], "proposed_at": factories.instant_days_ago(9)},
    )
    assert "before the foster home was approved" in before_approval
    await api.post(path, body)
    read = await api.read_request(request["id"], headers=bergen)
    assert read["status"] == "proposed"
    second = await api.problem(
        "POST", path, 409, {**body, "foster_home_id": (await api.approved_home())["id"]}
    )
    assert "awaiting a decision" in second["detail"]


async def test_a_declined_proposal_puts_the_request_back_with_why_it_waits(api, bergen):
    expected = {
        "no_suitable_match": "no_suitable_home",
        "home_withdrew": "recruited_home_withdrew",
        "municipality_declined": "municipality_declined",
        "child_declined": "other",
        "other": "other",
    }
    for decline, waiting_reason in expected.items():
        request = await api.request(headers=bergen, desired_start_date="2023-12-15")
        home = await api.approved_home()
        proposal = await api.propose(request["id"], home["id"], PROPOSED_AT)
        assert home["id"] not in await api.candidate_ids(request["id"])
        decided = await api.post(
            f"{REQUESTS}/{request['id']}/proposals/{proposal['id']}/decision",
            {"decision": "declined", "reason": decline, "decided_at": DECIDED_AT},
            200,
            headers=bergen,
        )
        assert (decided["status"], decided["decline_reason"]) == ("declined", decline)
        read = await api.read_request(request["id"], headers=bergen)
        assert (read["status"], read["waiting_reason"]) == ("open", waiting_reason), decline
        reasons = await api.get(f"{REQUESTS}/{request['id']}/waiting-reasons")
        assert [(r["reason"], r["from_date"]) for r in reasons["items"]] == [
            (waiting_reason, "2023-12-06")
        ]
        # The home's place is free again, and the child may be proposed another home.
        assert home["id"] in await api.candidate_ids(request["id"])
        await api.propose(request["id"], home["id"], "2023-12-07T10:00:00+01:00")


async def test_a_decision_is_made_once_and_a_decline_says_why(api, bergen):
    request = await api.request(headers=bergen)
    home = await api.approved_home()
    proposal = await api.propose(request["id"], home["id"], PROPOSED_AT)
    path = f"{REQUESTS}/{request['id']}/proposals/{proposal['id']}/decision"
    message = await api.invalid(
        "POST", path, "reason", {"decision": "declined", "decided_at": DECIDED_AT}, headers=bergen
    )
    assert "required" in message
    await api.invalid(
        "POST",
        path,
        "reason",
        {"decision": "declined", "reason": "too_far", "decided_at": DECIDED_AT},
        headers=bergen,
    )
    await api.invalid(
        "POST",
        path,
        "reason",
        {"decision": "accepted", "reason": "other", "decided_at": DECIDED_AT},
        headers=bergen,
    )
    await api.invalid(
        "POST",
        path,
        "decided_at",
        {"decision": "accepted", "decided_at": "2023-12-04T10:00:00+01:00"},
        headers=bergen,
    )
    accepted = await api.post(
        path, {"decision": "accepted", "decided_at": DECIDED_AT}, 200, headers=bergen
    )
    assert accepted["status"] == "accepted"
    for decision in (
        {"decision": "accepted", "decided_at": DECIDED_AT},
        {"decision": "declined", "reason": "other", "decided_at": DECIDED_AT},
    ):
        again = await api.problem("POST", path, 409, decision, headers=bergen)
        assert "already accepted" in again["detail"]
    read = await api.read_request(request["id"])
    assert read["status"] == "proposed"
    proposals = await api.get(f"{REQUESTS}/{request['id']}/proposals", headers=bergen)
    assert [p["status"] for p in proposals["items"]] == ["accepted"]
    # An accepted proposal holds the place until the child moves in.
    assert home["id"] not in await api.candidate_ids((await api.request())["id"])
    missing = "0190a1a1-0000-7000-8000-00000000d00d"
    await api.problem(
        "POST",
        f"{REQUESTS}/{request['id']}/proposals/{missing}/decision",
        404,
        {"decision": "accepted", "decided_at": DECIDED_AT},
    )


async def test_two_proposals_racing_for_the_last_place_one_wins(
    api, foster_care, admin, environment
):
    db = await environment.database(FOSTER_CARE)

    async def propose(request: dict, home: dict):
        return await foster_care.post(
            f"{REQUESTS}/{request['id']}/proposals",
            json={"foster_home_id": home["id"], "proposed_at": PROPOSED_AT},
            headers=admin,
        )

    for places, children in [(1, 2)] * 6 + [(2, 3), (2, 4)]:
        home = await api.approved_home(places=places)
        requests = [await api.request() for _ in range(children)]
        responses = await asyncio.gather(*(propose(request, home) for request in requests))
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [201] * places + [409] * (children - places), [r.text for r in responses]
        for response in responses:
            if response.status_code == 409:
                assert "no free place" in response.json()["detail"]
        held = await fetch(
            db,
            "SELECT count(*) AS n FROM proposal WHERE foster_home_id = $1 AND status = 'pending'",
            home["id"],
        )
        assert held[0]["n"] == places
        winners = {r.json()["foster_home_request_id"] for r in responses if r.status_code == 201}
        for request in requests:
            status = (await api.read_request(request["id"]))["status"]
            assert status == ("proposed" if request["id"] in winners else "open")
        assert home["id"] not in await api.candidate_ids(requests[0]["id"])

        # Each winner accepted and placed, twice at once: one placement per child.
        for request_id in winners:
            proposal = (await api.get(f"{REQUESTS}/{request_id}/proposals"))["items"][0]
            await api.decide(request_id, proposal["id"], "accepted", DECIDED_AT)
            placing = await asyncio.gather(
                *(
                    foster_care.post(
                        "/v1/foster-placements",
                        json={
                            "request_id": request_id,
                            "foster_home_id": home["id"],
                            "start_date": "2024-01-15",
                        },
                        headers=admin,
                    )
                    for _ in range(2)
                )
            )
            assert sorted(p.status_code for p in placing) == [201, 409], [p.text for p in placing]
        placed = await fetch(
            db, "SELECT count(*) AS n FROM foster_placement WHERE foster_home_id = $1", home["id"]
        )
        assert placed[0]["n"] == places
