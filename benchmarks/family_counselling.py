"""`make bench` (`--only family_counselling`): family_counselling's intake, outcomes and an
office's work queue at national volume, beside a bare FastAPI endpoint of the same run.

Targets (issue 10): with about 50 000 cases and 200 000 appointments in the database,
opening a case, recording an appointment's outcome and an office's work queue, each beside
the bare endpoint: CPU per answer and p99 at half the saturating load, aiming at the work
queue's p99 <= 20 ms at half load. Results also go to bench-results/family_counselling.json.

The data is written straight into family_counselling's tables (migrated by Alembic; through
the API it would take many minutes) from a seed: the country's year 2024 as it stood at its
end. 42 offices over the five regions, state and church, each with its therapist hours and
its own waiting time; referrals over the working days of 2024 to the offices by their size,
about two thirds clinical, a third mediations (most mandatory before a separation, some
before a court case, some voluntary), a few supervised contact and court cases; the children
by age and whether they live at home; the triage: a conflict track for most mediations,
violence flags more often the higher the conflict, separate mediation, a parent absent; the
priority from `cases.service.priority_of` itself. Each case waits by its office and its
priority, then has its sessions (an intake, therapy, mediation sessions, a child's
conversation, supervised contact), each appointment attended (about 83 %), rescheduled by
the client (about 15 %), a no-show or rescheduled by the office; then it is closed with its
close fields (a mediation with its final track, agreement and whether a child over 7 was
heard), a few reopened on a new referral and waiting again. At the year's end the cases
whose first session lies ahead still wait (a few hundred in each office's work queue, some
with a first appointment booked), the cases in a course of sessions have their next
sessions booked (the outcomes measured are recorded on those, each once), and a mediation
certificate was issued for most mandatory mediations with an attended session. It keeps the
service's rules: `first_attended_at` is the earliest attended session of the current
referral, `first_mediation_on` the day of the earliest attended mediation session; a track
only on mediations; close fields as closing sets them; the version counts every change.

Measured (the national token; family_counselling under the platform's entrypoint, one
worker): `POST /v1/cases` (a new mediation case at an office taken at random, every body
another), `POST /v1/appointments/{id}/outcome` (on the booked appointments, each once: a
second outcome would be a 409, so only 200 counts as expected) and
`GET /v1/offices/{id}/work-queue?limit=50` (offices taken at random). Each runs closed loop in
interleaved rounds with the bare `GET /ping` (the median kept), then open loop at half its
throughput (rounds again, the round of the median p99 kept), the server's and PostgreSQL's
CPU per answer beside it (benchmarks/service_part.py). `--explain` also prints EXPLAIN
ANALYZE of the work queue's statement on the seeded data.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any, cast
from uuid import UUID, uuid4

import httpx
import orjson

from benchmarks.__main__ import Endpoint
from benchmarks.gateway import WARMUP_SECONDS
from benchmarks.load import request_bytes
from benchmarks.service_part import Part, Row, count_pages, explain_plans, report, seed_tables
from common import clock
from common.clock import OSLO
from common.db import DIALECT
from common.municipalities import MUNICIPALITIES
from common.reference import Region, region_of_municipality
from common.uow import UnitOfWork
from devstack.services import FAMILY_COUNSELLING
from family_counselling.cases.models import Case
from family_counselling.cases.repository import CaseRepository
from family_counselling.cases.service import HEARD_FROM_AGE, priority_of
from family_counselling.certificates.service import VALID_MONTHS, add_months, new_number
from family_counselling.codes import (
    MANDATORY_MEDIATION,
    AppointmentKind,
    CaseStatus,
    CaseType,
    ChildHeard,
    MediationReason,
    OfficeOwnership,
    Outcome,
    Track,
)

P99_MS = 20.0  # the work queue's aim at half load
SEED = 10
YEAR = 2024
END = datetime(YEAR + 1, 1, 1, tzinfo=OSLO)  # the data as it stood at the year's end
QUEUE_PAGE = 50
# The most answers a second either write could give: the booked appointments seeded are
# enough for the outcome at this rate through every round (closed loop and at half load).
MOST_WRITES_PER_SECOND = 1_200

OFFICES = {Region.ost: 16, Region.sor: 5, Region.vest: 9, Region.midt: 6, Region.nord: 6}
CHURCH_SHARE = 0.35
CASE_TYPES = {
    CaseType.clinical: 0.655,
    CaseType.mediation: 0.325,
    CaseType.supervised_contact: 0.012,
    CaseType.court_case: 0.008,
}
MEDIATION_REASONS = {
    MediationReason.separation: 0.78,
    MediationReason.court: 0.09,
    MediationReason.voluntary: 0.13,
}
TRACKS = {Track.A: 0.50, Track.B: 0.30, Track.C: 0.15, Track.C_HIGH: 0.05}
ORDER = list(TRACKS)
# Violence (between the adults, towards the children) by the case's type or a mediation's
# track: more often the higher the conflict.
VIOLENCE: dict[Any, tuple[float, float]] = {
    CaseType.clinical: (0.06, 0.02),
    CaseType.supervised_contact: (0.25, 0.15),
    CaseType.court_case: (0.15, 0.08),
    None: (0.05, 0.015),  # a mediation not yet triaged
    Track.A: (0.02, 0.005),
    Track.B: (0.06, 0.02),
    Track.C: (0.15, 0.05),
    Track.C_HIGH: (0.30, 0.12),
}
AGREEMENT = {Track.A: 0.70, Track.B: 0.55, Track.C: 0.35, Track.C_HIGH: 0.20}
ATTENDED = 0.84
NOT_ATTENDED = {
    Outcome.rescheduled_by_client: 0.915,
    Outcome.no_show: 0.07,
    Outcome.rescheduled_by_office: 0.015,
}
DROPOUT = 0.03  # closed without ever attending
REOPENED = 0.025  # of the cases closed early enough in the year
# Referrals by month: fewer in the summer holidays and at Christmas.
MONTH_WEIGHT = (1.2, 1.1, 1.1, 1.0, 1.0, 0.9, 0.5, 0.9, 1.1, 1.1, 1.1, 0.8)


# the data ---------------------------------------------------------------------------------


@dataclass
class Office:
    id: UUID
    name: str
    region: Region
    municipality_number: str
    ownership: OfficeOwnership
    therapist_hours_per_week: int
    mean_wait_days: float

    def row(self) -> Row:
        return {
            "id": self.id,
            "name": self.name,
            "region": str(self.region),
            "municipality_number": self.municipality_number,
            "ownership": str(self.ownership),
            "therapist_hours_per_week": self.therapist_hours_per_week,
            "version": 1,
            "created_at": datetime(2019, 1, 2, 9, tzinfo=OSLO),
        }


@dataclass
class Intake:
    """A case as an office opens it: the family's children and the triage."""

    case_type: CaseType
    mediation_reason: MediationReason | None
    children: list[dict[str, Any]]
    track: Track | None
    violence_between_adults: bool
    violence_towards_children: bool
    separate_mediation: bool
    one_parent_absent: bool

    def body(self, office_id: UUID, referral_received_at: datetime) -> bytes:
        """The case's `POST /v1/cases` body."""
        return orjson.dumps(
            {
                "office_id": str(office_id),
                "referral_received_at": referral_received_at.isoformat(),
                **{name: value for name, value in vars(self).items() if value is not None},
            }
        )


