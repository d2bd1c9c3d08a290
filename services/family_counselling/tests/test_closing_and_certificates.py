"""Closing and reopening a case, and mediation certificates.

A mediation is closed with its final track, whether the parents agreed and whether violence
came up; a child is heard only from the age of seven (a case with only younger children
records not applicable, never heard). A closed case reopens on a new referral, and its
wait starts again. A certificate is issued once, for a mediation with an attended
mediation session, under a number that cannot be guessed from another, valid six months
from the first session (to the month's last day when it has no such day); checking one
answers whether it is valid, with its dates and nothing about the family."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import combinations

import pytest

from .conftest import add_months, clinical_closing, closing, instant_days_ago, oslo_noon, today

CASES = "/v1/cases"
CHECK = "/v1/mediation-certificates"
NUMBER = re.compile(r"^MK-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def close_path(case: dict) -> str:
    return f"{CASES}/{case['id']}/close"


# Closing ------------------------------------------------------------------------------------


async def test_a_mediation_is_closed_with_its_outcome(api, family_counselling):
    office = await api.office()
    case = await api.case(office["id"], track="A")
    response = await family_counselling.post(
        close_path(case),
        json=closing(
            track="C!", violence_registered=True, agreement_reached=False, child_heard=False
        ),
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    closed = response.json()
    assert (closed["status"], closed["closed_at"]) == ("closed", "2024-05-02T12:00:00+02:00")
    assert closed["track"] == "C!"  # the final track
    assert (closed["violence_registered"], closed["agreement_reached"]) == (True, False)
    assert (closed["child_heard"], closed["concern_report_sent"]) == ("not_heard", False)
    assert closed["days_waiting"] is None  # closed before any session: it never ended
    assert await api.read_case(case["id"]) == closed


@pytest.mark.parametrize("field", ["track", "agreement_reached", "violence_registered"])
async def test_closing_a_mediation_needs_the_final_track_agreement_and_violence(api, field):
    office = await api.office()
    case = await api.case(office["id"])
    body = closing()
    del body[field]
    message = await api.invalid("POST", close_path(case), field, body)
    assert message
    null = await api.invalid("POST", close_path(case), field, {**body, field: None})
    assert null
    assert (await api.read_case(case["id"]))["status"] == "open"


async def test_closing_needs_its_time_and_the_concern_report(api):
    office = await api.office()
    case = await api.case(office["id"])
    for field in ("closed_at", "concern_report_sent"):
        body = closing()
        del body[field]
        await api.invalid("POST", close_path(case), field, body)
    before = await api.invalid(
        "POST", close_path(case), "closed_at", closing(closed_at="2024-03-01T12:00:00+01:00")
    )
    assert "referral" in before
    ahead = await api.invalid(
        "POST", close_path(case), "closed_at", closing(closed_at=instant_days_ago(-1))
    )
    assert "future" in ahead
    await api.invalid("POST", close_path(case), "track", closing(track="E"))


async def test_a_child_is_heard_only_from_the_age_of_seven(api):
    office = await api.office()
    young = [{"age": 3}, {"age": 6, "lives_at_home": False}]

    only_young = await api.case(office["id"], children=young)
    message = await api.invalid("POST", close_path(only_young), "child_heard", closing())
    assert "7" in message
    left_out = closing()
    del left_out["child_heard"]
    closed = await api.close(only_young["id"], left_out)
    assert closed["child_heard"] == "not_applicable"

    said_no = await api.case(office["id"], children=young)
    assert (await api.close(said_no["id"], closing(child_heard=False)))["child_heard"] == (
        "not_applicable"
    )
    no_children = await api.case(office["id"], mediation_reason="court", children=[])
    assert (await api.close(no_children["id"], left_out))["child_heard"] == "not_applicable"

    seven = await api.case(office["id"], children=[{"age": 2}, {"age": 7}])
    required = await api.invalid("POST", close_path(seven), "child_heard", left_out)
    assert "required" in required
    await api.invalid("POST", close_path(seven), "child_heard", {**left_out, "child_heard": None})
    assert (await api.close(seven["id"], closing(child_heard=True)))["child_heard"] == "heard"
    older = await api.case(office["id"], children=[{"age": 16, "lives_at_home": False}])
    assert (await api.close(older["id"], closing(child_heard=False)))["child_heard"] == (
        "not_heard"
    )


@pytest.mark.parametrize("case_type", ["clinical", "supervised_contact", "court_case"])
async def test_other_cases_are_closed_without_mediation_fields(api, case_type):
    office = await api.office()
    case = await api.clinical(office["id"], case_type=case_type)
    for field, value in (("track", "B"), ("agreement_reached", True), ("child_heard", True)):
        message = await api.invalid(
            "POST", close_path(case), field, clinical_closing(**{field: value})
        )
        assert "mediations only" in message
    closed = await api.close(
        case["id"], clinical_closing(violence_registered=True, concern_report_sent=True)
    )
    assert closed["status"] == "closed"
    assert (closed["track"], closed["agreement_reached"], closed["child_heard"]) == (
        None,
        None,
        None,
    )
    assert (closed["violence_registered"], closed["concern_report_sent"]) == (True, True)


async def test_a_case_is_closed_once(api):
    office = await api.office()
    case = await api.case(office["id"])
    await api.close(case["id"], closing())
    again = await api.problem("POST", close_path(case), 409, closing(track="A"))
    assert "closed already" in again["detail"]
    assert (await api.read_case(case["id"]))["track"] == "B"
    await api.problem("POST", f"{CASES}/0190a1a1-0000-7000-8000-00000000dead/close", 404, closing())


# Reopening ----------------------------------------------------------------------------------


def reopening(referral: str) -> dict:
    return {"reopened_at": referral, "referral_received_at": referral, "reason": "Ny henvisning."}


async def test_only_a_closed_case_is_reopened_and_with_a_reason(api):
    office = await api.office()
    case = await api.case(office["id"])
    path = f"{CASES}/{case['id']}/reopen"
    refused = await api.problem("POST", path, 409, reopening(instant_days_ago(1)))
    assert "Only a closed case" in refused["detail"]
    await api.close(case["id"], closing())
    body = reopening(instant_days_ago(1))
    for field in ("reason", "reopened_at", "referral_received_at"):
        without = {key: value for key, value in body.items() if key != field}
        await api.invalid("POST", path, field, without)
    await api.invalid("POST", path, "reason", {**body, "reason": "   "})
    early = await api.invalid(
        "POST", path, "referral_received_at", reopening("2024-05-01T12:00:00+02:00")
    )
    assert "closed" in early
    await api.invalid(
        "POST",
        path,
        "reopened_at",
        {**body, "reopened_at": "2024-05-03T12:00:00+02:00"},  # before the new referral
    )
    await api.invalid(
        "POST",
        path,
        "reopened_at",
        {
            "reopened_at": instant_days_ago(-1),
            "referral_received_at": instant_days_ago(1),
            "reason": "x",
        },
    )
    assert (await api.read_case(case["id"]))["status"] == "closed"
    reopened = await api.post(path, body, 200)
    assert (reopened["status"], reopened["episode"]) == ("open", 2)
    await api.problem("POST", path, 409, reopening(instant_days_ago(0)))


async def test_a_reopened_case_waits_again_from_its_new_referral(api, family_counselling):
    office = await api.office()
    case = await api.case(office["id"], track="A")
    await api.session(case["id"], "2024-03-12T10:00:00+01:00")
    served = await api.read_case(case["id"])
    assert served["days_waiting"] == 8
    assert case["id"] not in await api.queued(office["id"])
    await api.close(case["id"], closing(track="C!"))

    referral = oslo_noon(today() - timedelta(days=9))
    response = await family_counselling.post(
        f"{CASES}/{case['id']}/reopen",
        json={
            "reopened_at": instant_days_ago(0),
            "referral_received_at": referral,
            "reason": "The parents asked for more help.",
        },
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    reopened = response.json()
    assert response.headers["etag"] == f'"{reopened["version"]}"'
    assert (reopened["status"], reopened["episode"]) == ("open", 2)
    assert reopened["referral_received_at"] == referral
    assert reopened["days_waiting"] == 9
    assert reopened["first_attended_at"] is None
    for field in ("closed_at", "violence_registered", "agreement_reached", "child_heard"):
        assert reopened[field] is None, field
    assert reopened["track"] == "C!"
    # Its priority follows the track it was closed with.
    assert (reopened["priority"]["group"], reopened["priority"]["severity"]) == (1, 3)
    assert reopened["priority"]["reason"] == (
        "Mandatory mediation (separation); 2 children living at home; track C!; waiting 9 days."
    )
    queue = await api.queue(office["id"])
    assert [(i["case_id"], i["days_waiting"]) for i in queue["items"]] == [(case["id"], 9)]

    # The old session does not end the new wait; the first one after the referral does.
    yesterday = oslo_noon(today() - timedelta(days=1))
    await api.session(case["id"], yesterday)
    again = await api.read_case(case["id"])
    assert again["days_waiting"] == 8
    assert again["first_attended_at"] == yesterday
    assert await api.queued(office["id"]) == []


# Certificates -------------------------------------------------------------------------------


async def attended_mediation(api, office: dict, first_session: str, **fields) -> dict:
    """A mediation case with an attended mediation session at `first_session`."""
    referral = fields.pop("referral_received_at", "2023-01-02T10:00:00+01:00")
    case = await api.case(office["id"], referral_received_at=referral, **fields)
    await api.session(case["id"], first_session)
    return case


async def test_no_certificate_for_a_clinical_case_or_without_an_attended_mediation(api):
    office = await api.office()
    rule = "mediation case with at least one attended mediation session"
    clinical = await api.clinical(office["id"])
    await api.session(clinical["id"], "2024-03-12T10:00:00+01:00", kind="therapy")
    refused = await api.problem("POST", f"{CASES}/{clinical['id']}/mediation-certificate", 409)
    assert rule in refused["detail"]

    mediation = await api.case(office["id"])
    path = f"{CASES}/{mediation['id']}/mediation-certificate"
    assert rule in (await api.problem("POST", path, 409))["detail"]
    await api.session(mediation["id"], "2024-03-11T10:00:00+01:00", "no_show")
    assert rule in (await api.problem("POST", path, 409))["detail"]
    await api.session(mediation["id"], "2024-03-12T10:00:00+01:00", "rescheduled_by_client")
    # An attended intake ends the wait, but is no mediation session.
    await api.session(mediation["id"], "2024-03-13T10:00:00+01:00", kind="intake")
    assert (await api.read_case(mediation["id"]))["first_attended_at"] is not None
    assert rule in (await api.problem("POST", path, 409))["detail"]
    await api.problem(
        "POST", f"{CASES}/0190a1a1-0000-7000-8000-00000000dead/mediation-certificate", 404
    )

    await api.session(mediation["id"], "2024-03-14T10:00:00+01:00")
    certificate = await api.post(path)
    assert certificate["first_mediation_on"] == "2024-03-14"


async def test_a_certificate_is_issued_once_per_case(api, family_counselling):
    office = await api.office()
    case = await attended_mediation(api, office, "2024-03-12T10:00:00+01:00")
    response = await family_counselling.post(
        f"{CASES}/{case['id']}/mediation-certificate", headers=api.headers
    )
    assert response.status_code == 201, response.text
    certificate = response.json()
    assert response.headers["location"] == f"{CHECK}/{certificate['certificate_number']}"
    assert certificate["case_id"] == case["id"]
    assert certificate["issued_on"] == today().isoformat()
    second = await api.problem("POST", f"{CASES}/{case['id']}/mediation-certificate", 409)
    assert "already" in second["detail"]
    # A closed mediation is certified too.
    closed = await attended_mediation(api, office, "2024-03-12T10:00:00+01:00")
    await api.close(closed["id"], closing())
    assert (await api.certificate(closed["id"]))["case_id"] == closed["id"]


def _as_number(certificate_number: str) -> int:
    value = 0
    for symbol in certificate_number.removeprefix("MK-").replace("-", ""):
        value = value * len(ALPHABET) + ALPHABET.index(symbol)
    return value


async def test_certificate_numbers_are_random_not_sequential(api):
    office = await api.office()
    numbers = []
    for _ in range(8):
        case = await attended_mediation(api, office, "2024-03-12T10:00:00+01:00")
        numbers.append((await api.certificate(case["id"]))["certificate_number"])
    for number in numbers:
        assert NUMBER.match(number), number
    assert len(set(numbers)) == len(numbers)
    # No two share a group in the same place, nor are they close as numbers.
    for first, second in combinations(numbers, 2):
        groups = zip(first.split("-")[1:], second.split("-")[1:], strict=True)
        assert all(a != b for a, b in groups), (first, second)
        assert abs(_as_number(first) - _as_number(second)) > len(ALPHABET) ** 6, (first, second)
    # Drawn from the whole alphabet, not a counter's few digits.
    assert len(set("".join(numbers).replace("MK-", "").replace("-", ""))) >= 15


@pytest.mark.parametrize(
    ("first_session", "valid_until"),
    [
        ("2024-03-12T10:00:00+01:00", "2024-09-12"),
        ("2024-08-31T10:00:00+02:00", "2025-02-28"),  # no 31 February: its last day
        ("2023-08-31T10:00:00+02:00", "2024-02-29"),  # a leap year
        ("2024-03-31T10:00:00+02:00", "2024-09-30"),
        ("2024-07-31T10:00:00+02:00", "2025-01-31"),  # over a year end
        ("2024-03-31T00:30:00+01:00", "2024-09-30"),  # Oslo's date (UTC's is 30 March)
    ],
)
async def test_a_certificate_is_valid_six_months_from_the_first_mediation_session(
    api, first_session, valid_until
):
    office = await api.office()
    case = await attended_mediation(api, office, first_session)
    await api.session(case["id"], "2024-09-02T10:00:00+02:00")  # later sessions do not count
    certificate = await api.certificate(case["id"])
    first_day = first_session[:10]
    assert (certificate["first_mediation_on"], certificate["valid_until"]) == (
        first_day,
        valid_until,
    )
    check = await api.get(f"{CHECK}/{certificate['certificate_number']}")
    assert check == {
        "certificate_number": certificate["certificate_number"],
        "status": "expired",
        "issued_on": today().isoformat(),
        "first_mediation_on": first_day,
        "valid_until": valid_until,
    }


async def test_checking_a_certificate_says_valid_or_expired_and_nothing_else(
    api, family_counselling
):
    office = await api.office()
    first = today() - timedelta(days=20)
    case = await attended_mediation(
        api, office, oslo_noon(first), referral_received_at=oslo_noon(first - timedelta(days=5))
    )
    certificate = await api.certificate(case["id"])
    response = await family_counselling.get(
        f"{CHECK}/{certificate['certificate_number']}", headers=api.headers
    )
    assert response.status_code == 200
    check = response.json()
    assert check == {
        "certificate_number": certificate["certificate_number"],
        "status": "valid",
        "issued_on": today().isoformat(),
        "first_mediation_on": first.isoformat(),
        "valid_until": add_months(first, 6).isoformat(),
    }
    text = response.text
    assert case["id"] not in text
    assert office["id"] not in text
    assert "children" not in text
    assert "age" not in text


async def test_checking_an_unknown_or_malformed_number(api):
    missing = await api.problem("GET", f"{CHECK}/MK-2222-2222-2222", 404)
    assert "MK-2222-2222-2222" in missing["detail"]
    for malformed in (
        "MK-1111-1111-1111",  # 1 is not in the alphabet
        "MK-OOOO-2222-2222",  # nor O
        "mk-2222-2222-2222",
        "MK-2222-2222",
        "MK-2222-2222-2222-2222",
        "MK2222-2222-2222",
        "XX-2222-2222-2222",
        "MK-2222-2222-222U",
    ):
        await api.invalid("GET", f"{CHECK}/{malformed}", "number")


def first_day_valid_until(last: date) -> date | None:
    """A first session day whose certificate is valid up to and including `last`."""
    for back in range(170, 200):
        day = last - timedelta(days=back)
        if add_months(day, 6) == last:
            return day
    return None  # `last` is a 31st six months after a shorter month: nothing ends on it


async def test_a_certificate_is_valid_through_its_last_day(api):
    office = await api.office()
    checked = 0
    for last, status in ((today(), "valid"), (today() - timedelta(days=1), "expired")):
        first = first_day_valid_until(last)
        if first is None:
            continue
        case = await attended_mediation(
            api, office, oslo_noon(first), referral_received_at=oslo_noon(first)
        )
        certificate = await api.certificate(case["id"])
        assert certificate["valid_until"] == last.isoformat()
        check = await api.get(f"{CHECK}/{certificate['certificate_number']}")
        assert check["status"] == status
        checked += 1
    assert checked >= 1
