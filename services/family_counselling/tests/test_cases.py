"""Cases: intake (what a mediation needs, the children by age only, no referral from the
future), triage and the derived priority (group 1 for mandatory mediation or a child
living at home; severity from the conflict track and violence), and the office's work
queue (by group, severity, then the longest wait, each with its reason), which a case
leaves at its first attended session or when closed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from .conftest import clinical_closing, closing, instant_days_ago, oslo_noon, today

CASES = "/v1/cases"
REFERRAL = "2024-03-04T09:30:00+01:00"


def days_since(referral: str) -> int:
    return (today() - datetime.fromisoformat(referral).date()).days


def referral_days_ago(days: int) -> str:
    """Noon (Oslo) `days` days ago: counted as exactly `days` days of waiting."""
    return oslo_noon(today() - timedelta(days=days))


# Intake -------------------------------------------------------------------------------------


def body(office_id: str, **fields) -> dict:
    return {
        "office_id": office_id,
        "case_type": "mediation",
        "referral_received_at": REFERRAL,
        "children": [{"age": 6, "lives_at_home": True}, {"age": 9, "lives_at_home": False}],
        "mediation_reason": "separation",
        **fields,
    }


async def test_a_case_is_opened_with_its_location_and_etag(api, family_counselling):
    office = await api.office()
    response = await family_counselling.post(CASES, json=body(office["id"]), headers=api.headers)
    assert response.status_code == 201, response.text
    case = response.json()
    assert response.headers["location"] == f"{CASES}/{case['id']}"
    assert response.headers["etag"] == '"1"'
    assert (case["office_id"], case["region"], case["status"], case["episode"]) == (
        office["id"],
        "vest",
        "open",
        1,
    )
    assert case["children"] == [
        {"age": 6, "lives_at_home": True},
        {"age": 9, "lives_at_home": False},
    ]
    assert case["referral_received_at"] == REFERRAL
    assert case["first_attended_at"] is None
    assert case["days_waiting"] == days_since(REFERRAL)
    read = await family_counselling.get(f"{CASES}/{case['id']}", headers=api.headers)
    assert read.headers["etag"] == '"1"'
    assert read.json() == case


async def test_a_mediation_needs_its_reason_and_no_other_case_may_give_one(api):
    office = await api.office()
    without = body(office["id"])
    del without["mediation_reason"]
    assert "required" in await api.invalid("POST", CASES, "mediation_reason", without)
    await api.invalid("POST", CASES, "mediation_reason", body(office["id"], mediation_reason=None))
    await api.invalid(
        "POST", CASES, "mediation_reason", body(office["id"], mediation_reason="divorce")
    )
    for case_type in ("clinical", "supervised_contact", "court_case"):
        message = await api.invalid(
            "POST", CASES, "mediation_reason", body(office["id"], case_type=case_type)
        )
        assert "mediations only" in message
        case = await api.case(office["id"], case_type=case_type, mediation_reason=None)
        assert case["case_type"] == case_type
        assert case["mediation_reason"] is None
    for reason in ("separation", "court", "voluntary"):
        assert (await api.case(office["id"], mediation_reason=reason))["mediation_reason"] == reason


async def test_a_track_is_given_for_mediations_only(api):
    office = await api.office()
    case = await api.case(office["id"], track="C!")
    assert case["track"] == "C!"
    for case_type in ("clinical", "supervised_contact", "court_case"):
        message = await api.invalid(
            "POST",
            CASES,
            "track",
            body(office["id"], case_type=case_type, mediation_reason=None, track="A"),
        )
        assert "mediations only" in message
    await api.invalid("POST", CASES, "track", body(office["id"], track="D"))


async def test_children_are_given_by_age_and_home_only(api):
    office = await api.office()
    young_and_old = await api.case(
        office["id"], children=[{"age": 0}, {"age": 25, "lives_at_home": False}]
    )
    assert young_and_old["children"] == [
        {"age": 0, "lives_at_home": True},
        {"age": 25, "lives_at_home": False},
    ]
    none = await api.case(office["id"], children=[])
    assert none["children"] == []
    for age in (-1, 26, 7.5, "six", None):
        await api.invalid(
            "POST", CASES, "children.0.age", body(office["id"], children=[{"age": age}])
        )
    await api.invalid(
        "POST", CASES, "children.1.age", body(office["id"], children=[{"age": 3}, {}])
    )
    for extra in ("name", "birth_date", "national_id", "child_ref", "gender"):
        await api.invalid(
            "POST",
            CASES,
            f"children.0.{extra}",
            body(office["id"], children=[{"age": 8, extra: "2016-01-01"}]),
        )
    await api.invalid(
        "POST",
        CASES,
        "children.0.lives_at_home",
        body(office["id"], children=[{"age": 8, "lives_at_home": "sometimes"}]),
    )
    await api.invalid("POST", CASES, "parent_name", body(office["id"], parent_name="Kari"))
    await api.invalid("POST", CASES, "children", body(office["id"], children=[{"age": 1}] * 21))


async def test_a_referral_from_the_future_is_refused(api):
    office = await api.office()
    message = await api.invalid(
        "POST",
        CASES,
        "referral_received_at",
        body(office["id"], referral_received_at=instant_days_ago(-1)),
    )
    assert "future" in message
    await api.invalid(
        "POST",
        CASES,
        "referral_received_at",
        body(office["id"], referral_received_at="2024-03-04T09:30:00"),
    )
    just_now = await api.case(office["id"], referral_received_at=instant_days_ago(0))
    assert just_now["days_waiting"] == 0


async def test_a_case_at_an_unknown_office_is_404(api):
    await api.problem("POST", CASES, 404, body("0190a1a1-0000-7000-8000-00000000dead"))
    await api.problem("GET", f"{CASES}/0190a1a1-0000-7000-8000-00000000dead", 404)


# Priority -----------------------------------------------------------------------------------

HOME = {"age": 6, "lives_at_home": True}
AWAY = {"age": 12, "lives_at_home": False}


@pytest.mark.parametrize(
    ("fields", "group"),
    [
        ({"mediation_reason": "separation", "children": [AWAY]}, 1),
        ({"mediation_reason": "court", "children": []}, 1),
        ({"mediation_reason": "voluntary", "children": [AWAY, HOME]}, 1),
        ({"mediation_reason": "voluntary", "children": [AWAY]}, 2),
        ({"mediation_reason": "voluntary", "children": []}, 2),
        ({"case_type": "clinical", "mediation_reason": None, "children": [HOME]}, 1),
        ({"case_type": "clinical", "mediation_reason": None, "children": [AWAY]}, 2),
        ({"case_type": "supervised_contact", "mediation_reason": None, "children": []}, 2),
        ({"case_type": "court_case", "mediation_reason": None, "children": [HOME]}, 1),
    ],
)
async def test_group_1_is_mandatory_mediation_or_a_child_living_at_home(api, fields, group):
    office = await api.office()
    case = await api.case(office["id"], **fields)
    assert case["priority"]["group"] == group
    assert case["priority"]["severity"] == 0


@pytest.mark.parametrize(
    ("track", "towards_children", "between_adults", "severity"),
    [
        (None, False, False, 0),
        ("A", False, False, 0),
        ("B", False, False, 1),
        ("C", False, False, 2),
        ("C!", False, False, 3),
        (None, True, False, 2),
        (None, False, True, 1),
        (None, True, True, 3),
        ("B", False, True, 2),
        ("C", True, False, 4),
        ("C!", True, True, 6),
    ],
)
async def test_severity_is_the_track_plus_violence(
    api, track, towards_children, between_adults, severity
):
    office = await api.office()
    case = await api.case(
        office["id"],
        track=track,
        violence_towards_children=towards_children,
        violence_between_adults=between_adults,
    )
    assert case["priority"]["severity"] == severity
    assert case["priority"]["group"] == 1
    if towards_children or between_adults:
        clinical = await api.clinical(
            office["id"],
            violence_towards_children=towards_children,
            violence_between_adults=between_adults,
        )
        assert clinical["priority"]["severity"] == severity - (
            {"A": 0, "B": 1, "C": 2, "C!": 3}[track] if track else 0
        )


async def test_the_reason_says_why_in_words(api):
    office = await api.office()
    separation = await api.case(office["id"], referral_received_at=referral_days_ago(12))
    assert separation["priority"]["reason"] == (
        "Mandatory mediation (separation); 2 children living at home; waiting 12 days."
    )
    violent = await api.case(
        office["id"],
        mediation_reason="voluntary",
        children=[HOME, AWAY],
        track="C!",
        violence_towards_children=True,
        violence_between_adults=True,
        referral_received_at=referral_days_ago(1),
    )
    assert violent["priority"]["reason"] == (
        "1 child living at home; track C!, violence towards the children, violence between "
        "the adults; waiting 1 day."
    )
    adults = await api.clinical(
        office["id"], children=[AWAY], referral_received_at=referral_days_ago(0)
    )
    assert adults["priority"]["reason"] == (
        "No child living at home and no mandatory mediation; waiting 0 days."
    )
    court = await api.case(
        office["id"],
        mediation_reason="court",
        children=[AWAY],
        track="A",
        referral_received_at=referral_days_ago(40),
    )
    assert court["priority"]["reason"] == "Mandatory mediation (court); track A; waiting 40 days."


# The work queue -----------------------------------------------------------------------------


async def test_the_work_queue_orders_by_group_severity_then_the_longest_wait(api):
    office = await api.office()
    other = await api.office()
    await api.case(other["id"], mediation_reason="court", track="C!")  # another office's
    no_children = await api.clinical(
        office["id"], children=[], referral_received_at="2023-11-01T10:00:00+01:00"
    )  # (2, 0), the longest wait
    voluntary_high = await api.case(
        office["id"],
        mediation_reason="voluntary",
        children=[AWAY],
        track="C!",
        referral_received_at="2024-03-01T10:00:00+01:00",
    )  # (2, 3)
    separation_later = await api.case(
        office["id"], track="A", referral_received_at="2024-02-01T10:00:00+01:00"
    )  # (1, 0)
    separation_sooner = await api.case(
        office["id"], track="A", referral_received_at="2024-01-15T10:00:00+01:00"
    )  # (1, 0), waited longer
    violence = await api.clinical(
        office["id"],
        children=[HOME],
        violence_towards_children=True,
        referral_received_at="2024-03-03T10:00:00+01:00",
    )  # (1, 2)
    court = await api.case(
        office["id"],
        mediation_reason="court",
        track="C",
        violence_between_adults=True,
        referral_received_at="2024-03-04T10:00:00+01:00",
    )  # (1, 3)
    expected = [court, violence, separation_sooner, separation_later, voluntary_high, no_children]

    whole = await api.queue(office["id"], limit=500)
    assert whole["office_id"] == office["id"]
    assert whole["on"] == today().isoformat()
    assert [item["case_id"] for item in whole["items"]] == [case["id"] for case in expected]
    assert [item["position"] for item in whole["items"]] == [1, 2, 3, 4, 5, 6]
    assert [(i["priority"]["group"], i["priority"]["severity"]) for i in whole["items"]] == [
        (1, 3),
        (1, 2),
        (1, 0),
        (1, 0),
        (2, 3),
        (2, 0),
    ]
    first = whole["items"][0]
    assert first["case_type"] == "mediation"
    assert first["referral_received_at"] == "2024-03-04T10:00:00+01:00"
    assert first["days_waiting"] == days_since("2024-03-04T10:00:00+01:00")
    waited = first["days_waiting"]
    assert first["priority"]["reason"] == (
        "Mandatory mediation (court); 2 children living at home; track C, violence between "
        f"the adults; waiting {waited} days."
    )
    last = whole["items"][-1]
    assert last["priority"]["reason"] == (
        "No child living at home and no mandatory mediation; "
        f"waiting {days_since('2023-11-01T10:00:00+01:00')} days."
    )

    # Paged two at a time: the positions go on from page to page.
    pages, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await api.queue(office["id"], **params)
        pages.append([(item["position"], item["case_id"]) for item in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [
        [(1, court["id"]), (2, violence["id"])],
        [(3, separation_sooner["id"]), (4, separation_later["id"])],
        [(5, voluntary_high["id"]), (6, no_children["id"])],
    ]
    await api.invalid("GET", f"/v1/offices/{office['id']}/work-queue", "cursor", cursor="nope")
    await api.invalid("GET", f"/v1/offices/{office['id']}/work-queue", "limit", limit=0)
    await api.invalid("GET", f"/v1/offices/{office['id']}/work-queue", "limit", limit=501)


async def test_a_case_leaves_the_queue_at_its_first_attended_session_not_a_no_show(api):
    office = await api.office()
    waiting = await api.case(office["id"])
    served = await api.case(office["id"])
    closed = await api.clinical(office["id"])
    assert await api.queued(office["id"]) == [waiting["id"], served["id"], closed["id"]]

    await api.session(served["id"], "2024-03-08T10:00:00+01:00", "no_show")
    await api.session(served["id"], "2024-03-09T10:00:00+01:00", "rescheduled_by_client")
    await api.session(served["id"], "2024-03-10T10:00:00+01:00", "rescheduled_by_office")
    assert served["id"] in await api.queued(office["id"])
    await api.session(served["id"], "2024-03-11T10:00:00+01:00", "attended")
    assert await api.queued(office["id"]) == [waiting["id"], closed["id"]]
    # An attended session of another kind (an intake) ends the wait too.
    await api.session(waiting["id"], "2024-03-06T10:00:00+01:00", "attended", kind="intake")
    assert await api.queued(office["id"]) == [closed["id"]]

    await api.close(closed["id"], clinical_closing())
    assert await api.queued(office["id"]) == []
    still = await api.get(CASES, office_id=office["id"], status="open", limit=500)
    assert {case["id"] for case in still["items"]} == {waiting["id"], served["id"]}


async def test_a_triage_change_needs_if_match_and_moves_the_case(api, family_counselling):
    office = await api.office()
    first = await api.case(
        office["id"], track="B", referral_received_at="2024-02-01T10:00:00+01:00"
    )
    second = await api.case(
        office["id"], track="A", referral_received_at="2024-02-02T10:00:00+01:00"
    )
    assert await api.queued(office["id"]) == [first["id"], second["id"]]
    path = f"{CASES}/{second['id']}"
    change = {"track": "C!", "violence_towards_children": True}

    missing = await api.problem("PATCH", path, 428, change)
    assert "If-Match" in missing["detail"]
    stale = await api.problem(
        "PATCH", path, 412, change, headers={**api.headers, "If-Match": '"7"'}
    )
    assert '"1"' in stale["detail"]
    response = await family_counselling.patch(
        path, json=change, headers={**api.headers, "If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    changed = response.json()
    assert (changed["track"], changed["violence_towards_children"]) == ("C!", True)
    assert changed["violence_between_adults"] is False  # left out: stays
    assert changed["priority"]["severity"] == 5
    assert changed["version"] == 2
    assert await api.queued(office["id"]) == [second["id"], first["id"]]
    assert (await api.read_case(second["id"]))["priority"]["severity"] == 5

    # The ETag it had is stale now; the new one works, and `*` matches any.
    await api.problem(
        "PATCH", path, 412, {"track": "A"}, headers={**api.headers, "If-Match": '"1"'}
    )
    lowered = await family_counselling.patch(
        path,
        json={"track": None, "violence_towards_children": False},
        headers={**api.headers, "If-Match": "*"},
    )
    assert lowered.status_code == 200, lowered.text
    assert lowered.json()["track"] is None
    assert lowered.json()["priority"]["severity"] == 0
    assert await api.queued(office["id"]) == [first["id"], second["id"]]

    with_match = {**api.headers, "If-Match": lowered.headers["etag"]}
    await api.invalid(
        "PATCH",
        path,
        "violence_between_adults",
        {"violence_between_adults": None},
        headers=with_match,
    )
    await api.invalid(
        "PATCH", path, "mediation_reason", {"mediation_reason": "court"}, headers=with_match
    )
    clinical = await api.clinical(office["id"])
    await api.invalid(
        "PATCH",
        f"{CASES}/{clinical['id']}",
        "track",
        {"track": "A"},
        headers={**api.headers, "If-Match": '"1"'},
    )
    await api.close(first["id"], closing())
    await api.problem(
        "PATCH",
        f"{CASES}/{first['id']}",
        409,
        {"track": "A"},
        headers={**api.headers, "If-Match": "*"},
    )
    await api.problem(
        "PATCH",
        f"{CASES}/0190a1a1-0000-7000-8000-00000000dead",
        404,
        {"track": "A"},
        headers={**api.headers, "If-Match": "*"},
    )


async def test_cases_are_listed_with_filters_and_pages(api):
    office = await api.office()
    mediation = await api.case(office["id"])
    clinical = await api.clinical(office["id"])
    closed = await api.clinical(office["id"])
    await api.close(closed["id"], clinical_closing())
    listed = await api.get(CASES, office_id=office["id"], limit=500)
    assert [case["id"] for case in listed["items"]] == [
        mediation["id"],
        clinical["id"],
        closed["id"],
    ]
    only = await api.get(CASES, office_id=office["id"], case_type="clinical", status="open")
    assert [case["id"] for case in only["items"]] == [clinical["id"]]
    first = await api.get(CASES, office_id=office["id"], limit=2)
    assert len(first["items"]) == 2
    rest = await api.get(CASES, office_id=office["id"], limit=2, cursor=first["next_cursor"])
    assert [case["id"] for case in rest["items"]] == [closed["id"]]
    assert rest["next_cursor"] is None
