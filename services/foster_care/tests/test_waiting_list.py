"""The waiting list as of any past date, against answers computed by hand: who waited on
that date (desired start date passed, not placed, not withdrawn, known by then), for how
many Oslo calendar days, flagged past six weeks, with the reason recorded by then, longest
first. Trondheim's requests only, so other tests' requests do not disturb the counts."""

from __future__ import annotations

import pytest

TRONDHEIM = "5001"  # region midt


@pytest.fixture(scope="module")
async def scenario(api):
    """A placed in June after waiting since 15 Nov 2023; B waiting across the year end, its
    reason changed on 1 March; C asked late (15 April) for 1 March and withdrew on 20 May;
    D placed before its desired start date (never waited); E's first placement broke down
    and the municipality asked again (E2 waits from its own desired start date)."""
    home = await api.approved_home(
        places=3, municipality_number=TRONDHEIM, inquiry_at="2023-01-10T10:00:00+01:00"
    )
    child_e = "trondheim-child-e"

    def request(ref: str | None = None, **fields):
        extra = {"child_ref": ref} if ref else {}
        return api.request(municipality_number=TRONDHEIM, **extra, **fields)

    e1 = await request(
        child_e, desired_start_date="2023-06-01", requested_at="2023-05-01T09:00:00+02:00"
    )
    placement_e1 = await api.placed(e1, home, "2023-06-20T10:00:00+02:00", "2023-07-01")
    a = await request(desired_start_date="2023-11-15", requested_at="2023-10-01T09:00:00+02:00")
    b = await request(desired_start_date="2023-12-20", requested_at="2023-12-01T09:00:00+01:00")
    await api.post(
        f"/v1/foster-home-requests/{b['id']}/waiting-reasons",
        {"reason": "recruited_home_withdrew", "from_date": "2024-03-01"},
    )
    await api.post(
        f"/v1/foster-placements/{placement_e1['id']}/end",
        {"end_date": "2024-02-01", "reason": "breakdown"},
        200,
    )
    e2 = await request(
        child_e, desired_start_date="2024-02-15", requested_at="2024-02-05T09:00:00+01:00"
    )
    d = await request(desired_start_date="2024-05-01", requested_at="2024-04-01T09:00:00+02:00")
    await api.placed(d, home, "2024-04-10T10:00:00+02:00", "2024-04-20")
    c = await request(desired_start_date="2024-03-01", requested_at="2024-04-15T09:00:00+02:00")
    await api.post(
        f"/v1/foster-home-requests/{c['id']}/withdraw",
        {"withdrawn_at": "2024-05-20T12:00:00+02:00", "reason": "returned_home"},
        200,
    )
    await api.placed(a, home, "2024-06-01T10:00:00+02:00", "2024-06-10")
    return {"A": a["id"], "B": b["id"], "C": c["id"], "D": d["id"], "E1": e1["id"], "E2": e2["id"]}


async def waiting(api, as_of: str, **params) -> list[tuple[str, int, bool, str]]:
    answer = await api.get("/v1/waiting-list", as_of=as_of, municipality_number=TRONDHEIM, **params)
    assert answer["as_of"] == as_of
    return [
        (
            item["request_id"],
            item["days_waiting"],
            item["more_than_six_weeks"],
            item["waiting_reason"],
        )
        for item in answer["items"]
    ]


def named(scenario, rows):
    names = {value: key for key, value in scenario.items()}
    return [(names[request_id], days, flag, reason) for request_id, days, flag, reason in rows]


async def test_on_new_years_eve_two_children_wait(api, scenario):
    # A: 15.11 → 31.12 = 46 days (> 42: flagged); B: 20.12 → 31.12 = 11. C was not yet
    # asked for, D not yet due, E1 placed in July.
    assert named(scenario, await waiting(api, "2023-12-31")) == [
        ("A", 46, True, "no_suitable_home"),
        ("B", 11, False, "no_suitable_home"),
    ]


