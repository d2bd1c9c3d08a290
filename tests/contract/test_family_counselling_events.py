"""family_counselling's event contract: every state change publishes its event, every event
matches its published JSON Schema, and nothing personal travels (no free text, no children's
birth dates: ages in years only; never the certificate's number)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest

from devstack.services import FAMILY_COUNSELLING, REPO_ROOT
from devstack.testing import fetch
from family_counselling.events import registry

SCHEMAS = REPO_ROOT / "docs" / "events"


@pytest.fixture(scope="module")
async def flow(start_service, auth, environment):
    """Every kind of family_counselling state change, once, through the API."""
    client = await start_service(FAMILY_COUNSELLING)
    admin = auth("national-admin")

    async def call(method, path, body=None, status=201, headers=None):
        response = await client.request(
            method, path, json=body, headers={**admin, **(headers or {})}
        )
        assert response.status_code == status, response.text
        return response.json()

    secret = {"reason": "Foreldrene ba om mer hjelp etter at mor flyttet til Askøy"}
    office = await call(
        "POST",
        "/v1/offices",
        {
            "name": "Familievernkontoret i Bergen",
            "municipality_number": "4601",
            "ownership": "church",
            "therapist_hours_per_week": 160,
        },
    )
    slot = await call(
        "POST",
        f"/v1/offices/{office['id']}/mediation-slots",
        {"starts_at": (datetime.now(UTC) + timedelta(days=7)).isoformat()},
    )
    case = await call(
        "POST",
        "/v1/cases",
        {
            "office_id": office["id"],
            "case_type": "mediation",
            "referral_received_at": "2024-03-04T09:30:00+01:00",
            "children": [{"age": 9, "lives_at_home": True}],
            "mediation_reason": "court",
            "track": "C",
        },
    )
    triaged = await call(
        "PATCH",
        f"/v1/cases/{case['id']}",
        {"track": "C!", "violence_towards_children": True},
        status=200,
        headers={"If-Match": f'"{case["version"]}"'},
    )
    appointment = await call(
        "POST",
        f"/v1/cases/{case['id']}/appointments",
        {"scheduled_at": "2024-03-12T10:00:00+01:00", "kind": "mediation"},
    )
    await call(
        "POST",
        f"/v1/appointments/{appointment['id']}/outcome",
        {"outcome": "attended", "recorded_at": "2024-03-12T11:00:00+01:00"},
        status=200,
    )
    certificate = await call("POST", f"/v1/cases/{triaged['id']}/mediation-certificate")
    secret["certificate_number"] = certificate["certificate_number"]
    await call(
        "POST",
        f"/v1/cases/{case['id']}/close",
        {
            "closed_at": "2024-04-01T12:00:00+02:00",
            "track": "C!",
            "violence_registered": True,
            "agreement_reached": False,
            "child_heard": True,
            "concern_report_sent": True,
        },
        status=200,
    )
    await call(
        "POST",
        f"/v1/cases/{case['id']}/reopen",
        {
            "reopened_at": "2024-05-02T10:00:00+02:00",
            "referral_received_at": "2024-05-02T09:00:00+02:00",
            "reason": secret["reason"],
        },
        status=200,
    )
    await call("POST", f"/v1/cases/{case['id']}/bookings", {"slot_id": slot["id"]})
    rows = await fetch(
        await environment.database(FAMILY_COUNSELLING),
        "SELECT subject, payload FROM outbox ORDER BY created_at",
    )
    return [(row["subject"], bytes(row["payload"])) for row in rows], secret


async def test_every_state_change_publishes_its_event(flow):
    events, _secret = flow
    assert {subject for subject, _payload in events} == {t.type for t in registry}


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
        assert "birth" not in text
        assert '"children_ages":[9]' in text or "children_ages" not in text
