"""Offices: state and church-run, in the region their municipality lies in, with their
therapist hours; a region's token sees its own region's offices only; mediation slots are
published ahead of time for digital booking and listed (the free ones with free=true)."""

from __future__ import annotations

from datetime import datetime

from .conftest import instant_days_ago

OFFICES = "/v1/offices"


async def test_state_and_church_offices_take_their_region_from_the_municipality(
    api, family_counselling
):
    response = await family_counselling.post(
        OFFICES,
        json={
            "name": "Familievernkontoret i Bergen",
            "municipality_number": "4601",
            "ownership": "state",
            "therapist_hours_per_week": 240,
        },
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    state = response.json()
    assert response.headers["location"] == f"{OFFICES}/{state['id']}"
    assert (state["region"], state["ownership"], state["therapist_hours_per_week"]) == (
        "vest",
        "state",
        240,
    )
    church = await api.office(
        name="Kirkens familievern Oslo",
        municipality_number="0301",
        ownership="church",
        therapist_hours_per_week=95,
    )
    assert (church["region"], church["ownership"]) == ("ost", "church")
    trondheim = await api.office(municipality_number="5001", region="midt")
    assert trondheim["region"] == "midt"
    tromso = await api.office(municipality_number="5501")
    assert tromso["region"] == "nord"

    read = await family_counselling.get(f"{OFFICES}/{church['id']}", headers=api.headers)
    assert read.status_code == 200
    assert read.json() == church
    assert read.headers["etag"] == '"1"'

    churches = await api.get(OFFICES, ownership="church", limit=500)
    assert church["id"] in {office["id"] for office in churches["items"]}
    assert {office["ownership"] for office in churches["items"]} == {"church"}
    in_vest = await api.get(OFFICES, region="vest", limit=500)
    assert state["id"] in {office["id"] for office in in_vest["items"]}
    assert {office["region"] for office in in_vest["items"]} == {"vest"}


async def test_a_region_that_disagrees_with_the_municipality_is_refused(api):
    message = await api.invalid(
        "POST",
        OFFICES,
        "region",
        {
            "name": "Familievernkontoret i Bergen",
            "municipality_number": "4601",
            "region": "ost",
            "ownership": "state",
            "therapist_hours_per_week": 240,
        },
    )
    assert "vest" in message
    body = {"name": "X", "ownership": "state", "therapist_hours_per_week": 10}
    await api.invalid(
        "POST", OFFICES, "municipality_number", {**body, "municipality_number": "9999"}
    )
    await api.invalid("POST", OFFICES, "municipality_number", {**body, "municipality_number": "46"})
    await api.invalid(
        "POST", OFFICES, "ownership", {**body, "municipality_number": "4601", "ownership": "ideal"}
    )


async def test_therapist_hours_are_the_offices_capacity(api):
    office = await api.office(therapist_hours_per_week=0)
    assert office["therapist_hours_per_week"] == 0
    body = {"name": "X", "municipality_number": "4601", "ownership": "state"}
    await api.invalid("POST", OFFICES, "therapist_hours_per_week", body)
    for hours in (-1, 10_001, "many"):
        await api.invalid(
            "POST", OFFICES, "therapist_hours_per_week", {**body, "therapist_hours_per_week": hours}
        )
    await api.invalid(
        "POST", OFFICES, "name", {**body, "name": "   ", "therapist_hours_per_week": 10}
    )


async def test_a_region_sees_and_registers_offices_in_its_own_region_only(api, vest, ost):
    bergen = await api.office(municipality_number="4601")
    stavanger = await api.office(municipality_number="1103", ownership="church")
    oslo = await api.office(municipality_number="0301")

    assert (await api.get(f"{OFFICES}/{bergen['id']}", headers=vest))["id"] == bergen["id"]
    refused = await api.problem("GET", f"{OFFICES}/{oslo['id']}", 403, headers=vest)
    assert "vest" in refused["detail"]
    await api.problem("GET", f"{OFFICES}/{bergen['id']}", 403, headers=ost)

    seen = await api.get(OFFICES, headers=vest, limit=500)
    ids = {office["id"] for office in seen["items"]}
    assert {bergen["id"], stavanger["id"]} <= ids
    assert oslo["id"] not in ids
    assert {office["region"] for office in seen["items"]} == {"vest"}
    await api.problem("GET", OFFICES, 403, headers=vest, region="ost")
    ost_sees = await api.get(OFFICES, headers=ost, limit=500)
    assert {office["region"] for office in ost_sees["items"]} == {"ost"}
    assert oslo["id"] in {office["id"] for office in ost_sees["items"]}

    body = {"name": "X", "ownership": "state", "therapist_hours_per_week": 10}
    await api.problem("POST", OFFICES, 403, {**body, "municipality_number": "0301"}, headers=vest)
    own = await api.post(OFFICES, {**body, "municipality_number": "4601"}, headers=vest)
    assert own["region"] == "vest"

    await api.problem(
        "POST",
        f"{OFFICES}/{oslo['id']}/mediation-slots",
        403,
        {"starts_at": instant_days_ago(-10)},
        headers=vest,
    )
    await api.problem("GET", f"{OFFICES}/{oslo['id']}/mediation-slots", 403, headers=vest)
    await api.problem("GET", f"{OFFICES}/{oslo['id']}/work-queue", 403, headers=vest)


async def test_an_unknown_office_is_404(api):
    missing = "0190a1a1-0000-7000-8000-00000000dead"
    await api.problem("GET", f"{OFFICES}/{missing}", 404)
    await api.problem("GET", f"{OFFICES}/{missing}/mediation-slots", 404)
    await api.problem(
        "POST", f"{OFFICES}/{missing}/mediation-slots", 404, {"starts_at": instant_days_ago(-3)}
    )
    await api.problem("GET", f"{OFFICES}/{missing}/work-queue", 404)
    await api.invalid("GET", f"{OFFICES}/not-a-uuid", "office_id")


async def test_mediation_slots_are_published_ahead_and_listed(api, family_counselling):
    office = await api.office()
    other = await api.office()
    later = instant_days_ago(-20)
    sooner = instant_days_ago(-5)
    response = await family_counselling.post(
        f"{OFFICES}/{office['id']}/mediation-slots",
        json={"starts_at": later},
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    first = response.json()
    assert first["office_id"] == office["id"]
    assert first["booked"] is False
    assert datetime.fromisoformat(first["starts_at"]) == datetime.fromisoformat(later)
    second = await api.slot(office["id"], sooner)
    await api.slot(other["id"], sooner)

    listed = await api.get(f"{OFFICES}/{office['id']}/mediation-slots")
    assert [slot["id"] for slot in listed["items"]] == [second["id"], first["id"]]  # by time
    assert listed["next_cursor"] is None
    free = await api.get(f"{OFFICES}/{office['id']}/mediation-slots", free="true")
    assert [slot["id"] for slot in free["items"]] == [second["id"], first["id"]]


async def test_a_slot_in_the_past_or_now_is_refused(api):
    office = await api.office()
    path = f"{OFFICES}/{office['id']}/mediation-slots"
    message = await api.invalid("POST", path, "starts_at", {"starts_at": instant_days_ago(1)})
    assert "future" in message
    await api.invalid("POST", path, "starts_at", {"starts_at": instant_days_ago(0)})
    await api.invalid("POST", path, "starts_at", {"starts_at": "2024-05-14T09:00:00"})  # no offset
    await api.invalid("POST", path, "starts_at", {})
    listed = await api.get(path)
    assert listed["items"] == []


async def test_a_booked_slot_is_listed_as_booked_and_not_as_free(api):
    office = await api.office()
    booked = await api.slot(office["id"], instant_days_ago(-7))
    free = await api.slot(office["id"], instant_days_ago(-8))
    case = await api.case(office["id"])
    await api.post(f"/v1/cases/{case['id']}/bookings", {"slot_id": booked["id"]})

    every = await api.get(f"{OFFICES}/{office['id']}/mediation-slots")
    assert {slot["id"]: slot["booked"] for slot in every["items"]} == {
        booked["id"]: True,
        free["id"]: False,
    }
    only_free = await api.get(f"{OFFICES}/{office['id']}/mediation-slots", free="true")
    assert [slot["id"] for slot in only_free["items"]] == [free["id"]]