@dataclass
class CaseFile:
    """A case and what happened to it, as the service records it."""

    id: UUID
    office: Office
    intake: Intake
    referral_received_at: datetime
    created_at: datetime
    open_since: datetime  # opened, or reopened: appointments are made while it is open
    track: Track | None
    status: CaseStatus = CaseStatus.open
    first_attended_at: datetime | None = None
    first_mediation_on: date | None = None
    closed_at: datetime | None = None
    violence_registered: bool | None = None
    agreement_reached: bool | None = None
    child_heard: ChildHeard | None = None
    concern_report_sent: bool | None = None
    episode: int = 1
    version: int = 1
    updated_at: datetime | None = None
    attended_kinds: set[AppointmentKind] = field(default_factory=set)

    @property
    def mediation(self) -> bool:
        return self.intake.case_type is CaseType.mediation

    def changed(self, at: datetime) -> None:
        self.version += 1
        self.updated_at = max(self.updated_at or at, at)

    def priority(self) -> tuple[int, int]:
        """The service's own rule, on the case as it is now (the final track of a closed
        mediation: closing derives the priority again)."""
        return priority_of(
            Case(
                children=self.intake.children,
                mediation_reason=self.intake.mediation_reason,
                track=self.track,
                violence_between_adults=self.intake.violence_between_adults,
                violence_towards_children=self.intake.violence_towards_children,
            )
        )

    def waiting(self) -> bool:
        return self.status is CaseStatus.open and self.first_attended_at is None

    def row(self) -> Row:
        intake, (group, severity) = self.intake, self.priority()
        return {
            "id": self.id,
            "office_id": self.office.id,
            "region": str(self.office.region),
            "municipality_number": self.office.municipality_number,
            "case_type": str(intake.case_type),
            "mediation_reason": _text(intake.mediation_reason),
            "children": orjson.dumps(intake.children).decode(),
            "referral_received_at": self.referral_received_at,
            "track": _text(self.track),
            "violence_between_adults": intake.violence_between_adults,
            "violence_towards_children": intake.violence_towards_children,
            "separate_mediation": intake.separate_mediation,
            "one_parent_absent": intake.one_parent_absent,
            "priority_group": group,
            "severity": severity,
            "status": str(self.status),
            "first_attended_at": self.first_attended_at,
            "first_mediation_on": self.first_mediation_on,
            "closed_at": self.closed_at,
            "violence_registered": self.violence_registered,
            "agreement_reached": self.agreement_reached,
            "child_heard": _text(self.child_heard),
            "concern_report_sent": self.concern_report_sent,
            "episode": self.episode,
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at or self.created_at,
        }


