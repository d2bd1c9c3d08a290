"""The event contract: every state change of capacity publishes its event, every event
matches its published JSON Schema, nothing personal travels, and the gateway reads what
capacity writes. The published schemas of every service are current."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, date, datetime, timedelta

import jsonschema
import pytest

from capacity.events import registry
from common.clock import OSLO
from devstack.services import CAPACITY, DOMAIN_SERVICES, REPO_ROOT
from devstack.testing import fetch, national_id
from reporting_gateway.projections import PROJECTIONS

SCHEMAS = REPO_ROOT / "docs" / "events"


@pytest.fixture(scope="module")
async def flow(start_service, auth, environment):
    """Every kind of capacity state change, once, through the API."""
    client = await start_service(CAPACITY)
    admin = auth("national-admin")
    bergen = auth("municipality-4601")

    async def post(path, body, headers=admin, status=201):
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == status, response.text
        return response.json()

    now = datetime.now(UTC)
    institution = await post(
        "/v1/institutions",
        {
            "name": "Kontraktsinstitusjon",
            "municipality_number": "4601",
            "ownership": "state",
            "functions": ["acute"],
        },
    )
    await post(
        f"/v1/institutions/{institution['id']}/place-contracts",
        {
            "function": "acute",
            "contract_type": "state",
            "budgeted_places": 3,
            "valid_from": "2024-01-01",
            "valid_to": None,
            "day_price_nok": "15200.00",
        },
    )
    birth = date(2011, 3, 14)
    secret = {
        "child_ref": "bergen-contract-0001",
        "national_id": national_id(birth),
        "reason": "Mor ønsker nærhet til skolen på Fana",
        "justification": "Spesialisert team",
    }
    request = await post(
        "/v1/placement-requests",
        {
            "municipality_number": "4601",
            "child_ref": secret["child_ref"],
            "birth_date": birth.isoformat(),
            "national_id": secret["national_id"],
            "urgency": "acute",
            "function": "acute",
            "need_concluded_at": (now - timedelta(hours=3)).isoformat(),
            "desired_start_date": (now - timedelta(hours=3)).astimezone(OSLO).date().isoformat(),
            "child_views_recorded": True,
        },
        headers=bergen,
    )
    offer = await post(
        f"/v1/placement-requests/{request['id']}/offers",
        {
            "institution_id": institution["id"],
            "function": "acute",
            "contract_type": "state",
            "offered_at": now.isoformat(),
            "justification": secret["justification"],
        },
    )
    await post(
        f"/v1/placement-requests/{request['id']}/breach-confirmations",
        {"source": "self_assessed", "confirmed_at": now.isoformat()},
    )
    await post(
        f"/v1/placement-requests/{request['id']}/offers/{offer['id']}/decision",
        {"decision": "accepted", "reason": secret["reason"], "decided_at": now.isoformat()},
        headers=bergen,
        status=200,
    )
    stay = await post(
        "/v1/stays",
        {
            "institution_id": institution["id"],
            "placement_request_id": request["id"],
            "child_ref": secret["child_ref"],
            "national_id": secret["national_id"],
            "municipality_number": "4601",
            "birth_date": birth.isoformat(),
            "function": "acute",
            "contract_type": "state",
            "admitted_at": now.isoformat(),
            "lives_alone": True,
            "day_price_nok": "15200.00",
        },
    )
    decision = await post(
        f"/v1/stays/{stay['id']}/single-child-decisions",
        {
            "decided_on": now.date().isoformat(),
            "justification": secret["justification"],
            "valid_until": (now.date() + timedelta(days=90)).isoformat(),
            "next_review_on": (now.date() + timedelta(days=30)).isoformat(),
        },
    )
    reviewed = await client.patch(
        f"/v1/stays/{stay['id']}/single-child-decisions/{decision['id']}",
        json={
            "reviewed_on": now.date().isoformat(),
            "next_review_on": (now.date() + timedelta(days=60)).isoformat(),
            "justification": secret["justification"],
        },
        headers={**admin, "If-Match": f'"{decision["version"]}"'},
    )
    assert reviewed.status_code == 200, reviewed.text
    await post(
        f"/v1/stays/{stay['id']}/discharge",
        {"discharged_at": (now + timedelta(seconds=1)).isoformat(), "end_reason": "planned"},
        status=200,
    )
    other = await post(
        "/v1/placement-requests",
        {
            "municipality_number": "4601",
            "child_ref": "bergen-contract-0002",
            "birth_date": "2012-01-01",
            "urgency": "planned",
            "function": "acute",
            "need_concluded_at": now.isoformat(),
            "desired_start_date": (now.date() + timedelta(days=9)).isoformat(),
            "child_views_recorded": False,
        },
    )
    await post(
        f"/v1/placement-requests/{other['id']}/close",
        {"closed_at": now.isoformat(), "reason": "Løst i familien"},
        status=200,
    )
    rows = await fetch(
        await environment.database(CAPACITY),
        "SELECT subject, payload FROM outbox ORDER BY created_at",
    )
    return [(row["subject"], bytes(row["payload"])) for row in rows], secret


def test_the_published_schemas_are_current():
    expected = {}
    for service in DOMAIN_SERVICES:
        importlib.import_module(f"{service.name}.app")  # registers every event type
        published = importlib.import_module(f"{service.name}.events").registry
        expected.update(
            {
                f"{name}.json": json.dumps(schema, indent=2) + "\n"
                for name, schema in published.json_schemas().items()
            }
        )
    current = {path.name: path.read_text() for path in SCHEMAS.glob("*.json")}
    assert current == expected, "run `make schemas` and commit docs/events/"


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


@pytest.mark.parametrize("projection", PROJECTIONS, ids=lambda p: p.durable)
def test_the_gateway_reads_what_each_service_writes(projection):
    readers = projection.readers
    assert readers, f"the gateway reads no {projection.stream.service} event"
    for event_type, reader in readers.items():
        schema = json.loads((SCHEMAS / f"{event_type}.json").read_text())["properties"]["data"]
        needed = {name for name, field in reader.model_fields.items() if field.is_required()}
        assert needed <= set(schema["required"]), event_type
        for name in needed:  # the type each reader expects is the type written
            assert name in schema["properties"], (event_type, name)
