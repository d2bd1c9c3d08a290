"""Fixtures of the gateway's tests, and the scenarios they build: capacity's and
family_counselling's events, written by hand with the times they were recorded, applied to
the gateway's read models as its consumer applies them; and foster_care started beside the
gateway and driven over its HTTP API, its events reaching the gateway through NATS as in
production: what the KPI scenario tests count."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from common.events import CloudEvent
from common.platform import Platform
from common.projection import Projection
from devstack.services import FOSTER_CARE, GATEWAY
from devstack.testing import eventually, fetch
from reporting_gateway.projections import capacity, family_counselling, foster_care

OSLO = ZoneInfo("Europe/Oslo")


def at(text: str) -> datetime:
    """An Oslo wall-clock time, `2023-03-01 10:00`."""
    return datetime.fromisoformat(text).replace(tzinfo=OSLO)


class Scenario:
    """capacity's events, by hand."""

    at = staticmethod(at)
    service = "capacity"
    projection: Projection = capacity.projection

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.sequence = 0

    async def publish(self, type_: str, data: dict[str, Any], recorded_at: datetime) -> None:
        self.sequence += 1
        event = CloudEvent(
            id=uuid.uuid4(),
            source=f"/{self.service}",
            type=f"{self.service}.{type_}.v1",
            subject=str(uuid.uuid4()),
            time=recorded_at,
            data=_json(data),
        )
        async with self.platform.unit_of_work() as uow:
            await self.projection.apply(uow, event, self.sequence)
            await uow.commit()

    async def institution(
        self,
        region: str,
        *,
        ownership: str = "state",
        municipality_number: str = "4601",
        recorded_at: datetime | None = None,
    ) -> dict[str, Any]:
        institution = {
            "institution_id": uuid.uuid4(),
            "name": "Institusjon",
            "region": region,
            "municipality_number": municipality_number,
            "ownership": ownership,
            "functions": ["acute", "care"],
        }
        await self.publish(
            "institution.registered", institution, recorded_at or at("2020-01-01 08:00")
        )
        return institution

    async def contract(
        self,
        institution: dict[str, Any],
        *,
        function: str,
        contract_type: str,
        places: int,
        valid_from: date,
        valid_to: date | None = None,
        contract_id: uuid.UUID | None = None,
        recorded_at: datetime | None = None,
    ) -> uuid.UUID:
        contract_id = contract_id or uuid.uuid4()
        await self.publish(
            "place_contract.changed",
            {
                "contract_id": contract_id,
                "change": "created",
                "institution_id": institution["institution_id"],
                "region": institution["region"],
                "ownership": institution["ownership"],
                "function": function,
                "contract_type": contract_type,
                "budgeted_places": places,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "day_price_nok": "15200.00",
            },
            recorded_at or at("2020-01-01 09:00"),
        )
        return contract_id

    async def stay(
        self,
        institution: dict[str, Any],
        admitted_on: date,
        *,
        function: str = "acute",
        contract_type: str = "state",
        child_key: str | None = None,
        age_years: int = 15,
        municipality_number: str = "4601",
        lives_alone: bool = False,
        day_price_nok: str = "15200.00",
        discharged_on: date | None = None,
        end_reason: str = "planned",
        recorded_at: datetime | None = None,
    ) -> dict[str, Any]:
        stay = {
            "stay_id": uuid.uuid4(),
            "institution_id": institution["institution_id"],
            "region": institution["region"],
            "municipality_number": municipality_number,
            "placement_request_id": None,
            "child_key": child_key or uuid.uuid4().hex,
            "age_years": age_years,
            "function": function,
            "contract_type": contract_type,
            "ownership": institution["ownership"],
            "admitted_at": at(f"{admitted_on} 12:00"),
            "admitted_on": admitted_on,
            "lives_alone": lives_alone,
            "day_price_nok": day_price_nok,
        }
        await self.publish("stay.admitted", stay, recorded_at or at(f"{admitted_on} 12:05"))
        if discharged_on is not None:
            await self.discharge(stay, discharged_on, end_reason=end_reason)
        return stay

    async def discharge(
        self,
        stay: dict[str, Any],
        discharged_on: date,
        *,
        end_reason: str = "planned",
        recorded_at: datetime | None = None,
    ) -> None:
        await self.publish(
            "stay.discharged",
            {
                **{k: stay[k] for k in ("stay_id", "institution_id", "region")},
                **{k: stay[k] for k in ("municipality_number", "child_key", "function")},
                **{k: stay[k] for k in ("contract_type", "ownership", "admitted_on")},
                "discharged_at": at(f"{discharged_on} 10:00"),
                "discharged_on": discharged_on,
                "days": max((discharged_on - stay["admitted_on"]).days, 1),
                "end_reason": end_reason,
            },
            recorded_at or at(f"{discharged_on} 10:05"),
        )

    async def single_child_decision(
        self,
        stay: dict[str, Any],
        *,
        decided_on: date,
        valid_until: date,
        next_review_on: date,
        decision_id: uuid.UUID | None = None,
        reviewed_on: date | None = None,
        recorded_at: datetime | None = None,
    ) -> uuid.UUID:
        decision_id = decision_id or uuid.uuid4()
        kind = "reviewed" if reviewed_on else "recorded"
        await self.publish(
            f"single_child_decision.{kind}",
            {
                "decision_id": decision_id,
                "stay_id": stay["stay_id"],
                "region": stay["region"],
                "child_key": stay["child_key"],
                "decided_on": decided_on,
                "valid_until": valid_until,
                "next_review_on": next_review_on,
                "reviewed_on": reviewed_on,
            },
            recorded_at or at(f"{reviewed_on or decided_on} 12:00"),
        )
        return decision_id

    async def placement_request(
        self,
        region: str,
        need_concluded_at: datetime,
        deadline_at: datetime | None,
        *,
        urgency: str = "acute",
        child_key: str | None = None,
        municipality_number: str = "1804",
        recorded_at: datetime | None = None,
    ) -> uuid.UUID:
        request_id = uuid.uuid4()
        await self.publish(
            "placement_request.received",
            {
                "placement_request_id": request_id,
                "region": region,
                "municipality_number": municipality_number,
                "urgency": urgency,
                "function": "acute" if urgency == "acute" else "care",
                "child_key": child_key or uuid.uuid4().hex,
                "age_years": 15 if deadline_at else 20,
                "need_concluded_at": need_concluded_at,
                "desired_start_date": need_concluded_at.astimezone(OSLO).date(),
                "deadline_at": deadline_at,
                "duty_to_assist": deadline_at is not None,
                "child_views_recorded": True,
            },
            recorded_at or need_concluded_at,
        )
        return request_id

    def _request(self, request_id: uuid.UUID, region: str) -> dict[str, Any]:
        return {
            "placement_request_id": request_id,
            "region": region,
            "municipality_number": "1804",
            "urgency": "acute",
            "function": "acute",
        }

    async def offer(
        self, request_id: uuid.UUID, region: str, offered_at: datetime, recorded_at: datetime
    ) -> None:
        await self.publish(
            "placement_request.offered",
            {
                **self._request(request_id, region),
                "offer_id": uuid.uuid4(),
                "institution_id": uuid.uuid4(),
                "institution_region": region,
                "contract_type": "state",
                "ownership": "state",
                "rung": 1,
                "best_available_rung": 1,
                "justified": False,
                "need_concluded_at": offered_at,
                "offered_at": offered_at,
                "within_deadline": True,
            },
            recorded_at,
        )

    async def confirm_breach(
        self, request_id: uuid.UUID, region: str, confirmed_at: datetime
    ) -> None:
        await self.publish(
            "placement_request.breach_confirmed",
            {
                **self._request(request_id, region),
                "child_key": "x",
                "source": "county_governor",
                "confirmed_at": confirmed_at,
            },
            confirmed_at,
        )

    async def close(self, request_id: uuid.UUID, region: str, closed_at: datetime) -> None:
        await self.publish(
            "placement_request.closed",
            {**self._request(request_id, region), "closed_at": closed_at},
            closed_at,
        )