def _text(code: Any) -> str | None:
    return str(code) if code is not None else None


@dataclass(frozen=True)
class Booked:
    """An appointment as a measured outcome needs it (those booked ahead of a case in a
    course of sessions, their outcome not recorded yet, are the outcomes measured)."""

    id: UUID
    scheduled_at: datetime
    created_at: datetime


@dataclass
class Data:
    offices: list[Office]
    cases: list[CaseFile] = field(default_factory=list)
    appointments: list[Row] = field(default_factory=list)
    certificates: list[Row] = field(default_factory=list)
    booked: list[Booked] = field(default_factory=list)

    def tables(self) -> dict[str, list[Row]]:
        return {
            "office": [office.row() for office in self.offices],
            "counselling_case": [case.row() for case in self.cases],
            "appointment": self.appointments,
            "mediation_certificate": self.certificates,
        }

    def queues(self) -> dict[UUID, int]:
        """Each office's work queue: its open cases waiting for their first session."""
        sizes = dict.fromkeys((office.id for office in self.offices), 0)
        for case in self.cases:
            if case.waiting():
                sizes[case.office.id] += 1
        return sizes

    def counts(self) -> dict[str, Any]:
        queues = sorted(self.queues().values())
        outcomes = Counter(row["outcome"] or "none yet" for row in self.appointments)
        recorded = sum(n for outcome, n in outcomes.items() if outcome != "none yet")
        return {
            "offices": len(self.offices),
            "offices_by_region": dict(Counter(str(o.region) for o in self.offices)),
            "church_offices": sum(o.ownership is OfficeOwnership.church for o in self.offices),
            "cases": len(self.cases),
            "cases_by_type": dict(Counter(str(c.intake.case_type) for c in self.cases)),
            "mediations_by_reason": dict(
                Counter(str(c.intake.mediation_reason) for c in self.cases if c.mediation)
            ),
            "cases_closed": sum(c.status is CaseStatus.closed for c in self.cases),
            "cases_waiting": sum(c.waiting() for c in self.cases),
            "cases_in_sessions": sum(
                c.status is CaseStatus.open and c.first_attended_at is not None for c in self.cases
            ),
            "cases_reopened": sum(c.episode > 1 for c in self.cases),
            "cases_with_violence": sum(
                c.intake.violence_between_adults or c.intake.violence_towards_children
                for c in self.cases
            ),
            "work_queue_per_office": {
                "min": queues[0],
                "median": statistics.median(queues),
                "max": queues[-1],
            },
            "appointments": len(self.appointments),
            "appointments_by_outcome": dict(sorted(outcomes.items())),
            "outcome_shares": {
                outcome: round(n / recorded, 3)
                for outcome, n in sorted(outcomes.items())
                if outcome != "none yet"
            },
            "appointments_booked_for_the_outcomes_measured": len(self.booked),
            "certificates": len(self.certificates),
        }


