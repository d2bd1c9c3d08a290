"""Appointments: one outcome each, attended or no-show only once the appointment was due, a
mediation session only in a mediation case; the wait in Oslo calendar days from the
referral to the first attended session (across a DST change and a year end; a no-show does
not end it; a case still waiting counts to today); digital booking of a published slot,
where of two cases racing for one slot exactly one wins."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from devstack.services import FAMILY_COUNSELLING
from devstack.testing import fetch

from .conftest import clinical_closing, closing, instant_days_ago, oslo_noon, today

RECORDED = "2024-03-12T11:00:00+01:00"


def outcome_path(appointment: dict) -> str:
    return f"/v1/appointments/{appointment['id']}/outcome"


# Outcomes -----------------------------------------------------------------------------------


async def test_an_appointment_is_made_read_and_listed(api, family_counselling):
    office = await api.office()
    case = await api.case(office["id"])
    response = await family_counselling.post(
        f"/v1/cases/{case['id']}/appointments",
        json={"scheduled_at": "2024-03-12T10:00:00+01:00", "kind": "child_conversation"},
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["location"] == f"/v1/appointments/{made['id']}"
    assert (made["case_id"], made["office_id"], made["kind"], made["slot_id"]) == (
        case["id"],
        office["id"],
        "child_conversation",
        None,
    )
    assert (made["outcome"], made["outcome_recorded_at"]) == (None, None)
    read = await family_counselling.get(f"/v1/appointments/{made['id']}", headers=api.headers)
    assert read.json() == made
    assert read.headers["etag"] == '"1"'
    earlier = await api.appointment(case["id"], "2024-03-11T10:00:00+01:00", "intake")
    listed = await api.get(f"/v1/cases/{case['id']}/appointments")
    assert [a["id"] for a in listed["items"]] == [earlier["id"], made["id"]]  # by time
    await api.invalid(
        "POST",
        f"/v1/cases/{case['id']}/appointments",
        "kind",
        {"scheduled_at": "2024-03-12T10:00:00+01:00", "kind": "dinner"},
    )
    before = await api.invalid(
        "POST",
        f"/v1/cases/{case['id']}/appointments",
        "scheduled_at",
        {"scheduled_at": "2024-03-01T10:00:00+01:00", "kind": "intake"},
    )
    assert "referral" in before
    await api.problem("GET", "/v1/appointments/0190a1a1-0000-7000-8000-00000000dead", 404)


async def test_an_appointment_has_one_outcome(api):
    office = await api.office()
    case = await api.case(office["id"])
    appointment = await api.appointment(case["id"], "2024-03-12T10:00:00+01:00")
    recorded = await api.outcome(appointment["id"], "no_show", RECORDED)
    assert (recorded["outcome"], recorded["version"]) == ("no_show", 2)
    for second in ("attended", "no_show", "rescheduled_by_client"):
        refused = await api.problem(
            "POST", outcome_path(appointment), 409, {"outcome": second, "recorded_at": RECORDED}
        )
        assert "already" in refused["detail"]
    read = await api.get(f"/v1/appointments/{appointment['id']}")
    assert (read["outcome"], read["version"]) == ("no_show", 2)
    await api.invalid(
        "POST", outcome_path(appointment), "outcome", {"outcome": "late", "recorded_at": RECORDED}
    )


async def test_an_appointment_already_held_is_recorded_with_its_outcome(
    api, family_counselling, environment
):
    """A system recording what happened sends the appointment and its outcome in one call:
    the same rules as the outcome call, both events, and the outcome is then final."""
    office = await api.office()
    case = await api.case(office["id"], referral_received_at="2024-03-04T09:30:00+01:00")
    path = f"/v1/cases/{case['id']}/appointments"
    held = await api.post(
        path,
        {
            "scheduled_at": "2024-03-11T10:00:00+01:00",
            "kind": "mediation",
            "outcome": "attended",
            "recorded_at": "2024-03-11T11:00:00+01:00",
        },
    )
    assert (held["outcome"], held["outcome_recorded_at"]) == (
        "attended",
        "2024-03-11T11:00:00+01:00",
    )
    assert await api.get(f"/v1/appointments/{held['id']}") == held
    read = await api.read_case(case["id"])
    assert (read["first_attended_at"], read["days_waiting"]) == ("2024-03-11T10:00:00+01:00", 7)
    refused = await api.problem(
        "POST", outcome_path(held), 409, {"outcome": "no_show", "recorded_at": RECORDED}
    )
    assert "already" in refused["detail"]
    db = await environment.database(FAMILY_COUNSELLING)
    events = await fetch(
        db,
        "SELECT subject FROM outbox WHERE convert_from(payload, 'UTF8') LIKE $1 ORDER BY id",
        f"%{held['id']}%",
    )
    assert [row["subject"] for row in events] == [
        "family_counselling.appointment.scheduled.v1",
        "family_counselling.appointment.outcome_recorded.v1",
    ]

    # Each half needs the other, and the outcome's rules hold; nothing is made when refused.
    slot = "2024-03-18T10:00:00+01:00"
    for body, field in (
        ({"outcome": "attended"}, "recorded_at"),
        ({"recorded_at": RECORDED}, "outcome"),
        ({"outcome": "attended", "recorded_at": "2024-03-18T09:00:00+01:00"}, "recorded_at"),
        ({"outcome": "attended", "recorded_at": instant_days_ago(-1)}, "recorded_at"),
        ({"outcome": "late", "recorded_at": RECORDED}, "outcome"),
    ):
        await api.invalid("POST", path, field, {"scheduled_at": slot, "kind": "mediation", **body})
    ahead = instant_days_ago(-2)
    due = await api.invalid(
        "POST",
        path,
        "outcome",
        {"scheduled_at": ahead, "kind": "mediation", "outcome": "no_show", "recorded_at": now()},
    )
    assert "due" in due
    listed = await api.get(path)
    assert [a["id"] for a in listed["items"]] == [held["id"]]
    # A rescheduling is known before the appointment.
    moved = await api.post(
        path,
        {
            "scheduled_at": ahead,
            "kind": "mediation",
            "outcome": "rescheduled_by_client",
            "recorded_at": now(),
        },
    )
    assert moved["outcome"] == "rescheduled_by_client"
    assert (await api.read_case(case["id"]))["days_waiting"] == 7


def now() -> str:
    return instant_days_ago(0)


async def test_attended_or_no_show_only_once_the_appointment_was_due(api):
    office = await api.office()
    case = await api.case(office["id"], referral_received_at=instant_days_ago(3))
    ahead = await api.appointment(case["id"], instant_days_ago(-2))
    now = instant_days_ago(0)
    for outcome in ("attended", "no_show"):
        message = await api.invalid(
            "POST", outcome_path(ahead), "outcome", {"outcome": outcome, "recorded_at": now}
        )
        assert "due" in message
    assert (await api.read_case(case["id"]))["first_attended_at"] is None
    # A rescheduling is known before the appointment.
    moved = await api.outcome(ahead["id"], "rescheduled_by_client", now)
    assert moved["outcome"] == "rescheduled_by_client"
    other = await api.appointment(case["id"], instant_days_ago(-3))
    assert (await api.outcome(other["id"], "rescheduled_by_office", now))["outcome"] == (
        "rescheduled_by_office"
    )

    past = await api.appointment(case["id"], instant_days_ago(1))
    future = await api.invalid(
        "POST",
        outcome_path(past),
        "recorded_at",
        {"outcome": "attended", "recorded_at": instant_days_ago(-1)},
    )
    assert "future" in future
    early = await api.invalid(
        "POST",
        outcome_path(past),
        "recorded_at",
        {"outcome": "attended", "recorded_at": instant_days_ago(2)},
    )
    assert "before" in early
    await api.outcome(past["id"], "attended", now)
    assert (await api.read_case(case["id"]))["days_waiting"] == 2


async def test_a_mediation_session_belongs_to_a_mediation_case(api):
    office = await api.office()
    for case_type in ("clinical", "supervised_contact", "court_case"):
        case = await api.clinical(office["id"], case_type=case_type)
        message = await api.invalid(
            "POST",
            f"/v1/cases/{case['id']}/appointments",
            "kind",
            {"scheduled_at": "2024-03-12T10:00:00+01:00", "kind": "mediation"},
        )
        assert "mediation case" in message
        therapy = await api.appointment(case["id"], "2024-03-12T10:00:00+01:00", "therapy")
        assert therapy["kind"] == "therapy"


async def test_no_appointment_in_a_closed_case(api):
    office = await api.office()
    case = await api.clinical(office["id"])
    await api.close(case["id"], clinical_closing())
    refused = await api.problem(
        "POST",
        f"/v1/cases/{case['id']}/appointments",
        409,
        {"scheduled_at": "2024-05-03T10:00:00+02:00", "kind": "therapy"},
    )
    assert "closed" in refused["detail"]
    await api.problem(
        "POST",
        "/v1/cases/0190a1a1-0000-7000-8000-00000000dead/appointments",
        404,
        {"scheduled_at": "2024-05-03T10:00:00+02:00", "kind": "therapy"},
    )


# Waiting time -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("referral", "first_session", "days"),
    [
        # Across the change to summer time (31 March 2024, 02:00).
        ("2024-03-30T23:30:00+01:00", "2024-04-02T10:00:00+02:00", 3),
        # Oslo's date, not UTC's: 00:30 on 31 March in Oslo is still 30 March in UTC.
        ("2024-03-31T00:30:00+01:00", "2024-04-02T10:00:00+02:00", 2),
        # Across the change back (27 October 2024, 03:00).
        ("2024-10-26T23:30:00+02:00", "2024-10-28T00:30:00+01:00", 2),
        # Across a year end: two calendar days, though only 25 hours.
        ("2023-12-31T23:30:00+01:00", "2024-01-02T00:30:00+01:00", 2),
        # Given in UTC: counted on Oslo's calendar (2024-12-31 23:30 and 2025-01-01 00:30).
        ("2024-12-31T22:30:00+00:00", "2024-12-31T23:30:00+00:00", 1),
        # The same Oslo day.
        ("2024-06-03T08:00:00+02:00", "2024-06-03T15:00:00+02:00", 0),
    ],
)
async def test_days_waiting_are_oslo_calendar_days(api, referral, first_session, days):
    office = await api.office()
    case = await api.case(office["id"], referral_received_at=referral)
    await api.session(case["id"], first_session)
    read = await api.read_case(case["id"])
    assert read["days_waiting"] == days
    assert datetime.fromisoformat(read["first_attended_at"]) == datetime.fromisoformat(
        first_session
    )
    assert "waiting" not in read["priority"]["reason"]


async def test_a_no_show_does_not_end_the_wait(api):
    office = await api.office()
    case = await api.case(office["id"], referral_received_at="2024-03-30T23:30:00+01:00")
    await api.session(case["id"], "2024-04-01T10:00:00+02:00", "no_show")
    after_no_show = await api.read_case(case["id"])
    assert after_no_show["first_attended_at"] is None
    assert after_no_show["days_waiting"] == (today() - datetime(2024, 3, 30).date()).days
    await api.session(case["id"], "2024-04-05T10:00:00+02:00", "rescheduled_by_client")
    await api.session(case["id"], "2024-04-09T10:00:00+02:00", "attended")
    await api.session(case["id"], "2024-04-16T10:00:00+02:00", "attended")  # not the first
    read = await api.read_case(case["id"])
    assert read["first_attended_at"] == "2024-04-09T10:00:00+02:00"
    assert read["days_waiting"] == 10


async def test_the_first_attended_session_is_the_earliest_whatever_order_they_are_recorded(
    api,
):
    office = await api.office()
    case = await api.case(office["id"], referral_received_at="2024-03-04T09:30:00+01:00")
    earlier = await api.appointment(case["id"], "2024-03-11T10:00:00+01:00")
    later = await api.appointment(case["id"], "2024-03-18T10:00:00+01:00")
    await api.outcome(later["id"], "attended", "2024-03-18T11:00:00+01:00")
    assert (await api.read_case(case["id"]))["days_waiting"] == 14
    await api.outcome(earlier["id"], "attended", "2024-03-19T09:00:00+01:00")  # recorded late
    read = await api.read_case(case["id"])
    assert read["first_attended_at"] == "2024-03-11T10:00:00+01:00"
    assert read["days_waiting"] == 7
    certificate = await api.certificate(case["id"])
    assert certificate["first_mediation_on"] == "2024-03-11"
    assert certificate["valid_until"] == "2024-09-11"


async def test_a_case_still_waiting_counts_to_today(api):
    office = await api.office()
    for days in (0, 1, 45, 400):
        referral = oslo_noon(today() - timedelta(days=days))
        case = await api.case(office["id"], referral_received_at=referral)
        read = await api.read_case(case["id"])
        assert read["days_waiting"] == days
        assert read["priority"]["reason"].endswith(f"waiting {days} day{'' if days == 1 else 's'}.")
        queue = await api.queue(office["id"], limit=500)
        item = next(item for item in queue["items"] if item["case_id"] == case["id"])
        assert item["days_waiting"] == days


# Digital booking ----------------------------------------------------------------------------


async def test_booking_a_slot_makes_a_mediation_appointment_of_it(api, family_counselling):
    office = await api.office()
    slot = await api.slot(office["id"], instant_days_ago(-14))
    case = await api.case(office["id"], referral_received_at=instant_days_ago(2))
    response = await family_counselling.post(
        f"/v1/cases/{case['id']}/bookings", json={"slot_id": slot["id"]}, headers=api.headers
    )
    assert response.status_code == 201, response.text
    booked = response.json()
    assert response.headers["location"] == f"/v1/appointments/{booked['id']}"
    assert (booked["case_id"], booked["office_id"], booked["slot_id"], booked["kind"]) == (
        case["id"],
        office["id"],
        slot["id"],
        "mediation",
    )
    assert booked["scheduled_at"] == slot["starts_at"]
    assert booked["outcome"] is None
    listed = await api.get(f"/v1/cases/{case['id']}/appointments")
    assert [a["id"] for a in listed["items"]] == [booked["id"]]
    # Booked, the slot is not offered again, to this case or another.
    again = await api.problem(
        "POST", f"/v1/cases/{case['id']}/bookings", 409, {"slot_id": slot["id"]}
    )
    assert "not free" in again["detail"]
    other = await api.case(office["id"])
    await api.problem("POST", f"/v1/cases/{other['id']}/bookings", 409, {"slot_id": slot["id"]})
    free = await api.get(f"/v1/offices/{office['id']}/mediation-slots", free="true")
    assert slot["id"] not in {s["id"] for s in free["items"]}
    # Still waiting until the session is attended.
    assert case["id"] in await api.queued(office["id"])


async def test_a_booked_slot_rescheduled_is_free_for_another_case(api, family_counselling):
    office = await api.office()
    slot = await api.slot(office["id"], instant_days_ago(-10))
    first, second = [await api.case(office["id"]) for _ in range(2)]

    async def book(case):
        return await family_counselling.post(
            f"/v1/cases/{case['id']}/bookings", json={"slot_id": slot["id"]}, headers=api.headers
        )

    booked = (await book(first)).json()
    assert (await book(second)).status_code == 409
    await api.outcome(booked["id"], "rescheduled_by_client", instant_days_ago(0))
    free = await api.get(f"/v1/offices/{office['id']}/mediation-slots", free="true")
    assert slot["id"] in {s["id"] for s in free["items"]}
    taken = await book(second)
    assert taken.status_code == 201, taken.text
    assert taken.json()["slot_id"] == slot["id"]
    # The rescheduled appointment stays in the first case's history, with its slot.
    history = await api.get(f"/v1/cases/{first['id']}/appointments")
    assert [(a["slot_id"], a["outcome"]) for a in history["items"]] == [
        (slot["id"], "rescheduled_by_client")
    ]


async def test_only_a_mediation_case_books_only_its_own_offices_free_slots(api):
    office = await api.office()
    elsewhere = await api.office()
    slot = await api.slot(office["id"])
    their_slot = await api.slot(elsewhere["id"])
    for case_type in ("clinical", "supervised_contact", "court_case"):
        case = await api.clinical(office["id"], case_type=case_type)
        refused = await api.problem(
            "POST", f"/v1/cases/{case['id']}/bookings", 409, {"slot_id": slot["id"]}
        )
        assert "mediation cases" in refused["detail"]
    mediation = await api.case(office["id"])
    refused = await api.problem(
        "POST", f"/v1/cases/{mediation['id']}/bookings", 409, {"slot_id": their_slot["id"]}
    )
    assert "another office" in refused["detail"]
    await api.problem(
        "POST",
        f"/v1/cases/{mediation['id']}/bookings",
        409,
        {"slot_id": "0190a1a1-0000-7000-8000-00000000dead"},
    )
    await api.invalid("POST", f"/v1/cases/{mediation['id']}/bookings", "slot_id", {})
    closed = await api.case(office["id"])
    await api.close(closed["id"], closing())
    refused = await api.problem(
        "POST", f"/v1/cases/{closed['id']}/bookings", 409, {"slot_id": slot["id"]}
    )
    assert "closed" in refused["detail"]
    # Neither slot was taken by any of it.
    for each in (slot, their_slot):
        free = await api.get(f"/v1/offices/{each['office_id']}/mediation-slots", free="true")
        assert each["id"] in {s["id"] for s in free["items"]}


async def test_two_cases_racing_for_one_slot_one_wins(api, family_counselling, environment):
    db = await environment.database(FAMILY_COUNSELLING)
    office = await api.office()

    async def book(case: dict, slot: dict):
        return await family_counselling.post(
            f"/v1/cases/{case['id']}/bookings", json={"slot_id": slot["id"]}, headers=api.headers
        )

    for racers in [2] * 8 + [3, 4]:
        slot = await api.slot(office["id"])
        cases = [await api.case(office["id"]) for _ in range(racers)]
        responses = await asyncio.gather(*(book(case, slot) for case in cases))
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [201] + [409] * (racers - 1), [r.text for r in responses]
        winner = next(r.json() for r in responses if r.status_code == 201)
        for response in responses:
            if response.status_code == 409:
                assert response.headers["content-type"] == "application/problem+json"
                assert "not free" in response.json()["detail"]
        rows = await fetch(db, "SELECT case_id FROM appointment WHERE slot_id = $1", slot["id"])
        assert [str(row["case_id"]) for row in rows] == [winner["case_id"]]
        booked = await fetch(
            db, "SELECT booked_case_id FROM mediation_slot WHERE id = $1", slot["id"]
        )
        assert str(booked[0]["booked_case_id"]) == winner["case_id"]
        for case in cases:
            appointments = await api.get(f"/v1/cases/{case['id']}/appointments")
            expected = 1 if case["id"] == winner["case_id"] else 0
            assert len(appointments["items"]) == expected
