"""Foster homes: kinds and regions, the recruitment stages in order with their times, the
training gate before approval, withdrawal, kinship homes, pauses, places behind If-Match, and
who may see the register."""

from __future__ import annotations

from datetime import datetime, timedelta

from . import factories

KINDS_WITHOUT_A_REQUEST = ("ordinary", "reinforced", "emergency", "specialised", "family_home")
STAGES = ("inquiry", *factories.STAGES)


def at(instant: str) -> datetime:
    return datetime.fromisoformat(instant)


async def test_every_kind_is_registered_in_the_region_of_its_municipality(api):
    for kind in KINDS_WITHOUT_A_REQUEST:
        home = await api.home(kind=kind)
        assert (home["kind"], home["region"], home["status"]) == (kind, "vest", "inquiry")
        assert home["places"] == 0
        assert home["available"] is False
        assert home["allowed_next"] == ["information_meeting", "withdrawn"]
        assert home["transitions"] == []
    request = await api.request()
    kinship = await api.home(kind="kinship", kinship_request_id=request["id"])
    assert (kinship["kind"], kinship["kinship_request_id"]) == ("kinship", request["id"])
    regions = {"0301": "ost", "4204": "sor", "1103": "vest", "5001": "midt", "1804": "nord"}
    for municipality, region in regions.items():
        home = await api.home(municipality_number=municipality)
        assert home["region"] == region, municipality


async def test_a_region_that_disagrees_with_the_municipality_is_422(api):
    message = await api.invalid("POST", "/v1/foster-homes", "region", factories.home(region="ost"))
    assert "4601" in message
    assert "vest" in message
    agreeing = await api.home(region="vest")
    assert agreeing["region"] == "vest"
    await api.invalid(
        "POST",
        "/v1/foster-homes",
        "municipality_number",
        factories.home(municipality_number="9999"),
    )
    await api.invalid("POST", "/v1/foster-homes", "kind", factories.home(kind="boarding_school"))


async def test_the_stages_follow_in_order_and_each_keeps_its_time(api):
    home = await api.home(inquiry_at="2023-03-01T18:00:00+01:00")
    expected = []
    previous = "inquiry"
    for to, when in factories.stages_to_approval(home["inquiry_at"]):
        extra = {"training_programme": "PRIDE"} if to == "training" else {}
        home = await api.transition(home["id"], to, when, **extra)
        assert home["status"] == to
        expected.append((previous, to, at(when)))
        previous = to
    assert [(t["from_stage"], t["to_stage"], at(t["at"])) for t in home["transitions"]] == expected
    assert home["training_programme"] == "PRIDE"
    assert at(home["training_completed_at"]) == expected[3][2]
    assert at(home["approved_at"]) == expected[-1][2]
    assert (home["places"], home["available"]) == (1, True)
    assert home["allowed_next"] == ["withdrawn"]
    read = await api.get(f"/v1/foster-homes/{home['id']}")
    assert read["transitions"] == home["transitions"]
    approved = await api.get("/v1/foster-homes", status="approved", limit=500)
    assert home["id"] in {item["id"] for item in approved["items"]}


async def test_a_stage_out_of_order_is_409_naming_the_allowed_next(api):
    home = await api.home()
    skipped = await api.problem(
        "POST",
        f"/v1/foster-homes/{home['id']}/transitions",
        409,
        {"to": "pre_assessment", "at": "2023-09-02T10:00:00+02:00"},
    )
    assert "allowed next: information_meeting, withdrawn" in skipped["detail"]
    stale = await api.problem(
        "POST",
        f"/v1/foster-homes/{home['id']}/transitions",
        412,
        {"to": "information_meeting", "at": "2023-09-02T10:00:00+02:00"},
        headers={**api.headers, "If-Match": '"7"'},
    )
    assert "If-Match" in stale["detail"]
    home = await api.post(
        f"/v1/foster-homes/{home['id']}/transitions",
        {"to": "information_meeting", "at": "2023-09-02T10:00:00+02:00"},
        200,
        headers={**api.headers, "If-Match": f'"{home["version"]}"'},
    )
    straight_to_approval = await api.problem(
        "POST",
        f"/v1/foster-homes/{home['id']}/transitions",
        409,
        {"to": "approved", "at": "2023-09-03T10:00:00+02:00"},
    )
    assert "allowed next: pre_assessment, withdrawn" in straight_to_approval["detail"]
    back = await api.problem(
        "POST",
        f"/v1/foster-homes/{home['id']}/transitions",
        409,
        {"to": "information_meeting", "at": "2023-09-03T10:00:00+02:00"},
    )
    assert "pre_assessment" in back["detail"]
    inquiry_again = await api.problem(
        "POST",
        f"/v1/foster-homes/{home['id']}/transitions",
        409,
        {"to": "inquiry", "at": "2023-09-03T10:00:00+02:00"},
    )
    assert "allowed next" in inquiry_again["detail"]