async def test_a_wait_crosses_the_year_end(api, scenario):
    assert named(scenario, await waiting(api, "2024-01-01")) == [
        ("A", 47, True, "no_suitable_home"),
        ("B", 12, False, "no_suitable_home"),
    ]


async def test_on_the_first_of_may_the_child_placed_in_june_was_waiting(api, scenario):
    # A: 15.11.2023 → 1.5.2024 = 168; B: 20.12 → 1.5 = 133, its reason changed on 1 March;
    # E2 (asked again after the breakdown): 15.2 → 1.5 = 76; C (asked on 15 April, for
    # 1 March): 61. D's desired start date is 1 May itself: not passed.
    assert named(scenario, await waiting(api, "2024-05-01")) == [
        ("A", 168, True, "no_suitable_home"),
        ("B", 133, True, "recruited_home_withdrew"),
        ("E2", 76, True, "no_suitable_home"),
        ("C", 61, True, "no_suitable_home"),
    ]


async def test_at_midsummer_the_placed_and_the_withdrawn_are_gone(api, scenario):
    # A placed on 10 June, C withdrawn on 20 May, D placed before it was due. B: 193, E2: 136.
    assert named(scenario, await waiting(api, "2024-06-30")) == [
        ("B", 193, True, "recruited_home_withdrew"),
        ("E2", 136, True, "no_suitable_home"),
    ]


async def test_the_day_before_a_placement_the_child_still_waits(api, scenario):
    rows = named(scenario, await waiting(api, "2024-06-09"))
    assert ("A", 207, True, "no_suitable_home") in rows
    assert "A" not in [row[0] for row in named(scenario, await waiting(api, "2024-06-10"))]


async def test_the_request_itself_says_how_long_the_child_has_waited(api, scenario):
    b = await api.get(f"/v1/foster-home-requests/{scenario['B']}")
    assert b["status"] == "open"
    assert b["days_waiting"] > 193
    assert b["more_than_six_weeks"] is True
    assert b["waiting_reason"] == "recruited_home_withdrew"
    a = await api.get(f"/v1/foster-home-requests/{scenario['A']}")
    assert a["status"] == "placed"
    assert a["placed_on"] == "2024-06-10"
    assert a["days_waiting"] is None
    assert a["more_than_six_weeks"] is False


async def test_pages_keep_the_order(api, scenario):
    first = await api.get(
        "/v1/waiting-list", as_of="2024-05-01", municipality_number=TRONDHEIM, limit=3
    )
    assert len(first["items"]) == 3
    assert first["next_cursor"]
    second = await api.get(
        "/v1/waiting-list",
        as_of="2024-05-01",
        municipality_number=TRONDHEIM,
        limit=3,
        cursor=first["next_cursor"],
    )
    days = [item["days_waiting"] for item in first["items"] + second["items"]]
    assert days == [168, 133, 76, 61]
    assert second["next_cursor"] is None


async def test_by_region(api, scenario, auth):
    midt = await api.get("/v1/waiting-list", as_of="2024-06-30", region="midt")
    assert {scenario["B"], scenario["E2"]} <= {item["request_id"] for item in midt["items"]}
    vest = await api.get("/v1/waiting-list", as_of="2024-06-30", region="vest")
    assert not {scenario["B"], scenario["E2"]} & {item["request_id"] for item in vest["items"]}
    # A region's token sees its own region only, and is told so when it asks for another.
    response = await api.client.get(
        "/v1/waiting-list", params={"region": "midt"}, headers=auth("region-vest")
    )
    assert response.status_code == 403
    own = await api.get("/v1/waiting-list", headers=auth("region-vest"), as_of="2024-06-30")
    assert {item["region"] for item in own["items"]} <= {"vest"}


async def test_a_future_or_impossible_date_is_refused_by_name(api):
    for as_of in ("2999-01-01", "0001-01-01", "2024-02-30", "yesterday"):
        response = await api.client.get(
            "/v1/waiting-list", params={"as_of": as_of}, headers=api.headers
        )
        assert response.status_code == 422, (as_of, response.text)
        problem = response.json()
        assert problem["errors"][0]["field"].endswith("as_of"), problem