class Maker:
    """Makes up the data from a seed (the same seed, the same data but for the ids)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        days = [date(YEAR, 1, 1) + timedelta(days=n) for n in range(366 if YEAR % 4 == 0 else 365)]
        self.days = [day for day in days if day.weekday() < 5]
        self.day_weights = list(
            itertools.accumulate(MONTH_WEIGHT[day.month - 1] for day in self.days)
        )

    def pick(self, shares: dict[Any, float]) -> Any:
        return self.rng.choices(list(shares), weights=list(shares.values()))[0]

    def at(self, day: date, hour: int | None = None) -> datetime:
        """An instant in Oslo office hours on `day`, or the working day after."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        hour = self.rng.randint(8, 15) if hour is None else hour
        minute = self.rng.choice((0, 15, 30, 45))
        return datetime.combine(day, clock_time(hour, minute), tzinfo=OSLO)

    def later(self, instant: datetime, first: int, last: int) -> datetime:
        """An instant in office hours `first` to `last` days after `instant`."""
        return self.at(clock.oslo_date(instant) + timedelta(days=self.rng.randint(first, last)))

    # offices ------------------------------------------------------------------------------

    def offices(self) -> list[Office]:
        rng, offices = self.rng, []
        by_region: dict[Region, list[str]] = {}
        for number in sorted(MUNICIPALITIES):
            by_region.setdefault(region_of_municipality(number), []).append(number)
        for region, count in OFFICES.items():
            for number in rng.sample(by_region[region], count):
                church = rng.random() < CHURCH_SHARE
                offices.append(
                    Office(
                        id=uuid4(),
                        name=f"{'Kirkens familievern' if church else 'Familievernkontoret'} "
                        f"i {MUNICIPALITIES[number]}",
                        region=region,
                        municipality_number=number,
                        ownership=OfficeOwnership.church if church else OfficeOwnership.state,
                        therapist_hours_per_week=rng.randrange(150, 525, 15),
                        mean_wait_days=rng.uniform(60, 125),
                    )
                )
        return offices

    # cases --------------------------------------------------------------------------------

    def intake(self, case_type: CaseType | None = None) -> Intake:
        """A family's children and the triage an office records when it opens the case."""
        rng = self.rng
        case_type = case_type or self.pick(CASE_TYPES)
        reason = self.pick(MEDIATION_REASONS) if case_type is CaseType.mediation else None
        track = None
        if case_type is CaseType.mediation and rng.random() < 0.92:
            track = self.pick(TRACKS)
        adults, children_hurt = VIOLENCE[track if case_type is CaseType.mediation else case_type]
        violence_between_adults = rng.random() < adults
        high = track in (Track.C, Track.C_HIGH)
        return Intake(
            case_type=case_type,
            mediation_reason=reason,
            children=self.children(case_type, reason),
            track=track,
            violence_between_adults=violence_between_adults,
            violence_towards_children=rng.random() < children_hurt,
            separate_mediation=case_type is CaseType.mediation
            and rng.random() < (0.6 if violence_between_adults else 0.2 if high else 0.03),
            one_parent_absent=case_type is CaseType.mediation and rng.random() < 0.05,
        )

    def children(self, case_type: CaseType, reason: MediationReason | None) -> list[dict[str, Any]]:
        """Ages in years and whether each lives at home: couples in therapy often have none
        at home; a mediation before a separation is about children under 16."""
        rng = self.rng
        if case_type is CaseType.clinical:
            count = rng.choices((0, 1, 2, 3, 4), weights=(28, 28, 28, 12, 4))[0]
            oldest = 22
        elif case_type is CaseType.mediation:
            count = rng.choices((1, 2, 3, 4), weights=(40, 40, 15, 5))[0]
            oldest = 15 if reason is MediationReason.separation else 17
        else:
            count, oldest = rng.randint(1, 3), 14
        children = []
        for _ in range(count):
            age = rng.randint(0, oldest)
            at_home = rng.random() < (0.96 if age < 18 else 0.25)
            children.append({"age": age, "lives_at_home": at_home})
        return children

    def case(self, office: Office) -> CaseFile:
        intake = self.intake()
        referral = self.at(self.rng.choices(self.days, cum_weights=self.day_weights)[0])
        registered = referral + timedelta(minutes=self.rng.randint(10, 2 * 24 * 60))
        created = min(registered, END - timedelta(minutes=10))  # by the year's end
        return CaseFile(
            id=uuid4(),
            office=office,
            intake=intake,
            referral_received_at=referral,
            created_at=created,
            open_since=created,
            track=intake.track,
        )

    def wait_days(self, case: CaseFile) -> float:
        """Days from the referral to the first session: the office's waiting time, shorter
        for the first priority group and the more severe, shortest for mediations."""
        group, severity = case.priority()
        mean = case.office.mean_wait_days * (0.75 if group == 1 else 1.5)
        mean *= 1 - 0.08 * min(severity, 5)
        if case.mediation:
            mean *= 0.5
        return 3 + min(400.0, self.rng.expovariate(1 / mean))

    def course(self, case: CaseFile) -> list[AppointmentKind]:
        """The sessions a case needs, the first one first."""
        rng, kinds = self.rng, AppointmentKind
        older = any(child["age"] >= HEARD_FROM_AGE for child in case.intake.children)
        match case.intake.case_type:
            case CaseType.mediation:
                more = rng.choices((0, 1, 2, 3), weights=(60, 25, 10, 5))[0]
                more += case.track in (Track.C, Track.C_HIGH)
                sessions = [kinds.mediation] * (1 + more)
                if older and rng.random() < 0.55:
                    sessions.insert(1, kinds.child_conversation)
            case CaseType.clinical:
                sessions = [kinds.intake] + [kinds.therapy] * min(18, int(rng.expovariate(1 / 6.5)))
                if case.intake.children and rng.random() < 0.12:
                    sessions.insert(min(2, len(sessions)), kinds.child_conversation)
            case CaseType.supervised_contact:
                sessions = [kinds.intake] + [kinds.supervised_contact] * rng.randint(3, 8)
            case _:
                sessions = [kinds.intake] + [kinds.therapy] * rng.randint(1, 3)
                if older and rng.random() < 0.7:
                    sessions.append(kinds.child_conversation)
        return sessions