class FamilyCounselling(Scenario):
    """family_counselling's events, by hand, with the data its event models state. Times are
    Oslo wall-clock texts (`2024-03-30 23:30`); each event is recorded five minutes after
    what it tells, unless `recorded_at` says otherwise."""

    service = "family_counselling"
    projection = family_counselling.projection

    async def tell(
        self, type_: str, data: dict[str, Any], when: datetime, recorded_at: str | None
    ) -> None:
        recorded = at(recorded_at) if recorded_at else when + timedelta(minutes=5)
        await self.publish(type_, data, recorded)

    async def office(
        self, region: str, municipality_number: str, *, ownership: str = "state"
    ) -> dict[str, Any]:
        office = {
            "office_id": uuid.uuid4(),
            "name": "Familievernkontor",
            "region": region,
            "municipality_number": municipality_number,
            "ownership": ownership,
            "therapist_hours_per_week": 300,
        }
        await self.publish("office.registered", office, at("2020-01-01 08:00"))
        return office

    async def case(
        self,
        office: dict[str, Any],
        case_type: str,
        referral: str,
        *,
        children_ages: list[int] | None = None,
        recorded_at: str | None = None,
    ) -> dict[str, Any]:
        """A case opened on a referral received at `referral`; the case's facts as its later
        events carry them (with its current episode's referral)."""
        case = {
            "case_id": uuid.uuid4(),
            "office_id": office["office_id"],
            "region": office["region"],
            "municipality_number": office["municipality_number"],
            "case_type": case_type,
            "referral_received_at": at(referral),
            "episode": 1,
        }
        mediation = case_type == "mediation"
        ages = [10] if children_ages is None else children_ages
        await self.tell(
            "case.opened",
            {
                **{k: v for k, v in case.items() if k != "episode"},
                "track": "A" if mediation else None,
                "violence_between_adults": False,
                "violence_towards_children": False,
                "separate_mediation": False,
                "one_parent_absent": False,
                "mediation_reason": "separation" if mediation else None,
                "children_ages": ages,
                "children_at_home": len(ages),
            },
            at(referral),
            recorded_at,
        )
        return case

    async def outcome(
        self,
        case: dict[str, Any],
        scheduled: str,
        outcome: str,
        *,
        first_attended: bool = False,
        recorded_at: str | None = None,
    ) -> None:
        """An appointment of the case's current episode at `scheduled`, and its outcome."""
        facts = {k: case[k] for k in ("case_id", "office_id", "region", "case_type")}
        appointment = {
            "appointment_id": uuid.uuid4(),
            **facts,
            "kind": "mediation" if case["case_type"] == "mediation" else "therapy",
            "scheduled_at": at(scheduled),
        }
        await self.tell(
            "appointment.scheduled",
            {**appointment, "slot_id": None},
            case["referral_received_at"],
            None,
        )
        happened = at(scheduled) + timedelta(hours=1)
        await self.tell(
            "appointment.outcome_recorded",
            {
                **appointment,
                "outcome": outcome,
                "recorded_at": happened,
                "referral_received_at": case["referral_received_at"],
                "first_attended": first_attended,
            },
            happened,
            recorded_at,
        )

    async def close(
        self,
        case: dict[str, Any],
        closed: str,
        *,
        track: str | None = None,
        violence: bool = False,
        agreement: bool | None = None,
        child_heard: str | None = None,
        recorded_at: str | None = None,
    ) -> None:
        """Closed at `closed`: a mediation with its final track, agreement and child heard
        (`heard`, `not_heard` or `not_applicable`: no child over 7)."""
        mediation = case["case_type"] == "mediation"
        heard = child_heard if mediation else None
        await self.tell(
            "case.closed",
            {
                **{k: v for k, v in case.items() if k != "episode"},
                "closed_at": at(closed),
                "track": track,
                "violence_registered": violence,
                "agreement_reached": agreement if mediation else None,
                "child_heard": heard,
                "concern_report_sent": False,
                "has_child_over_7": heard in ("heard", "not_heard"),
            },
            at(closed),
            recorded_at,
        )

    async def reopen(self, case: dict[str, Any], referral: str) -> dict[str, Any]:
        """Reopened on a new referral at `referral`: the case's next episode."""
        case = {**case, "referral_received_at": at(referral), "episode": case["episode"] + 1}
        await self.tell(
            "case.reopened",
            {**case, "reopened_at": at(referral)},
            at(referral),
            None,
        )
        return case


