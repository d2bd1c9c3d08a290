"""`make rebuild-reports`: every stream replayed from its start into emptied read models
gives every KPI as it was, while readers keep seeing the old figures until it is done.
family_counselling's events are written onto its stream by hand (the service is not
needed to prove the gateway's replay)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from common.clock import OSLO
from common.events import CloudEvent
from common.messaging import StreamSpec
from common.platform import Platform
from devstack.services import CAPACITY, FOSTER_CARE, GATEWAY
from devstack.testing import build_app, eventually, fetch, running
from reporting_gateway.kpis.catalogue import CATALOGUE
from reporting_gateway.projections import PROJECTIONS
from reporting_gateway.rebuild import rebuild

from .helpers import institution_body, placement_request_body


async def fill_capacity(capacity, headers) -> int:
    """Institutions with contracts, stays (some ended), requests (some offered): the facts
    every capacity KPI counts. Returns how many events that makes."""
    events = 0
    now = datetime.now(UTC)
    # Every admission in this Oslo year, so the year's figures count them all.
    new_year = datetime(now.astimezone(OSLO).year, 1, 1, 1, tzinfo=OSLO)
    for index in range(3):
        institution = await capacity.post(
            "/v1/institutions",
            json=institution_body(municipality_number="4601", ownership="state"),
            headers=headers,
        )
        assert institution.status_code == 201, institution.text
        institution_id = institution.json()["id"]
        contract = await capacity.post(
            f"/v1/institutions/{institution_id}/place-contracts",
            json={
                "function": "acute",
                "contract_type": "state",
                "budgeted_places": 6,
                "valid_from": f"{now.year - 1}-01-01",
                "valid_to": None,
                "day_price_nok": "15200.00",
            },
            headers=headers,
        )
        assert contract.status_code == 201, contract.text
        events += 2
        for stay_index in range(4):
            admitted = max(now - timedelta(days=random.randint(2, 40), hours=index), new_year)
            discharged = admitted + min(timedelta(days=1), (now - admitted) / 2)
            stay = await capacity.post(
                "/v1/stays",
                json={
                    "institution_id": institution_id,
                    "child_ref": f"child-{index}-{stay_index}-{random.randint(1, 10**9)}",
                    "municipality_number": "4601",
                    "birth_date": "2011-05-04",
                    "function": "acute",
                    "contract_type": "state",
                    "admitted_at": admitted.isoformat(),
                    "lives_alone": stay_index == 0,
                    "day_price_nok": "15200.00",
                },
                headers=headers,
            )
            assert stay.status_code == 201, stay.text
            events += 1
            if stay_index % 2:
                ended = await capacity.post(
                    f"/v1/stays/{stay.json()['id']}/discharge",
                    json={
                        "discharged_at": discharged.isoformat(),
                        "end_reason": "unintended" if stay_index == 3 else "planned",
                    },
                    headers=headers,
                )
                assert ended.status_code == 200, ended.text
                events += 1
        request = await capacity.post(
            "/v1/placement-requests",
            json=placement_request_body(
                municipality_number="4601", urgency="acute", function="acute"
            ),
            headers=headers,
        )
        assert request.status_code == 201, request.text
        events += 1
        if index:
            offer = await capacity.post(
                f"/v1/placement-requests/{request.json()['id']}/offers",
                json={
                    "institution_id": institution_id,
                    "function": "acute",
                    "contract_type": "state",
                    "offered_at": now.isoformat(),
                    "justification": "Nærmeste ledige plass.",
                },
                headers=headers,
            )
            assert offer.status_code == 201, offer.text
            events += 1
    return events


async def fill_foster_care(foster_care, headers) -> None:
    """Foster homes through the recruitment stages (one withdrawn), requests from Bergen
    (vest) waiting, placed, withdrawn, asked for again after a breakdown, with a family group
    conference and a confirmed breach: the facts every fc KPI (and cap.breaches' foster
    homes) counts, all in this Oslo year up to now."""
    now = datetime.now(OSLO)
    new_year = datetime(now.year, 1, 1, tzinfo=OSLO)

    def moment(fraction: float) -> datetime:
        return new_year + (now - new_year) * fraction

    def day(fraction: float) -> str:
        return moment(fraction).date().isoformat()

    async def post(path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        response = await foster_care.post(path, json=body, headers=headers)
        assert response.status_code == status, (path, response.text)
        answer: dict[str, Any] = response.json()
        return answer

    homes = []
    for kind, stages in (
        (
            "ordinary",
            (
                "information_meeting",
                "pre_assessment",
                "training",
                "training_completed",
                "home_study",
                "approved",
            ),
        ),
        ("emergency", ("information_meeting", "withdrawn")),
    ):
        home = await post(
            "/v1/foster-homes",
            {
                "municipality_number": "4601",
                "kind": kind,
                "recruitment_source": "campaign",
                "inquiry_at": moment(0.01).isoformat(),
            },
        )
        for index, stage in enumerate(stages, start=2):
            body: dict[str, Any] = {"to": stage, "at": moment(index / 100).isoformat()}
            if stage == "training":
                body["training_programme"] = "SOLID"
            if stage == "withdrawn":
                body["reason"] = "family_withdrew"
            if stage == "approved":
                body["places"] = 3
            await post(f"/v1/foster-homes/{home['id']}/transitions", body, status=200)
        homes.append(home["id"])
    requests = []
    for child, desired, requested in (
        ("child-1", 0.10, 0.08),
        ("child-2", 0.12, 0.09),
        ("child-3", 0.15, 0.10),
        ("child-1", 0.62, 0.61),  # asked for again after the placement broke down
    ):
        request = await post(
            "/v1/foster-home-requests",
            {
                "municipality_number": "4601",
                "child_ref": child,
                "birth_date": "2012-05-04",
                "desired_start_date": day(desired),
                "requested_at": moment(requested).isoformat(),
                "child_wishes_recorded": False,
                "kinship_assessed": True,
            },
        )
        requests.append(request["id"])
        if child == "child-1" and len(requests) == 1:
            base = f"/v1/foster-home-requests/{request['id']}"
            proposal = await post(
                f"{base}/proposals",
                {"foster_home_id": homes[0], "proposed_at": moment(0.30).isoformat()},
            )
            await post(
                f"{base}/proposals/{proposal['id']}/decision",
                {"decision": "accepted", "decided_at": moment(0.31).isoformat()},
                status=200,
            )
            placement = await post(
                "/v1/foster-placements",
                {"request_id": request["id"], "foster_home_id": homes[0], "start_date": day(0.32)},
            )
            await post(
                f"/v1/foster-placements/{placement['id']}/end",
                {"end_date": day(0.60), "reason": "breakdown"},
                status=200,
            )
    await post(
        f"/v1/foster-home-requests/{requests[1]}/withdraw",
        {"withdrawn_at": moment(0.40).isoformat(), "reason": "returned_home"},
        status=200,
    )
    await post(
        f"/v1/foster-home-requests/{requests[2]}/family-group-conferences",
        {"offered_on": day(0.20), "held_on": day(0.25), "aims_to_recruit_home": True},
    )
    await post(
        f"/v1/foster-home-requests/{requests[2]}/breach-confirmations",
        {"source": "county_governor", "confirmed_at": moment(0.50).isoformat()},
    )


async def fill_family_counselling(platform: Platform) -> int:
    """family_counselling's events as its service publishes them (written here by hand, onto
    its stream): an office in Bergen (vest); a clinical case seen after a no-show; a
    mediation seen, closed in track C with violence, an agreement and the child heard, and
    reopened (waiting again); a clinical case rescheduled by the client, still waiting. All
    in this Oslo year up to now. Returns how many events that makes."""
    now = datetime.now(OSLO)
    new_year = datetime(now.year, 1, 1, tzinfo=OSLO)

    def moment(fraction: float) -> str:
        return (new_year + (now - new_year) * fraction).isoformat()

    office = {"office_id": str(uuid.uuid4()), "region": "vest"}
    office_facts = {**office, "municipality_number": "4601"}
    triage = {
        "track": None,
        "violence_between_adults": False,
        "violence_towards_children": False,
        "separate_mediation": False,
        "one_parent_absent": False,
    }

    def case(case_type: str, referral: float) -> dict[str, Any]:
        facts = {"case_id": str(uuid.uuid4()), **office_facts, "case_type": case_type}
        return {**facts, "referral_received_at": moment(referral)}

    def outcome(case: dict[str, Any], at: float, outcome: str, first: bool) -> dict[str, Any]:
        return {
            "appointment_id": str(uuid.uuid4()),
            **{k: case[k] for k in ("case_id", "office_id", "region", "case_type")},
            "kind": "therapy" if case["case_type"] == "clinical" else "mediation",
            "scheduled_at": moment(at),
            "outcome": outcome,
            "recorded_at": moment(at),
            "referral_received_at": case["referral_received_at"],
            "first_attended": first,
        }

    def opened(case: dict[str, Any]) -> dict[str, Any]:
        mediation = case["case_type"] == "mediation"
        return {
            **case,
            **triage,
            "track": "A" if mediation else None,
            "mediation_reason": "separation" if mediation else None,
            "children_ages": [9],
            "children_at_home": 1,
        }

    seen, mediation, waiting = case("clinical", 0.05), case("mediation", 0.2), case("clinical", 0.6)
    events: list[tuple[str, dict[str, Any], str]] = [
        (
            "office.registered",
            {
                **office_facts,
                "name": "Familievernkontor",
                "ownership": "state",
                "therapist_hours_per_week": 300,
            },
            moment(0.01),
        ),
        ("case.opened", opened(seen), moment(0.05)),
        ("appointment.outcome_recorded", outcome(seen, 0.08, "no_show", False), moment(0.08)),
        ("appointment.outcome_recorded", outcome(seen, 0.10, "attended", True), moment(0.10)),
        ("case.opened", opened(mediation), moment(0.2)),
        ("appointment.outcome_recorded", outcome(mediation, 0.3, "attended", True), moment(0.3)),
        (
            "case.closed",
            {
                **mediation,
                "closed_at": moment(0.4),
                "track": "C",
                "violence_registered": True,
                "agreement_reached": True,
                "child_heard": "heard",
                "concern_report_sent": False,
                "has_child_over_7": True,
            },
            moment(0.4),
        ),
        (
            "case.reopened",
            {
                **mediation,
                "referral_received_at": moment(0.5),
                "reopened_at": moment(0.5),
                "episode": 2,
            },
            moment(0.5),
        ),
        ("case.opened", opened(waiting), moment(0.6)),
        (
            "appointment.outcome_recorded",
            outcome(waiting, 0.7, "rescheduled_by_client", False),
            moment(0.7),
        ),
    ]
    stream = StreamSpec.of_service("family_counselling").namespaced(
        platform.settings.nats_namespace
    )
    await platform.messaging.ensure_stream(stream)
    js = await platform.messaging.jetstream()
    for type_, data, time in events:
        event = CloudEvent(
            id=uuid.uuid4(),
            source="/family_counselling",
            type=f"family_counselling.{type_}.v1",
            subject=data.get("case_id") or data["office_id"],
            time=datetime.fromisoformat(time),
            data=data,
        )
        await js.publish(
            stream.subject(event.type), event.to_json(), headers={"Nats-Msg-Id": str(event.id)}
        )
    return len(events)


async def every_kpi(gateway, headers) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    year = datetime.now(OSLO).year
    for kpi_id, definition in CATALOGUE.items():
        for params in (
            {"period": str(year)},
            {"period": str(year), "region": "vest", "breakdown": definition.dimensions[0]},
        ):
            response = await gateway.get(f"/v1/kpis/{kpi_id}", params=params, headers=headers)
            assert response.status_code == 200, response.text
            answers[f"{kpi_id} {params}"] = response.json()
    return answers


async def test_a_rebuild_gives_every_kpi_as_it_was(environment, auth):
    headers = auth("national-admin")
    capacity_app = build_app(CAPACITY, await environment.settings_env(CAPACITY))
    foster_care_app = build_app(FOSTER_CARE, await environment.settings_env(FOSTER_CARE))
    gateway_app = build_app(GATEWAY, await environment.settings_env(GATEWAY))
    gateway_db = await environment.database(GATEWAY)
    foster_care_db = await environment.database(FOSTER_CARE)
    async with (
        running(capacity_app) as capacity,
        running(foster_care_app) as foster_care,
        running(gateway_app) as gateway,
    ):
        events = await fill_capacity(capacity, headers)
        await fill_foster_care(foster_care, headers)
        family_counselling_events = await fill_family_counselling(gateway_app.state.platform)
        written = await fetch(foster_care_db, "SELECT count(*) AS n FROM outbox")
        foster_care_events = written[0]["n"]

        async def all_applied() -> None:
            rows = await fetch(gateway_db, "SELECT count(*) AS n FROM inbox")
            assert rows[0]["n"] >= events + foster_care_events + family_counselling_events

        await eventually(all_applied)
        before = await every_kpi(gateway, headers)
        year = datetime.now(OSLO).year
        assert before[f"cap.new_stays {{'period': '{year}'}}"]["value"] == 12
        assert before[f"fc.requests {{'period': '{year}'}}"]["value"] == 4
        assert before[f"fc.recruitment_funnel {{'period': '{year}'}}"]["inquiry"] == 2
        assert before[f"fv.cases_opened {{'period': '{year}'}}"]["value"] == 3
        assert before[f"fv.waiting_days {{'period': '{year}'}}"]["n"] == 4  # two episodes
        assert before[f"fv.violence_high_conflict {{'period': '{year}'}}"]["value"] == 1

        # Read models gone wrong: the rebuild must bring them back from the streams alone.
        await fetch(gateway_db, "DELETE FROM capacity_stay_discharge")
        await fetch(gateway_db, "DELETE FROM foster_care_placement")
        await fetch(gateway_db, "DELETE FROM family_counselling_closure")
        assert await every_kpi(gateway, headers) != before

        replayed = await rebuild(gateway_app.state.platform)
        assert [r.events for r in replayed] == [
            events,
            foster_care_events,
            family_counselling_events,
        ]
        after = await every_kpi(gateway, headers)
        for key, answer in before.items():
            assert after[key] == answer, key


async def test_read_models_another_version_built_are_rebuilt_at_start(environment, auth):
    """After an upgrade whose handlers write other facts, the gateway rebuilds the read
    models at start, and only then: a fresh database is simply marked as built."""
    headers = auth("national-admin")
    built = {projection.durable: projection.version for projection in PROJECTIONS}
    capacity_app = build_app(CAPACITY, await environment.settings_env(CAPACITY))
    gateway_env = await environment.settings_env(GATEWAY)
    gateway_db = gateway_env["DATABASE_URL"]
    async with running(capacity_app) as capacity, running(build_app(GATEWAY, gateway_env)) as gw:
        earlier = (await fetch(gateway_db, "SELECT count(*) AS n FROM inbox"))[0]["n"]
        events = await fill_capacity(capacity, headers)

        async def all_applied() -> None:
            rows = await fetch(gateway_db, "SELECT count(*) AS n FROM inbox")
            assert rows[0]["n"] >= earlier + events
            assert await versions(gateway_db) == built

        await eventually(all_applied)
        before = await every_kpi(gw, headers)
    # As an older gateway would have left capacity's: built by version 1, in tables it did
    # not have.
    await fetch(
        gateway_db,
        "UPDATE read_model_version SET version = 1 WHERE consumer = 'reporting_gateway-capacity'",
    )
    await fetch(gateway_db, "DELETE FROM capacity_stay")
    async with running(build_app(GATEWAY, gateway_env)) as gateway:

        async def rebuilt() -> None:
            assert await versions(gateway_db) == built

        await eventually(rebuilt)
        assert await every_kpi(gateway, headers) == before


async def versions(database: str) -> dict[str, int]:
    rows = await fetch(database, "SELECT consumer, version FROM read_model_version")
    return {row["consumer"]: row["version"] for row in rows}