class History:
    """What happened to each case through 2024, in the service's order: appointments while
    the case is open, one outcome each, the first attended session ending the wait, the
    close after the last session; a few reopened."""

    def __init__(self, maker: Maker, data: Data) -> None:
        self.maker, self.rng, self.data = maker, maker.rng, data
        # Cases in a course of sessions at the year's end: their last booked appointment.
        self.in_sessions: list[tuple[CaseFile, datetime, AppointmentKind]] = []

    def outcome(self) -> Outcome:
        if self.rng.random() < ATTENDED:
            return Outcome.attended
        return cast(Outcome, self.maker.pick(NOT_ATTENDED))

    def appointment(
        self, case: CaseFile, at: datetime, kind: AppointmentKind, outcome: Outcome | None
    ) -> Booked:
        """An appointment made a few days to two weeks ahead while the case was open (by the
        year's end), its outcome recorded once: after it for attended and no-show, before it
        for a rescheduling."""
        rng = self.rng
        made = min(
            at - timedelta(days=rng.randint(2, 14)), END - timedelta(hours=rng.randint(1, 96))
        )
        made = max(made, case.open_since + timedelta(minutes=10))
        recorded = None
        if outcome in (Outcome.attended, Outcome.no_show):
            recorded = at + timedelta(minutes=rng.randint(50, 48 * 60))
            recorded = recorded if recorded < END else at + timedelta(minutes=50)
        elif outcome is not None:
            recorded = max(made + timedelta(minutes=5), at - timedelta(hours=rng.randint(2, 72)))
        appointment = Booked(uuid4(), at, made)
        self.data.appointments.append(
            {
                "id": appointment.id,
                "case_id": case.id,
                "office_id": case.office.id,
                "slot_id": None,
                "scheduled_at": at,
                "kind": str(kind),
                "outcome": _text(outcome),
                "outcome_recorded_at": recorded,
                "version": 1 if outcome is None else 2,
                "created_at": made,
            }
        )
        if recorded is None:
            return appointment
        case.changed(recorded)
        if outcome is Outcome.attended:
            case.attended_kinds.add(kind)
            if at >= case.referral_received_at and (
                case.first_attended_at is None or at < case.first_attended_at
            ):
                case.first_attended_at = at
            day = clock.oslo_date(at)
            if kind is AppointmentKind.mediation and (
                case.first_mediation_on is None or day < case.first_mediation_on
            ):
                case.first_mediation_on = day
        return appointment

    def episode(self, case: CaseFile) -> None:
        """From the (current) referral: the wait, the sessions, the close; or still waiting
        or in sessions at the year's end."""
        rng, maker = self.rng, self.maker
        referral = case.referral_received_at
        if rng.random() < DROPOUT:
            closed = maker.later(referral, 7, 90)
            if closed < END:
                if rng.random() < 0.4:
                    at = maker.later(referral, 3, max(3, (closed - referral).days - 1))
                    self.appointment(case, min(at, closed), self.first_kind(case), self.missed())
                self.close(case, closed)
                return
        first = maker.at(clock.oslo_date(referral) + timedelta(days=maker.wait_days(case)))
        if first >= END:  # waits on: perhaps a session missed meanwhile, one booked ahead
            if rng.random() < 0.15:
                at = maker.later(referral, 3, max(3, (END - referral).days - 3))
                if at < END:
                    self.appointment(case, at, self.first_kind(case), self.missed())
            if first < END + timedelta(days=35) and rng.random() < 0.7:
                self.appointment(case, first, self.first_kind(case), None)
            return
        sessions, at, last = maker.course(case), first, first
        for index, kind in enumerate(sessions):
            for _ in range(3):
                if at >= END:
                    self.book_ahead(case, at, sessions[index:])
                    return
                outcome = self.outcome()
                self.appointment(case, at, kind, outcome)
                if outcome is Outcome.attended:
                    break
                at = maker.later(at, 5, 14)
            else:  # missed three times: the family gave up
                closed = maker.later(at, 10, 40)
                if closed < END:
                    self.close(case, closed)
                return
            last = at
            at = maker.later(at, *self.gap(case))
        closed = maker.later(last, 1, 21)
        if closed >= END:
            return  # the last session had, the case not closed yet
        self.close(case, closed)
        if rng.random() < REOPENED and closed < END - timedelta(days=45):
            referral = maker.later(closed, 14, min(180, (END - closed).days - 14))
            if referral < END - timedelta(days=7):
                self.reopen(case, referral)
                self.episode(case)

    def first_kind(self, case: CaseFile) -> AppointmentKind:
        return AppointmentKind.mediation if case.mediation else AppointmentKind.intake

    def missed(self) -> Outcome:
        return cast(Outcome, self.maker.pick(NOT_ATTENDED))

    def gap(self, case: CaseFile) -> tuple[int, int]:
        if case.intake.case_type is CaseType.supervised_contact:
            return 11, 17
        return (7, 28) if case.mediation else (7, 21)

    def book_ahead(self, case: CaseFile, at: datetime, sessions: list[AppointmentKind]) -> None:
        """The next one to three sessions booked (no outcome yet). A case still waiting for
        its first session is left out of the outcomes measured: attended, it would leave its
        office's work queue."""
        kinds = sessions[: self.rng.randint(1, 3)]
        for index, kind in enumerate(kinds):
            if index:
                at = self.maker.later(at, *self.gap(case))
            booked = self.appointment(case, at, kind, None)
            if case.first_attended_at is not None:
                self.data.booked.append(booked)
        if case.first_attended_at is not None:
            self.in_sessions.append((case, at, kinds[-1]))

    def book_more(self, needed: int) -> None:
        """More sessions booked ahead of cases in sessions, until `needed` are."""
        rng = self.rng
        while len(self.data.booked) < needed:
            index = rng.randrange(len(self.in_sessions))
            case, last, kind = self.in_sessions[index]
            at = self.maker.later(last, *self.gap(case))
            self.data.booked.append(self.appointment(case, at, kind, None))
            self.in_sessions[index] = (case, at, kind)

    def close(self, case: CaseFile, at: datetime) -> None:
        """Closed with the close fields: a mediation with its final track (the priority
        follows it), its agreement and whether a child over 7 was heard."""
        rng = self.rng
        case.status, case.closed_at = CaseStatus.closed, at
        intake = case.intake
        if case.mediation:
            track = case.track or self.maker.pick(TRACKS)
            if rng.random() < 0.2:  # the conflict turned out higher or lower
                step = rng.choice((-1, 1))
                track = ORDER[min(len(ORDER) - 1, max(0, ORDER.index(track) + step))]
            case.track = track
            case.agreement_reached = (
                case.first_mediation_on is not None and rng.random() < AGREEMENT[track]
            )
            if any(child["age"] >= HEARD_FROM_AGE for child in intake.children):
                heard = AppointmentKind.child_conversation in case.attended_kinds
                case.child_heard = ChildHeard.heard if heard else ChildHeard.not_heard
            else:
                case.child_heard = ChildHeard.not_applicable
        violence = intake.violence_between_adults or intake.violence_towards_children
        case.violence_registered = violence or rng.random() < 0.02
        case.concern_report_sent = (
            intake.violence_towards_children and rng.random() < 0.4
        ) or rng.random() < 0.01
        case.changed(at)

    def reopen(self, case: CaseFile, referral: datetime) -> None:
        """Reopened on a new referral: it waits again (its first mediation day stays)."""
        reopened = referral + timedelta(minutes=self.rng.randint(10, 24 * 60))
        case.status, case.referral_received_at, case.open_since = (
            CaseStatus.open,
            referral,
            reopened,
        )
        case.first_attended_at = case.closed_at = None
        case.violence_registered = case.agreement_reached = None
        case.child_heard, case.concern_report_sent = None, None
        case.episode += 1
        case.changed(reopened)

    def certificates(self) -> None:
        """A certificate for most mandatory mediations with an attended session, issued
        within days of the first (valid six months from it)."""
        rng = self.rng
        for case in self.data.cases:
            first = case.first_mediation_on
            if (
                first is None
                or case.intake.mediation_reason not in MANDATORY_MEDIATION
                or rng.random() > 0.85
            ):
                continue
            issued = min(first + timedelta(days=rng.randint(0, 10)), date(YEAR, 12, 31))
            self.data.certificates.append(
                {
                    "number": new_number(),
                    "case_id": case.id,
                    "issued_on": issued,
                    "first_mediation_on": first,
                    "valid_until": add_months(first, VALID_MONTHS),
                    "created_at": datetime.combine(issued, clock_time(14), tzinfo=OSLO),
                }
            )