class FosterCare:
    """foster_care as its users drive it over HTTP (a municipality's requests, Bufetat's
    foster homes, proposals and placements), with past dates as they happened; `settled()`
    waits until the gateway has applied every event foster_care published."""

    def __init__(
        self, client: httpx.AsyncClient, headers: dict[str, str], source_db: str, gateway_db: str
    ) -> None:
        self.client = client
        self.headers = headers
        self.source_db = source_db
        self.gateway_db = gateway_db

    def child_key(self, municipality_number: str, child_ref: str) -> str:
        """The key foster_care's events carry for the child (capacity's, for the same child)."""
        vault = self.client.app.state.vault
        return str(vault.child_key(municipality_number, child_ref))

    async def post(self, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        response = await self.client.post(path, json=_json(body), headers=self.headers)
        assert response.status_code == status, (path, response.text)
        answer: dict[str, Any] = response.json()
        return answer

    async def home(
        self,
        municipality_number: str,
        stages: list[tuple[str, str]],
        *,
        inquiry_at: str,
        kind: str = "ordinary",
        recruitment_source: str = "campaign",
        kinship_request_id: uuid.UUID | None = None,
        programme: str = "SOLID",
        reason: str = "family_withdrew",
        places: int = 10,
    ) -> uuid.UUID:
        """A home registered at `inquiry_at` (Oslo time) and moved through `stages`, each
        (stage, Oslo time)."""
        home = await self.post(
            "/v1/foster-homes",
            {
                "municipality_number": municipality_number,
                "kind": kind,
                "recruitment_source": recruitment_source,
                "inquiry_at": at(inquiry_at),
                "kinship_request_id": kinship_request_id,
            },
        )
        home_id = uuid.UUID(home["id"])
        for stage, when in stages:
            body: dict[str, Any] = {"to": stage, "at": at(when)}
            if stage == "training":
                body["training_programme"] = programme
            if stage == "withdrawn":
                body["reason"] = reason
            if stage == "approved":
                body["places"] = places
            await self.post(f"/v1/foster-homes/{home_id}/transitions", body, status=200)
        return home_id

    async def approved_home(
        self, municipality_number: str, year: int = 2019, **options: Any
    ) -> uuid.UUID:
        """A home recruited from January to June of `year`, approved with ten places."""
        stages = [
            ("information_meeting", f"{year}-02-01 18:00"),
            ("pre_assessment", f"{year}-02-15 10:00"),
            ("training", f"{year}-03-01 09:00"),
            ("training_completed", f"{year}-04-01 15:00"),
            ("home_study", f"{year}-04-15 10:00"),
            ("approved", f"{year}-06-01 10:00"),
        ]
        return await self.home(
            municipality_number, stages, inquiry_at=f"{year}-01-10 12:00", **options
        )

    async def request(
        self,
        municipality_number: str,
        child_ref: str,
        desired_start_date: str,
        requested_at: str,
        *,
        birth_date: str = "2011-01-01",
    ) -> uuid.UUID:
        """A child's request, waiting from the day after `desired_start_date`."""
        request = await self.post(
            "/v1/foster-home-requests",
            {
                "municipality_number": municipality_number,
                "child_ref": child_ref,
                "birth_date": birth_date,
                "desired_start_date": desired_start_date,
                "requested_at": at(requested_at),
                "needs": [],
                "child_wishes_recorded": True,
                "child_wishes_recorded_on": requested_at[:10],
                "kinship_assessed": True,
            },
        )
        return uuid.UUID(request["id"])

    async def place(
        self, request_id: uuid.UUID, home_id: uuid.UUID, start_date: str, *, kinship: bool = False
    ) -> uuid.UUID:
        """Propose the home on the start date (after talking with the child alone, for a
        kinship home), accept it and place the child."""
        base = f"/v1/foster-home-requests/{request_id}"
        if kinship:
            await self.post(
                f"{base}/child-conversations",
                {"held_on": start_date, "method": "in_person", "view_recorded": True},
            )
        proposal = await self.post(
            f"{base}/proposals",
            {"foster_home_id": home_id, "proposed_at": at(f"{start_date} 09:00")},
        )
        await self.post(
            f"{base}/proposals/{proposal['id']}/decision",
            {"decision": "accepted", "decided_at": at(f"{start_date} 10:00")},
            status=200,
        )
        placement = await self.post(
            "/v1/foster-placements",
            {"request_id": request_id, "foster_home_id": home_id, "start_date": start_date},
        )
        return uuid.UUID(placement["id"])

    async def end(self, placement_id: uuid.UUID, end_date: str, reason: str) -> None:
        await self.post(
            f"/v1/foster-placements/{placement_id}/end",
            {"end_date": end_date, "reason": reason},
            status=200,
        )

    async def withdraw(
        self, request_id: uuid.UUID, withdrawn_at: str, reason: str = "other_measure"
    ) -> None:
        await self.post(
            f"/v1/foster-home-requests/{request_id}/withdraw",
            {"withdrawn_at": at(withdrawn_at), "reason": reason},
            status=200,
        )

    async def conference(
        self,
        request_id: uuid.UUID,
        offered_on: str,
        *,
        held_on: str | None = None,
        aims_to_recruit_home: bool = True,
    ) -> uuid.UUID:
        conference = await self.post(
            f"/v1/foster-home-requests/{request_id}/family-group-conferences",
            {
                "offered_on": offered_on,
                "held_on": held_on,
                "aims_to_recruit_home": aims_to_recruit_home,
            },
        )
        return uuid.UUID(conference["id"])

    async def conference_held(
        self, request_id: uuid.UUID, conference_id: uuid.UUID, held_on: str
    ) -> None:
        path = f"/v1/foster-home-requests/{request_id}/family-group-conferences"
        await self.post(f"{path}/{conference_id}/held", {"held_on": held_on}, status=200)

    async def confirm_breach(self, request_id: uuid.UUID, source: str, confirmed_at: str) -> None:
        await self.post(
            f"/v1/foster-home-requests/{request_id}/breach-confirmations",
            {"source": source, "confirmed_at": at(confirmed_at)},
        )

    async def settled(self) -> None:
        """Every event foster_care has written is applied by the gateway (none dead)."""

        async def applied() -> None:
            written = await fetch(self.source_db, "SELECT count(*) AS n FROM outbox")
            counts = await fetch(
                self.gateway_db,
                "SELECT (SELECT count(*) FROM inbox WHERE consumer = $1) AS applied, "
                "(SELECT count(*) FROM dead_letter WHERE consumer = $1) AS dead",
                foster_care.projection.durable,
            )
            if counts[0]["dead"]:
                raise RuntimeError("the gateway dead-lettered a foster_care event")
            assert counts[0]["applied"] >= written[0]["n"]

        await eventually(applied, within=30)


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@pytest.fixture(scope="module")
async def gateway(start_service):
    return await start_service(GATEWAY)


@pytest.fixture(scope="module")
def scenario(gateway) -> Scenario:
    return Scenario(gateway.app.state.platform)


@pytest.fixture(scope="module")
def family_counselling_events(gateway) -> FamilyCounselling:
    return FamilyCounselling(gateway.app.state.platform)


@pytest.fixture(scope="module")
async def foster_care_service(start_service, environment, gateway, auth) -> FosterCare:
    """foster_care running beside the gateway (a module's tests that count its events)."""
    client = await start_service(FOSTER_CARE)
    return FosterCare(
        client,
        auth("national-admin"),
        await environment.database(FOSTER_CARE),
        await environment.database(GATEWAY),
    )


@pytest.fixture(scope="module")
def detail(auth) -> dict[str, str]:
    """A reader who may see small counts."""
    return auth("national-admin")


@pytest.fixture(scope="module")
def reader(auth) -> dict[str, str]:
    """A reader of published figures: small counts hidden."""
    return auth("national-admin", scope="reports.read")