async def test_withdrawal_from_any_stage_needs_a_reason_and_nothing_follows_it(api):
    for stage in STAGES:
        home = await api.home_in(stage)
        assert home["status"] == stage
        path = f"/v1/foster-homes/{home['id']}/transitions"
        withdrawal = {"to": "withdrawn", "at": "2023-09-20T10:00:00+02:00"}
        message = await api.invalid("POST", path, "reason", withdrawal)
        assert "required" in message
        withdrawn = await api.transition(home["id"], **withdrawal, reason="family_withdrew")
        assert (withdrawn["status"], withdrawn["withdrawal_reason"]) == (
            "withdrawn",
            "family_withdrew",
        )
        assert withdrawn["allowed_next"] == []
        assert withdrawn["available"] is False
        assert withdrawn["transitions"][-1]["from_stage"] == stage
        for to in (*factories.STAGES, "withdrawn"):
            body = {"to": to, "at": "2023-09-21T10:00:00+02:00"}
            if to == "withdrawn":
                body["reason"] = "other"
            refused = await api.problem("POST", path, 409, body)
            assert "none (the home has withdrawn)" in refused["detail"], (stage, to)
    home = await api.home()
    only_for_withdrawal = await api.invalid(
        "POST",
        f"/v1/foster-homes/{home['id']}/transitions",
        "reason",
        {"to": "information_meeting", "at": "2023-09-02T10:00:00+02:00", "reason": "other"},
    )
    assert "only for withdrawn" in only_for_withdrawal
    await api.invalid(
        "POST",
        f"/v1/foster-homes/{home['id']}/transitions",
        "reason",
        {"to": "withdrawn", "at": "2023-09-02T10:00:00+02:00", "reason": "bored"},
    )


async def test_approval_waits_for_completed_basic_training(api):
    home = await api.home_in("training")
    assert home["training_programme"] == "SOLID"
    study = await api.transition(home["id"], "home_study", "2023-09-10T10:00:00+02:00")
    assert study["status"] == "home_study"
    assert study["training_completed_at"] is None
    assert study["allowed_next"] == ["training_completed", "approved", "withdrawn"]
    gate = await api.problem(
        "POST",
        f"/v1/foster-homes/{home['id']}/transitions",
        409,
        {"to": "approved", "at": "2023-09-11T10:00:00+02:00"},
    )
    assert "requires completed basic training (PRIDE or SOLID)" in gate["detail"]
    still = await api.get(f"/v1/foster-homes/{home['id']}")
    assert (still["status"], still["approved_at"]) == ("home_study", None)

    trained = await api.transition(home["id"], "training_completed", "2023-09-12T10:00:00+02:00")
    # Completed during the home study: the home stays in the study.
    assert trained["status"] == "home_study"
    assert at(trained["training_completed_at"]) == at("2023-09-12T10:00:00+02:00")
    assert trained["allowed_next"] == ["approved", "withdrawn"]
    approved = await api.transition(home["id"], "approved", "2023-09-13T10:00:00+02:00", places=2)
    assert (approved["status"], approved["places"], approved["available"]) == ("approved", 2, True)
    assert [t["to_stage"] for t in approved["transitions"]] == [
        "information_meeting",
        "pre_assessment",
        "training",
        "home_study",
        "training_completed",
        "approved",
    ]


async def test_training_completed_must_say_which_programme(api):
    home = await api.home_in("pre_assessment")
    started = await api.transition(home["id"], "training", "2023-09-04T10:00:00+02:00")
    assert started["training_programme"] is None
    message = await api.invalid(
        "POST",
        f"/v1/foster-homes/{home['id']}/transitions",
        "training_programme",
        {"to": "training_completed", "at": "2023-09-05T10:00:00+02:00"},
    )
    assert "PRIDE or SOLID" in message
    done = await api.transition(
        home["id"], "training_completed", "2023-09-05T10:00:00+02:00", training_programme="PRIDE"
    )
    assert done["training_programme"] == "PRIDE"


