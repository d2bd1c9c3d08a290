"""foster_care's event contract: every state change publishes its event, every event matches
its published JSON Schema, nothing personal travels (no child_ref, birth date, national id
or free text), and the gateway reads what foster_care writes."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
import pytest

from devstack.services import FOSTER_CARE, REPO_ROOT
from devstack.testing import fetch, national_id
from foster_care.events import registry

SCHEMAS = REPO_ROOT / "docs" / "events"


@pytest.fixture(scope="module")
async def flow(start_service, auth, environment):
    """Every kind of foster_care state change, once, through the API."""
    client = await start_service(FOSTER_CARE)
    admin = auth("national-admin")
    bergen = auth("municipality-4601")

    async def post(path, body, headers=admin, status=201):
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == status, response.text
        return response.json()

    birth = date(2012, 4, 3)
    secret = {
        "child_ref": "bergen-fc-contract-0001",
        "national_id": national_id(birth),
        "note": "Morfar på Askøy vil ta imot gutten",
        "decision_note": "Kommunen ønsker nærhet til Fana skole",
    }
    request = await post(
        "/v1/foster-home-requests",
        {
            "municipality_number": "4601",
            "child_ref": secret["child_ref"],
            "national_id": secret["national_id"],
            "birth_date": birth.isoformat(),
            "desired_start_date": "2024-02-01",
            "requested_at": "2024-01-10T10:00:00+01:00",
            "needs": ["close_to_school", "siblings_together"],
            "child_wishes_recorded": True,
            "child_wishes_recorded_on": "2024-01-05",
            "kinship_assessed": True,
        },
        headers=bergen,
    )
    path = f"/v1/foster-home-requests/{request['id']}"
    await post(f"{path}/waiting-reasons", {"reason": "no_suitable_home", "from_date": "2024-02-01"})
    conference = await post(
        f"{path}/family-group-conferences",
        {"offered_on": "2024-01-12", "aims_to_recruit_home": True},
    )
    await post(
        f"{path}/family-group-conferences/{conference['id']}/held",
        {"held_on": "2024-01-20"},
        status=200,
    )
    await post(
        f"{path}/child-conversations",
        {"held_on": "2024-01-22", "method": "in_person", "view_recorded": True},
    )

    async def approved(kind: str, **fields):
        home = await post(
            "/v1/foster-homes",
            {
                "municipality_number": "4626",
                "kind": kind,
                "recruitment_source": "child_network" if kind == "kinship" else "campaign",
                "inquiry_at": "2023-10-01T10:00:00+02:00",
                **fields,
            },
        )
        for day, to in enumerate(
            (
                "information_meeting",
                "pre_assessment",
                "training",
                "training_completed",
                "home_study",
                "approved",
            ),
            start=2,
        ):
            body = {"to": to, "at": f"2023-10-{day:02d}T10:00:00+02:00", "note": secret["note"]}
            if to == "training":
                body["training_programme"] = "PRIDE"
            home = await post(f"/v1/foster-homes/{home['id']}/transitions", body, status=200)
        return home

    kinship = await approved("kinship", kinship_request_id=request["id"])
    ordinary = await approved("ordinary")
    await post(
        f"/v1/foster-homes/{ordinary['id']}/pause",
        {"at": "2023-11-01T10:00:00+01:00", "reason": "respite", "note": secret["note"]},
        status=200,
    )
    await post(
        f"/v1/foster-homes/{ordinary['id']}/resume",
        {"at": "2023-12-01T10:00:00+01:00"},
        status=200,
    )
    declined = await post(
        f"{path}/proposals",
        {"foster_home_id": kinship["id"], "proposed_at": "2024-01-25T10:00:00+01:00"},
    )
    await post(
        f"{path}/proposals/{declined['id']}/decision",
        {
            "decision": "declined",
            "reason": "child_declined",
            "decided_at": "2024-01-26T10:00:00+01:00",
            "note": secret["decision_note"],
        },
        headers=bergen,
        status=200,
    )
    accepted = await post(
        f"{path}/proposals",
        {"foster_home_id": ordinary["id"], "proposed_at": "2024-02-05T10:00:00+01:00"},
    )
    await post(
        f"{path}/proposals/{accepted['id']}/decision",
        {"decision": "accepted", "decided_at": "2024-02-06T10:00:00+01:00"},
        headers=bergen,
        status=200,
    )
    await post(
        f"{path}/breach-confirmations",
        {"source": "self_assessed", "confirmed_at": "2024-02-07T10:00:00+01:00"},
    )
    placement = await post(
        "/v1/foster-placements",
        {"request_id": request["id"], "foster_home_id": ordinary["id"], "start_date": "2024-02-10"},
        headers=bergen,
    )
    await post(
        f"/v1/foster-placements/{placement['id']}/end",
        {"end_date": "2024-06-01", "reason": "breakdown"},
        status=200,
    )
    other = await post(
        "/v1/foster-home-requests",
        {
            "municipality_number": "4601",
            "child_ref": "bergen-fc-contract-0002",
            "birth_date": "2015-01-01",
            "desired_start_date": "2024-03-01",
            "requested_at": "2024-02-01T10:00:00+01:00",
            "child_wishes_recorded": False,
            "kinship_assessed": True,
        },
    )
    await post(
        f"/v1/foster-home-requests/{other['id']}/withdraw",
        {"withdrawn_at": "2024-02-20T10:00:00+01:00", "reason": "other", "note": secret["note"]},
        status=200,
    )
    await post(
        f"/v1/foster-homes/{kinship['id']}/transitions",
        {"to": "withdrawn", "at": "2024-03-01T10:00:00+01:00", "reason": "request_ended"},
        status=200,
    )
    rows = await fetch(
        await environment.database(FOSTER_CARE),
        "SELECT subject, payload FROM outbox ORDER BY created_at",
    )
    return [(row["subject"], bytes(row["payload"])) for row in rows], secret


async def test_every_state_change_publishes_its_event(flow):
    events, _secret = flow
    published = {subject for subject, _payload in events}
    assert published == {event_type.type for event_type in registry}


async def test_every_event_matches_its_schema(flow):
    events, _secret = flow
    for subject, payload in events:
        schema = json.loads((SCHEMAS / f"{subject}.json").read_text())
        jsonschema.validate(json.loads(payload), schema)


async def test_nothing_personal_travels(flow):
    events, secret = flow
    for subject, payload in events:
        text = payload.decode()
        for name, value in secret.items():
            assert value not in text, f"{name} in {subject}"
        assert '"birth_date"' not in text
        assert "2012-04-03" not in text  # the child's birth date, under any name


async def test_a_child_is_counted_by_a_key_that_reveals_nothing(flow):
    events, secret = flow
    data = [json.loads(payload)["data"] for _subject, payload in events]
    received = [
        d["child_key"]
        for d, (subject, _) in zip(data, events, strict=True)
        if subject.endswith("received.v1")
    ]
    # Two children asked for; every event about a child carries one of their two keys (the
    # same key across the request, its conferences, breach and placement).
    assert len(set(received)) == 2
    assert {d["child_key"] for d in data if "child_key" in d} == set(received)
    for key in received:
        assert secret["national_id"] not in key
        assert len(key) == 32