def make_data(cases: int, booked: int, seed: int = SEED) -> Data:
    """`cases` cases over 2024 at 42 offices, with their appointments, and at least `booked`
    appointments booked ahead of cases in a course of sessions (see the module's
    docstring)."""
    maker = Maker(seed)
    data = Data(maker.offices())
    weights = list(itertools.accumulate(o.therapist_hours_per_week for o in data.offices))
    history = History(maker, data)
    for office in maker.rng.choices(data.offices, cum_weights=weights, k=cases):
        case = maker.case(office)
        data.cases.append(case)
        history.episode(case)
    history.book_more(booked)
    history.certificates()
    maker.rng.shuffle(data.booked)
    return data


# the measurement ------------------------------------------------------------------------------


class Writes:
    """The measured writes' bodies, each handed out once whatever the round: a new mediation
    case at an office taken at random, and an outcome of a booked appointment (83 %
    attended, else rescheduled by the client)."""

    def __init__(self, base: str, auth: dict[str, str], offices: list[UUID], booked: list[Booked]):
        self.base, self.auth, self.offices, self.booked = base, auth, offices, booked
        self.maker = Maker(SEED + 1)
        self.cases = itertools.count()
        self.outcomes = itertools.count()
        self.now = clock.now()

    def case_body(self) -> bytes:
        """A mediation referred in the last three days (every one at another instant)."""
        rng = self.maker.rng
        minutes = rng.randint(5, 3 * 24 * 60)
        referral = self.now - timedelta(minutes=minutes, microseconds=next(self.cases))
        return self.maker.intake(CaseType.mediation).body(rng.choice(self.offices), referral)

    def new_case(self, _index: int) -> bytes:
        body = self.case_body()
        return request_bytes("POST", f"{self.base}/v1/cases", body=body, headers=self.auth)

    def outcome(self, _index: int) -> bytes:
        """The next booked appointment's outcome (past the last, the first again: a 409)."""
        number = next(self.outcomes)
        booked = self.booked[number % len(self.booked)]
        if self.maker.rng.random() < 0.83:
            outcome, recorded = Outcome.attended, booked.scheduled_at + timedelta(minutes=55)
        else:
            recorded = max(booked.created_at, booked.scheduled_at - timedelta(days=1))
            outcome = Outcome.rescheduled_by_client
        body = orjson.dumps({"outcome": outcome, "recorded_at": recorded.isoformat()})
        path = f"/v1/appointments/{booked.id}/outcome"
        return request_bytes("POST", self.base + path, body=body, headers=self.auth)

    @property
    def outcomes_used(self) -> int:
        return next(self.outcomes)