async def test_a_stage_may_not_go_back_in_time_or_into_the_future(api):
    home = await api.home(inquiry_at="2023-09-01T12:00:00+02:00")
    path = f"/v1/foster-homes/{home['id']}/transitions"
    before_inquiry = await api.invalid(
        "POST", path, "at", {"to": "information_meeting", "at": "2023-09-01T11:59:00+02:00"}
    )
    assert "before the previous stage" in before_inquiry
    await api.transition(home["id"], "information_meeting", "2023-09-05T10:00:00+02:00")
    await api.invalid(
        "POST", path, "at", {"to": "pre_assessment", "at": "2023-09-04T10:00:00+02:00"}
    )
    tomorrow = (datetime.now().astimezone() + timedelta(days=1)).isoformat()
    future = await api.invalid("POST", path, "at", {"to": "pre_assessment", "at": tomorrow})
    assert "future" in future
    await api.invalid(
        "POST", path, "at", {"to": "pre_assessment", "at": "2023-09-06T10:00:00"}
    )  # no offset
    same_moment = await api.transition(home["id"], "pre_assessment", "2023-09-05T10:00:00+02:00")
    assert same_moment["status"] == "pre_assessment"
    await api.invalid("POST", "/v1/foster-homes", "inquiry_at", factories.home(inquiry_at=tomorrow))


async def test_a_kinship_home_is_recruited_for_one_request_and_only_kinship_homes_are(api):
    request = await api.request()
    message = await api.invalid(
        "POST", "/v1/foster-homes", "kinship_request_id", factories.home(kind="kinship")
    )
    assert "required" in message
    for kind in KINDS_WITHOUT_A_REQUEST:
        refused = await api.invalid(
            "POST",
            "/v1/foster-homes",
            "kinship_request_id",
            factories.home(kind=kind, kinship_request_id=request["id"]),
        )
        assert "only for kinship homes" in refused
    missing = "0190a1a1-0000-7000-8000-00000000beef"
    await api.problem(
        "POST",
        "/v1/foster-homes",
        404,
        factories.home(kind="kinship", kinship_request_id=missing),
    )
    home = await api.home(kind="kinship", kinship_request_id=request["id"])
    assert home["kinship_request_id"] == request["id"]
    withdrawn = await api.request()
    await api.post(
        f"/v1/foster-home-requests/{withdrawn['id']}/withdraw",
        {"withdrawn_at": "2023-12-02T10:00:00+01:00", "reason": "returned_home"},
        200,
    )
    no_longer_needed = await api.problem(
        "POST",
        "/v1/foster-homes",
        409,
        factories.home(kind="kinship", kinship_request_id=withdrawn["id"]),
    )
    assert "withdrawn" in no_longer_needed["detail"]


async def test_only_an_approved_home_pauses_with_a_reason_and_resumes_once(api):
    in_training = await api.home_in("training")
    pause_path = f"/v1/foster-homes/{in_training['id']}/pause"
    body = {"at": "2023-10-01T10:00:00+02:00", "reason": "family_circumstances"}
    not_approved = await api.problem("POST", pause_path, 409, body)
    assert "Only an approved home" in not_approved["detail"]

    home = await api.approved_home()
    pause_path = f"/v1/foster-homes/{home['id']}/pause"
    resume_path = f"/v1/foster-homes/{home['id']}/resume"
    await api.invalid("POST", pause_path, "reason", {"at": body["at"]})
    await api.invalid("POST", pause_path, "reason", {**body, "reason": "bored"})
    await api.invalid("POST", pause_path, "at", {**body, "at": "2023-09-01T10:00:00+02:00"})
    not_paused = await api.problem("POST", resume_path, 409, {"at": "2023-10-02T10:00:00+02:00"})
    assert "not paused" in not_paused["detail"]

    paused = await api.post(pause_path, body, 200)
    assert (paused["available"], paused["pause_reason"]) == (False, "family_circumstances")
    assert at(paused["paused_at"]) == at(body["at"])
    listed = await api.get("/v1/foster-homes", available="false", limit=500)
    assert home["id"] in {item["id"] for item in listed["items"]}
    twice = await api.problem("POST", pause_path, 409, {**body, "at": "2023-10-03T10:00:00+02:00"})
    assert "paused already" in twice["detail"]
    await api.invalid("POST", resume_path, "at", {"at": "2023-09-30T10:00:00+02:00"})

    resumed = await api.post(resume_path, {"at": "2023-10-05T10:00:00+02:00"}, 200)
    assert (resumed["available"], resumed["paused_at"], resumed["pause_reason"]) == (
        True,
        None,
        None,
    )
    again = await api.problem("POST", resume_path, 409, {"at": "2023-10-06T10:00:00+02:00"})
    assert "not paused" in again["detail"]
    listed = await api.get("/v1/foster-homes", available="true", limit=500)
    assert home["id"] in {item["id"] for item in listed["items"]}