def queue_path(office: UUID) -> str:
    return f"/v1/offices/{office}/work-queue"


async def queue_sizes(base: str, auth: dict[str, str], offices: list[UUID]) -> dict[UUID, int]:
    async with httpx.AsyncClient(base_url=base, headers=auth, timeout=30) as client:
        return {
            office: await count_pages(client, queue_path(office), limit=500) for office in offices
        }


async def try_once(base: str, auth: dict[str, str], writes: Writes) -> None:
    """One of each write answered as expected before they are measured (the outcome on the
    last booked appointment, which the measurement reaches only if it runs out)."""
    async with httpx.AsyncClient(base_url=base, headers=auth, timeout=30) as client:
        created = await client.post(
            "/v1/cases", content=writes.case_body(), headers={"Content-Type": "application/json"}
        )
        last = writes.booked[-1]
        recorded = (last.scheduled_at + timedelta(minutes=55)).isoformat()
        outcome = await client.post(
            f"/v1/appointments/{last.id}/outcome",
            json={"outcome": "attended", "recorded_at": recorded},
        )
    if created.status_code != 201 or outcome.status_code != 200:
        raise RuntimeError(
            f"POST /v1/cases: {created.status_code} {created.text}; "
            f"POST outcome: {outcome.status_code} {outcome.text}"
        )