async def test_places_and_needs_change_only_behind_if_match_and_never_below_those_taken(
    api, foster_care, admin
):
    home = await api.approved_home(places=2)
    path = f"/v1/foster-homes/{home['id']}"
    blind = await api.problem("PATCH", path, 428, {"places": 3})
    assert "If-Match" in blind["detail"]
    stale = await foster_care.patch(path, json={"places": 3}, headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    read = await foster_care.get(path, headers=admin)
    assert read.headers["etag"] == f'"{read.json()["version"]}"'
    changed = await foster_care.patch(
        path,
        json={"places": 3, "suited_for": ["siblings_together", "young_child"]},
        headers={**admin, "If-Match": read.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["places"] == 3
    assert changed.json()["suited_for"] == ["siblings_together", "young_child"]
    assert changed.headers["etag"] != read.headers["etag"]
    replayed = await foster_care.patch(
        path, json={"places": 1}, headers={**admin, "If-Match": read.headers["etag"]}
    )
    assert replayed.status_code == 412

    # Two children proposed: two of its places are held.
    for _ in range(2):
        request = await api.request()
        await api.propose(request["id"], home["id"], "2023-12-02T10:00:00+01:00")
    etag = changed.headers["etag"]
    below = await foster_care.patch(path, json={"places": 1}, headers={**admin, "If-Match": etag})
    assert below.status_code == 409, below.text
    assert "2 of the home's places are taken or proposed" in below.json()["detail"]
    down_to_held = await foster_care.patch(
        path, json={"places": 2}, headers={**admin, "If-Match": etag}
    )
    assert down_to_held.status_code == 200, down_to_held.text
    zero = await foster_care.patch(
        path, json={"places": 0}, headers={**admin, "If-Match": down_to_held.headers["etag"]}
    )
    assert zero.status_code == 422
    assert zero.json()["errors"][0]["field"] == "places"

    unapproved = await api.home_in("home_study")
    unapproved_path = f"/v1/foster-homes/{unapproved['id']}"
    read = await foster_care.get(unapproved_path, headers=admin)
    refused = await foster_care.patch(
        unapproved_path, json={"places": 2}, headers={**admin, "If-Match": read.headers["etag"]}
    )
    assert refused.status_code == 409
    assert "set at approval" in refused.json()["detail"]


async def test_a_municipality_may_not_see_or_change_the_register(api, bergen):
    home = await api.approved_home()
    path = f"/v1/foster-homes/{home['id']}"
    for method, url, body in (
        ("GET", "/v1/foster-homes", None),
        ("GET", path, None),
        ("POST", "/v1/foster-homes", factories.home()),
        ("POST", f"{path}/transitions", {"to": "withdrawn", "at": home["approved_at"]}),
        ("POST", f"{path}/pause", {"at": home["approved_at"], "reason": "respite"}),
        ("PATCH", path, {"places": 2}),
    ):
        refused = await api.problem(method, url, 403, body, headers={**bergen, "If-Match": '"1"'})
        assert "municipality" in refused["detail"], (method, url)
    still = await api.get(path)
    assert (still["status"], still["paused_at"], still["places"]) == ("approved", None, 1)


async def test_a_region_keeps_to_its_own_homes(api, vest):
    in_ost = await api.home(municipality_number="0301")
    in_vest = await api.home(municipality_number="1103")
    await api.problem("GET", f"/v1/foster-homes/{in_ost['id']}", 403, headers=vest)
    assert (await api.get(f"/v1/foster-homes/{in_vest['id']}", headers=vest))["id"] == in_vest["id"]
    listed = await api.get("/v1/foster-homes", headers=vest, limit=500)
    assert {item["region"] for item in listed["items"]} == {"vest"}
    await api.problem("GET", "/v1/foster-homes", 403, headers=vest, region="ost")
    await api.problem(
        "POST", "/v1/foster-homes", 403, factories.home(municipality_number="0301"), headers=vest
    )
    await api.problem(
        "POST",
        f"/v1/foster-homes/{in_ost['id']}/transitions",
        403,
        {"to": "information_meeting", "at": "2023-09-02T10:00:00+02:00"},
        headers=vest,
    )
    registered = await api.post("/v1/foster-homes", factories.home(), headers=vest)
    assert registered["region"] == "vest"