def _summary(sizes: dict[UUID, int]) -> dict[str, float]:
    values = sorted(sizes.values())
    return {"min": values[0], "median": statistics.median(values), "max": values[-1]}


# the work queue's plan ---------------------------------------------------------------------


class _Captured:
    """A session that keeps the statement a repository runs and answers no rows."""

    statement: Any = None

    async def scalars(self, statement: Any) -> _Captured:
        self.statement = statement
        return self

    def all(self) -> list[Case]:
        return []


async def explain_queue(url: str, office: UUID) -> dict[str, str]:
    """EXPLAIN ANALYZE of the statement the work queue runs (`CaseRepository.list_queue`'s
    own, as the service's dialect compiles it), for the office with the longest queue."""
    session = _Captured()
    unit = cast(UnitOfWork, type("Unit", (), {"session": session})())
    await CaseRepository(unit).list_queue(office, limit=QUEUE_PAGE + 1, offset=0)
    compiled = session.statement.compile(dialect=DIALECT)
    arguments = [compiled.params[name] for name in compiled.positiontup]
    arguments = [str(a) if isinstance(a, CaseStatus) else a for a in arguments]
    return await explain_plans(url, {"work queue": (compiled.string, arguments)})


# the part -------------------------------------------------------------------------------------


OPEN = "POST /v1/cases (mediation)"
OUTCOME = "POST /v1/appointments/{id}/outcome"
QUEUE = "GET /v1/offices/{id}/work-queue"


async def main(
    *,
    seconds: float,
    rounds: int,
    clients: int,
    cases: int = 50_000,
    explain: bool = False,
    profiling: bool = False,
) -> int:
    # Enough booked appointments for the outcome at the most it could answer, every round.
    needed = math.ceil(rounds * (WARMUP_SECONDS + seconds) * 1.5 * MOST_WRITES_PER_SECOND) + 1
    async with Part(FAMILY_COUNSELLING) as part:
        seeding = time.perf_counter()
        data = await asyncio.to_thread(make_data, cases, needed)
        await seed_tables(part.url, data.tables())
        seed_seconds = time.perf_counter() - seeding
        counts = data.counts()
        print(f"\nfamily_counselling seeded in {seed_seconds:.1f} s: {json.dumps(counts)}")

        part.serve()
        base, auth, pid = part.base, part.auth, part.process.pid
        offices = [office.id for office in data.offices]
        expected = data.queues()
        before = await queue_sizes(base, auth, offices)
        if before != expected:
            raise RuntimeError(f"work queues {before} where the data has {expected}")
        longest = max(before, key=before.__getitem__)
        plans = await explain_queue(part.url, longest) if explain else None
        writes = Writes(base, auth, offices, data.booked)
        await try_once(base, auth, writes)
        booked = len(data.booked)
        del data  # what the load generator holds, out of its collector's way

        queue_rng = random.Random(SEED)
        queues = [
            request_bytes("GET", f"{base}{queue_path(office)}?limit={QUEUE_PAGE}", headers=auth)
            for office in offices
        ]
        endpoints = [
            Endpoint(OPEN, base, writes.new_case, pid),
            Endpoint(OUTCOME, base, writes.outcome, pid),
            Endpoint(QUEUE, base, lambda _i: queue_rng.choice(queues), pid),
        ]
        measured = await part.measure(
            endpoints,
            rounds=rounds,
            clients=clients,
            seconds=seconds,
            profile="profile-family-counselling.txt" if profiling else None,
        )
        used = writes.outcomes_used
        after = await queue_sizes(base, auth, offices)
        print(
            f"\nwork queue per office: {_summary(before)} before, {_summary(after)} after the "
            f"cases opened; outcomes recorded on {used} of {booked} booked appointments"
        )
        summary = report(
            measured,
            {OPEN: None, OUTCOME: None, QUEUE: P99_MS},
            issue="issue 10",
            expected={OPEN: 201},
        )
        part.finish(
            "family_counselling",
            {
                "clients": clients,
                "seconds": seconds,
                "rounds": rounds,
                "seeded": counts,
                "seed_seconds": round(seed_seconds, 1),
                "work_queue_before": _summary(before),
                "work_queue_after": _summary(after),
                "outcomes_recorded": used,
                "appointments_booked": booked,
                **summary,
                **({"plans": plans} if plans else {}),
            },
        )
        return 0
