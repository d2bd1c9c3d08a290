"""The demo year's family_counselling part: the 42 family counselling offices (familievern,
state and church-run) and their year 2024, made through the service's public API.

Calibrated on KPIS.md and DOMAIN.md (Bufdir's annual report 2024): 50 632 cases opened
(33 211 clinical, 17 338 mediations, 23 supervised contact, 1 court case), 152 579 sessions
attended, 17 % of appointments rescheduled by the client, violence registered in 15.1 % of
the mediations ended (2 292 ÷ 15 097) and in 37 % of those ended in the high-conflict
tracks C and C! (1 961 ÷ 5 262).

The year is planned first, whole, and only then made. The offices are always all there; the
cases scale. Each case lives its life: a referral, a wait for the first session (shorter when
children or a mandatory mediation are involved), a run of sessions (intake and therapy,
mediation, conversations with a child, supervised contact) a week or a few apart on working
days, and a closing some days after the last session. Cases referred in 2023 and still open
at the new year carry into 2024; cases referred late in 2024 run on into 2025. Where a figure
depends on which of these fall in 2024 the plan is adjusted at the year's edge (mediations
closed just before or after it, a clinical session more or less) so that the counts land
exactly; then outcomes and findings are dealt over exactly the 2024 records. Of 2023 and
2025 only what 2024 rests on is made (see `_trim`): the calls are for the year.

Each case is made in order (opened, each appointment and its outcome, closed), cases side by
side; every call has an idempotency key naming what it stands for, so a load interrupted can
be run again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from demo.calibration import Figure
from demo.client import Platform
from demo.world import (
    POPULATION_SHARE,
    YEAR_END,
    YEAR_START,
    apportion,
    deal,
    instant,
    lognormal,
    quantiles,
    rng_for,
    shuffled,
    spread_days,
)
from family_counselling.cases.service import HEARD_FROM_AGE

SERVICE = "family_counselling"

# The 2024 figures (KPIS.md, DOMAIN.md; digest-002 table 3).
CASES_OPENED = 50_632
CLINICAL = 33_211
MEDIATIONS = 17_338
SUPERVISED_CONTACT = 23
COURT_CASES = 1
SESSIONS_ATTENDED = 152_579
RESCHEDULED_BY_CLIENT = 0.17
MEDIATIONS_ENDED = 15_097
MEDIATIONS_ENDED_WITH_VIOLENCE = 2_292
HIGH_CONFLICT_ENDED = 5_262
HIGH_CONFLICT_ENDED_WITH_VIOLENCE = 1_961

# Not given by the sources; plausible.
NO_SHOW = 0.035  # of the appointments with an outcome
RESCHEDULED_BY_OFFICE = 0.015
WAIT_MEDIAN, WAIT_MEAN = 25.0, 31.0  # days from referral to the first appointment
WAIT_FACTOR = {1: 0.85, 2: 1.45}  # priority group 1 (children, mandatory mediation) first
LONGEST_WAIT = 200  # days: no one is left waiting longer for a first appointment
MEDIATION_REASONS = {"separation": 0.72, "court": 0.22, "voluntary": 0.06}
CHILD_HEARD = 0.42  # of the mediations with a child over 7
AGREEMENT = {"A": 0.82, "B": 0.66, "C": 0.44, "C!": 0.27}  # of the mediations ended, by track
LOW_CONFLICT_B = 0.42  # of the mediations ended in A or B, in B
HIGH_CONFLICT_C_HIGH = 0.27  # of those ended in C or C!, in C!
CERTIFICATES = 0.02  # of the mandatory mediations ended in 2024 (the rest are not asked for)
CLINICAL_VIOLENCE = 0.09
OTHER_VIOLENCE = 0.2  # supervised contact and court cases

# Working days: no sessions on weekends, public holidays, in Christmas week, Easter and the
# three weeks of the summer holiday (fellesferie).
CLOSED = (
    (date(2023, 12, 22), date(2024, 1, 1)),
    (date(2024, 3, 28), date(2024, 4, 1)),
    (date(2024, 5, 1), date(2024, 5, 1)),
    (date(2024, 5, 9), date(2024, 5, 9)),
    (date(2024, 5, 17), date(2024, 5, 17)),
    (date(2024, 5, 20), date(2024, 5, 20)),
    (date(2024, 7, 8), date(2024, 7, 28)),
    (date(2024, 12, 23), date(2025, 1, 1)),
    (date(2025, 4, 17), date(2025, 4, 21)),
    (date(2025, 5, 1), date(2025, 5, 1)),
    (date(2025, 5, 29), date(2025, 5, 29)),
    (date(2025, 6, 9), date(2025, 6, 9)),
    (date(2025, 7, 7), date(2025, 7, 27)),
)
# The last day a session of 2024 can be on (Christmas week is closed).
LAST_SESSION_DAY = date(2024, 12, 20)
# Cases referred from these days on and still open at the new year carry into 2024.
CARRY_FROM = {
    "clinical": date(2023, 3, 1),
    "mediation": date(2023, 9, 1),
    "supervised_contact": date(2023, 3, 1),
    "court_case": date(2023, 9, 1),
}
PER_YEAR = {
    "clinical": CLINICAL,
    "mediation": MEDIATIONS,
    "supervised_contact": SUPERVISED_CONTACT,
    "court_case": COURT_CASES,
}
WORKERS = 96  # cases made side by side (the client bounds the calls in flight)


@dataclass(frozen=True)
class Office:
    name: str
    municipality_number: str
    region: str
    ownership: str  # state or church
    therapist_hours_per_week: int


def _office(name: str, number: str, region: str, ownership: str, hours: int) -> Office:
    return Office(name, number, region, ownership, hours)


# The 42 offices: 29 run by Bufetat, 13 by the church on grant letters, sized by therapist
# hours (about 8 to 20 therapists each).
OFFICES: tuple[Office, ...] = (
    _office("Familievernkontoret i Oslo nord", "0301", "ost", "state", 720),
    _office("Kirkens familievern i Oslo sør", "0301", "ost", "church", 600),
    _office("Kirkens familievern i Asker og Bærum", "3201", "ost", "church", 520),
    _office("Familievernkontoret i Follo", "3207", "ost", "state", 380),
    _office("Familievernkontoret på Romerike", "3205", "ost", "state", 560),
    _office("Familievernkontoret på Øvre Romerike", "3209", "ost", "state", 300),
    _office("Familievernkontoret i Fredrikstad", "3107", "ost", "state", 420),
    _office("Kirkens familievern i Moss", "3103", "ost", "church", 260),
    _office("Familievernkontoret i Halden", "3101", "ost", "state", 160),
    _office("Familievernkontoret i Hamar", "3403", "ost", "state", 320),
    _office("Familievernkontoret i Lillehammer", "3405", "ost", "state", 260),
    _office("Kirkens familievern i Gjøvik", "3407", "ost", "church", 240),
    _office("Familievernkontoret i Kongsvinger", "3401", "ost", "state", 160),
    _office("Familievernkontoret i Elverum", "3420", "ost", "state", 180),
    _office("Familievernkontoret i Drammen", "3301", "sor", "state", 440),
    _office("Kirkens familievern på Ringerike", "3305", "sor", "church", 200),
    _office("Kirkens familievern i Vestfold", "3905", "sor", "church", 420),
    _office("Familievernkontoret i Telemark", "4003", "sor", "state", 380),
    _office("Familievernkontoret i Arendal", "4203", "sor", "state", 260),
    _office("Kirkens familievern i Kristiansand", "4204", "sor", "church", 420),
    _office("Familievernkontoret Sør-Rogaland", "1103", "vest", "state", 560),
    _office("Kirkens familievern i Sandnes", "1108", "vest", "church", 300),
    _office("Familievernkontoret i Haugesund", "1106", "vest", "state", 300),
    _office("Familievernkontoret i Bergen", "4601", "vest", "state", 600),
    _office("Kirkens familievern i Bergen", "4601", "vest", "church", 480),
    _office("Familievernkontoret i Sunnhordland", "4614", "vest", "state", 170),
    _office("Familievernkontoret i Sogn og Fjordane", "4647", "vest", "state", 220),
    _office("Kirkens familievern på Voss", "4621", "vest", "church", 120),
    _office("Familievernkontoret i Trondheim", "5001", "midt", "state", 520),
    _office("Kirkens familievern i Trondheim", "5001", "midt", "church", 380),
    _office("Familievernkontoret i Nord-Trøndelag", "5006", "midt", "state", 240),
    _office("Kirkens familievern på Sunnmøre", "1508", "midt", "church", 300),
    _office("Familievernkontoret i Molde", "1506", "midt", "state", 220),
    _office("Familievernkontoret i Kristiansund", "1505", "midt", "state", 170),
    _office("Familievernkontoret i Bodø", "1804", "nord", "state", 260),
    _office("Familievernkontoret i Rana", "1833", "nord", "state", 160),
    _office("Familievernkontoret i Lofoten og Vesterålen", "1870", "nord", "state", 150),
    _office("Familievernkontoret i Narvik", "1806", "nord", "state", 130),
    _office("Familievernkontoret i Tromsø", "5501", "nord", "state", 300),
    _office("Kirkens familievern i Harstad", "5503", "nord", "church", 150),
    _office("Familievernkontoret i Vest-Finnmark", "5601", "nord", "state", 140),
    _office("Familievernkontoret i Øst-Finnmark", "5607", "nord", "state", 110),
)


FIGURES: list[Figure] = [
    Figure(SERVICE, "Family counselling cases opened 2024", "fv.cases_opened", CASES_OPENED),
    Figure(
        SERVICE,
        "Family counselling cases opened 2024, clinical",
        "fv.cases_opened",
        CLINICAL,
        row={"case_type": "clinical"},
    ),
    Figure(
        SERVICE,
        "Family counselling cases opened 2024, mediation",
        "fv.cases_opened",
        MEDIATIONS,
        row={"case_type": "mediation"},
    ),
    Figure(SERVICE, "Sessions attended 2024", "fv.sessions_attended", SESSIONS_ATTENDED),
    Figure(
        SERVICE,
        "Appointments rescheduled by the client 2024 (share)",
        "fv.rescheduled_share",
        RESCHEDULED_BY_CLIENT,
        counts=False,
    ),
    Figure(
        SERVICE,
        "Violence uncovered in mediation 2024 (share)",
        "fv.violence_mediation",
        0.151,
        counts=False,
    ),
    Figure(
        SERVICE,
        "Ended mediations with violence 2024",
        "fv.violence_mediation",
        MEDIATIONS_ENDED_WITH_VIOLENCE,
        measure="numerator",
    ),
    Figure(
        SERVICE,
        "Mediations ended 2024",
        "fv.violence_mediation",
        MEDIATIONS_ENDED,
        measure="denominator",
    ),
    Figure(
        SERVICE,
        "Violence in high-conflict tracks C/C! 2024 (share)",
        "fv.violence_high_conflict",
        0.37,
        counts=False,
    ),
    Figure(
        SERVICE,
        "Ended C/C! mediations with violence 2024",
        "fv.violence_high_conflict",
        HIGH_CONFLICT_ENDED_WITH_VIOLENCE,
        measure="numerator",
    ),
    Figure(
        SERVICE,
        "Mediations ended in track C or C! 2024",
        "fv.violence_high_conflict",
        HIGH_CONFLICT_ENDED,
        measure="denominator",
    ),
]


# the plan -----------------------------------------------------------------------------------


@dataclass
class Session:
    day: date
    minute: int  # of the day, Oslo time
    kind: str
    outcome: str = "attended"


@dataclass
class Case:
    office: int
    case_type: str
    referral: date
    referral_minute: int
    children: list[dict[str, Any]]
    mediation_reason: str | None = None
    child_heard: bool | None = None  # mediations with a child over 7
    sessions: list[Session] = field(default_factory=list)
    closed: date = YEAR_END
    # What the closing states (dealt once the year is settled), and the intake's triage.
    track: str | None = None  # the final track (mediations)
    intake_track: str | None = None
    violence: bool = False
    violence_between_adults: bool = False
    violence_towards_children: bool = False
    separate_mediation: bool = False
    one_parent_absent: bool = False
    agreement: bool | None = None
    concern_report: bool = False
    certificate: bool = False
    number: int = 0

    @property
    def group(self) -> int:
        """The service's priority group: 1 with a mandatory mediation or a child at home."""
        mandatory = self.mediation_reason in ("separation", "court")
        return 1 if mandatory or any(child["lives_at_home"] for child in self.children) else 2

    @property
    def has_child_over_7(self) -> bool:
        return any(child["age"] >= HEARD_FROM_AGE for child in self.children)


@dataclass
class Plan:
    cases: list[Case]
    appointments_2024: int
    attended_2024: int


def workday(day: date) -> date:
    """The day, or the first day after it the offices hold sessions."""
    while True:
        for first, last in CLOSED:
            if first <= day <= last:
                day = last + timedelta(days=1)
        if day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
            continue
        if any(first <= day <= last for first, last in CLOSED):
            continue
        return day


def in_2024(day: date) -> bool:
    return YEAR_START <= day <= YEAR_END


def _weighted(rng: random.Random, weights: Mapping[int, float]) -> int:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


SESSIONS = {  # how many appointments a case has (before the year's edge is settled)
    "clinical": {1: 10, 2: 13, 3: 14, 4: 13, 5: 11, 6: 9, 7: 7, 8: 6, 9: 5, 10: 4, 12: 4, 15: 3},
    "mediation": {1: 36, 2: 31, 3: 19, 4: 9, 5: 5},
    "supervised_contact": {4: 1, 6: 2, 8: 2, 10: 1},
    "court_case": {2: 1, 3: 2, 4: 1},
}
GAPS = {  # days between sessions
    "clinical": (7, 14, 14, 14, 21, 21, 28),
    "mediation": (7, 14, 14, 21, 21, 28),
    "supervised_contact": (14,),
    "court_case": (14, 21),
}
CHILDREN = {  # how many children a case concerns
    "clinical": {0: 24, 1: 31, 2: 30, 3: 12, 4: 3},
    "mediation": {1: 45, 2: 38, 3: 13, 4: 4},
    "supervised_contact": {1: 3, 2: 1},
    "court_case": {1: 1, 2: 1},
}
SESSION_MINUTES = (510, 540, 600, 660, 750, 780, 840, 900, 960)  # 08:30 … 16:00


def _children(rng: random.Random, case_type: str, reason: str | None) -> list[dict[str, Any]]:
    n = _weighted(rng, CHILDREN[case_type])
    if case_type == "mediation":
        # Separating parents must mediate for a child under 16; before a court case, for a
        # child under 18; a sibling may be older.
        youngest = rng.randint(0, 15 if reason != "court" else 17)
        ages = [youngest] + [min(youngest + rng.randint(1, 6), 19) for _ in range(n - 1)]
        return [{"age": age, "lives_at_home": True} for age in ages]
    if case_type == "clinical":
        ages = sorted(rng.randint(0, 19) for _ in range(n))
        return [{"age": age, "lives_at_home": age < 18 or rng.random() < 0.4} for age in ages]
    if case_type == "supervised_contact":
        return [{"age": rng.randint(1, 12), "lives_at_home": True} for _ in range(n)]
    return [{"age": rng.randint(3, 15), "lives_at_home": True} for _ in range(n)]


def _kinds(rng: random.Random, case: Case, n: int) -> list[str]:
    if case.case_type == "mediation":
        kinds = ["mediation"] * n
        if case.child_heard:
            # The child's conversation, after the first mediation session.
            kinds.insert(1, "child_conversation")
        return kinds
    if case.case_type == "clinical":
        kinds = ["intake"] + ["therapy"] * (n - 1)
        if n >= 3 and case.has_child_over_7 and rng.random() < 0.25:
            kinds[rng.randint(1, n - 2)] = "child_conversation"
        return kinds
    if case.case_type == "supervised_contact":
        return ["intake"] + ["supervised_contact"] * (n - 1)
    return ["intake", "child_conversation"] + ["therapy"] * (n - 2)


def _live(rng: random.Random, case: Case, wait: float) -> None:
    """The case's sessions and its closing, from its referral and wait."""
    kinds = _kinds(rng, case, _weighted(rng, SESSIONS[case.case_type]))
    day = workday(case.referral + timedelta(days=max(1, round(wait))))
    case.sessions = []
    for kind in kinds:
        case.sessions.append(Session(day, rng.choice(SESSION_MINUTES), kind))
        day = workday(day + timedelta(days=rng.choice(GAPS[case.case_type])))
    last = case.sessions[-1].day
    case.closed = workday(last + timedelta(days=rng.choice((3, 5, 7, 10, 14, 21, 28))))


def _cases(
    rng: random.Random, case_type: str, n: int, first: date, last: date, weights: dict[str, float]
) -> list[Case]:
    """n cases of a type referred evenly over [first, last], dealt to the offices by weight,
    each with its life."""
    offices = [int(key) for key, count in apportion(n, weights).items() for _ in range(count)]
    offices = shuffled(rng, offices)
    reasons: list[str | None] = [None] * n
    if case_type == "mediation":
        counts = apportion(n, MEDIATION_REASONS)
        reasons = shuffled(rng, [reason for reason, k in counts.items() for _ in range(k)])
    cases = []
    for office, day, reason in zip(offices, spread_days(n, first, last), reasons, strict=True):
        minute = rng.randint(8 * 60, 16 * 60)
        children = _children(rng, case_type, reason)
        cases.append(Case(office, case_type, day, minute, children, reason))
    if case_type == "mediation":
        over_7 = [case for case in cases if case.has_child_over_7]
        for case, heard in zip(over_7, deal(rng, len(over_7), CHILD_HEARD), strict=True):
            case.child_heard = heard
    waits = shuffled(rng, quantiles(n, lognormal(WAIT_MEDIAN, WAIT_MEAN))) if n else []
    for case, wait in zip(cases, waits, strict=True):
        _live(rng, case, min(wait * WAIT_FACTOR[case.group], LONGEST_WAIT))
    return cases


def _office_weights() -> dict[str, float]:
    """Each office's share of the cases: its region's share of the population, split by the
    offices' therapist hours."""
    hours = dict.fromkeys(POPULATION_SHARE, 0)
    for office in OFFICES:
        hours[office.region] += office.therapist_hours_per_week
    return {
        str(i): POPULATION_SHARE[office.region]
        * office.therapist_hours_per_week
        / hours[office.region]
        for i, office in enumerate(OFFICES)
    }


def _types_2024(scale: float) -> dict[str, int]:
    """Cases opened in 2024 by type: the total and mediations as the year's figures; the small
    types at least one (the slice shows them too); clinical the rest."""
    counts = {
        "mediation": round(MEDIATIONS * scale),
        "supervised_contact": max(1, round(SUPERVISED_CONTACT * scale)),
        "court_case": max(1, round(COURT_CASES * scale)),
    }
    return {"clinical": round(CASES_OPENED * scale) - sum(counts.values()), **counts}


def _settle_mediations(
    rng: random.Random, year: list[Case], before: list[Case], scale: float
) -> list[Case]:
    """Exactly the year's mediations ended in 2024: the carried-in ones (the latest referred
    of those still open at the new year, as many as keep the year's edge where it falls) and
    the earliest closed of 2024's, the rest closing in 2025. Returns the carried-in ones."""
    ended = round(MEDIATIONS_ENDED * scale)
    open_at_end = sum(1 for case in year if case.closed > YEAR_END)
    still_open = sorted(
        (case for case in before if case.closed >= YEAR_START),
        key=lambda case: (case.referral, case.referral_minute),
        reverse=True,
    )
    carried = still_open[: max(0, min(len(still_open), ended - len(year) + open_at_end))]
    for case in carried:
        case.closed = min(case.closed, YEAR_END)
        case.sessions = [session for session in case.sessions if session.day < case.closed]
    target = ended - len(carried)
    in_year = sorted((case for case in year if case.closed <= YEAR_END), key=lambda c: c.closed)
    if len(in_year) > target:
        # The last closed of the year wait for the new year to be closed.
        for i, case in enumerate(in_year[target:]):
            case.closed = workday(date(2025, 1, 2) + timedelta(days=i % 30))
    elif len(in_year) < target:
        later = sorted(
            (c for c in year if c.closed > YEAR_END and in_2024(c.sessions[0].day)),
            key=lambda c: c.closed,
        )
        if len(later) < target - len(in_year):
            raise AssertionError("too few mediations to close in 2024")
        for case in later[: target - len(in_year)]:
            # Closed before Christmas after the sessions of 2024.
            case.sessions = [s for s in case.sessions if in_2024(s.day)]
            if case.sessions[-1].kind == "child_conversation" and len(case.sessions) > 1:
                case.sessions.pop()
            case.closed = min(case.sessions[-1].day + timedelta(days=3), date(2024, 12, 30))
    return carried


def _settle_sessions(rng: random.Random, cases: list[Case], target: int) -> None:
    """Exactly `target` appointments in 2024: clinical cases get a session more or less."""
    clinical = shuffled(rng, [case for case in cases if case.case_type == "clinical"])
    count = sum(1 for case in cases for s in case.sessions if in_2024(s.day))
    while count != target:
        changed = False
        for case in clinical:
            if count == target:
                break
            last = case.sessions[-1]
            if count < target:
                day = workday(last.day + timedelta(days=rng.choice(GAPS["clinical"])))
                if in_2024(last.day) and day <= LAST_SESSION_DAY:
                    case.sessions.append(Session(day, rng.choice(SESSION_MINUTES), "therapy"))
                    case.closed = max(case.closed, workday(day + timedelta(days=7)))
                    count += 1
                    changed = True
            elif len(case.sessions) > 1 and in_2024(last.day) and last.kind == "therapy":
                case.sessions.pop()
                count -= 1
                changed = True
        if not changed:
            raise AssertionError(f"cannot settle the sessions of 2024 at {target}")


def _outcome_counts(attended: int) -> dict[str, int]:
    """The appointments of 2024 by outcome: exactly `attended` attended, the others at their
    shares of all."""
    shares = {
        "rescheduled_by_client": RESCHEDULED_BY_CLIENT,
        "no_show": NO_SHOW,
        "rescheduled_by_office": RESCHEDULED_BY_OFFICE,
    }
    total = round(attended / (1 - sum(shares.values())))
    for _ in range(5):  # a fixed point: the others at their shares of the total
        others = {outcome: round(share * total) for outcome, share in shares.items()}
        total = attended + sum(others.values())
    return {"attended": attended, **others}


def _deal_outcomes(rng: random.Random, cases: list[Case], attended: int) -> int:
    """Outcomes dealt over the appointments of 2024 exactly, drawn for the others; a case's
    last session is attended (a missed or moved one is followed by another). Returns how many
    appointments 2024 has."""
    year: list[tuple[float, Session]] = []
    other: list[Session] = []
    for case in cases:
        for i, session in enumerate(case.sessions):
            last = i == len(case.sessions) - 1
            if in_2024(session.day):
                year.append((rng.random() + (1.0 if last else 0.0), session))
            elif not last:
                other.append(session)
    counts = _outcome_counts(attended)
    if sum(counts.values()) != len(year):
        raise AssertionError(f"{len(year)} appointments in 2024, {sum(counts.values())} planned")
    missed = [outcome for outcome, n in counts.items() if outcome != "attended" for _ in range(n)]
    ranked = sorted(year, key=lambda item: item[0])
    for (_key, session), outcome in zip(ranked, shuffled(rng, missed), strict=False):
        session.outcome = outcome
    share = 1 - counts["attended"] / len(year)
    for session in other:
        if rng.random() < share:
            session.outcome = rng.choice(missed)
    return len(year)


def _trim(cases: list[Case]) -> None:
    """Of 2023 and 2025, only what the year's figures rest on: a carried-in case's sessions of
    2023 up to its first attended one (its wait ended there), and a case's sessions of 2025
    only while it still waits for its first attended one; a case that is not a mediation
    then closes a fortnight or so after its last session. (Half the calls of a case running
    over the new year are for the other year: this keeps the load to 2024.)"""
    for case in cases:
        kept: list[Session] = []
        served = False
        for session in case.sessions:
            if served and session.day < YEAR_START:
                continue
            if served and session.day > YEAR_END:
                break
            kept.append(session)
            served = served or session.outcome == "attended"
        case.sessions = kept
        if case.case_type != "mediation" and case.closed > YEAR_END:
            case.closed = min(case.closed, workday(kept[-1].day + timedelta(days=14)))


def _deal_closings(rng: random.Random, mediations: list[Case], scale: float) -> None:
    """Final tracks, violence, agreements and triage of the mediations: exact over those ended
    in 2024, at the same shares for the others. The cases with more sessions tend to the
    higher tracks."""
    ended = [case for case in mediations if in_2024(case.closed)]
    others = [case for case in mediations if not in_2024(case.closed)]
    high = round(HIGH_CONFLICT_ENDED * scale)
    high_violence = round(HIGH_CONFLICT_ENDED_WITH_VIOLENCE * scale)
    low_violence = round(MEDIATIONS_ENDED_WITH_VIOLENCE * scale) - high_violence
    for group, n_high, n_high_violence, n_low_violence in (
        (ended, high, high_violence, low_violence),
        (
            others,
            round(len(others) * HIGH_CONFLICT_ENDED / MEDIATIONS_ENDED),
            round(len(others) * HIGH_CONFLICT_ENDED_WITH_VIOLENCE / MEDIATIONS_ENDED),
            round(
                len(others)
                * (MEDIATIONS_ENDED_WITH_VIOLENCE - HIGH_CONFLICT_ENDED_WITH_VIOLENCE)
                / MEDIATIONS_ENDED
            ),
        ),
    ):
        ranked = sorted(group, key=lambda case: len(case.sessions) + 3 * rng.random())
        low_cases, high_cases = ranked[: len(ranked) - n_high], ranked[len(ranked) - n_high :]
        tracks = _split(rng, len(low_cases), "B", LOW_CONFLICT_B, "A") + _split(
            rng, len(high_cases), "C!", HIGH_CONFLICT_C_HIGH, "C"
        )
        for case, track in zip(low_cases + high_cases, tracks, strict=True):
            case.track = track
        for subset, n in ((high_cases, n_high_violence), (low_cases, n_low_violence)):
            for case, violence in zip(
                subset, deal(rng, len(subset), n / max(1, len(subset))), strict=True
            ):
                case.violence = violence
        for track, share in AGREEMENT.items():
            of_track = [case for case in group if case.track == track]
            for case, agreement in zip(of_track, deal(rng, len(of_track), share), strict=True):
                case.agreement = agreement
    for case in mediations:
        _triage(rng, case)


def _split(rng: random.Random, n: int, marked: str, share: float, rest: str) -> list[str]:
    return [marked if flag else rest for flag in deal(rng, n, share)]


def _triage(rng: random.Random, case: Case) -> None:
    """What the intake knew: the track before it was raised (for some), the violence that was
    known (about half of it; the rest is uncovered in the mediation)."""
    assert case.track is not None
    escalated = {"B": ("A", 0.1), "C": ("B", 0.2), "C!": ("C", 0.4)}
    earlier, chance = escalated.get(case.track, (case.track, 0.0))
    case.intake_track = earlier if rng.random() < chance else case.track
    if case.violence:
        case.violence_between_adults = rng.random() < 0.55
        case.violence_towards_children = rng.random() < 0.2
    case.separate_mediation = (
        rng.random() < {"A": 0.02, "B": 0.05, "C": 0.25, "C!": 0.6}[case.track]
    )
    case.one_parent_absent = rng.random() < 0.04
    case.concern_report = case.violence_towards_children or (case.violence and rng.random() < 0.2)


def _deal_others(rng: random.Random, cases: list[Case]) -> None:
    for case in cases:
        share = CLINICAL_VIOLENCE if case.case_type == "clinical" else OTHER_VIOLENCE
        case.violence = rng.random() < share
        case.violence_between_adults = case.violence and rng.random() < 0.6
        case.violence_towards_children = (
            case.violence and bool(case.children) and rng.random() < 0.25
        )
        case.concern_report = case.violence_towards_children or rng.random() < 0.01


def plan(scale: float, seed: int) -> Plan:
    """The whole year, decided before a call is made: the same for the same seed and scale."""
    rng = rng_for(seed, SERVICE, scale)
    weights = _office_weights()
    year: list[Case] = []
    before: dict[str, list[Case]] = {}
    for case_type, n in _types_2024(scale).items():
        year += _cases(rng, case_type, n, YEAR_START, YEAR_END, weights)
        # Referred at the year's rate before it: those still open at the new year carry in.
        first = CARRY_FROM[case_type]
        earlier = round(PER_YEAR[case_type] * scale * (YEAR_START - first).days / 366)
        before[case_type] = _cases(
            rng, case_type, earlier, first, YEAR_START - timedelta(days=1), weights
        )
    mediations = [case for case in year if case.case_type == "mediation"]
    carried = _settle_mediations(rng, mediations, before.pop("mediation"), scale)
    for cases in before.values():
        carried += [case for case in cases if case.closed >= YEAR_START]
    cases = sorted(year + carried, key=lambda case: (case.referral, case.referral_minute))
    attended = round(SESSIONS_ATTENDED * scale)
    _settle_sessions(rng, cases, sum(_outcome_counts(attended).values()))
    appointments = _deal_outcomes(rng, cases, attended)
    _trim(cases)
    _deal_closings(rng, [case for case in cases if case.case_type == "mediation"], scale)
    _deal_others(rng, [case for case in cases if case.case_type != "mediation"])
    certifiable = [
        case
        for case in cases
        if case.mediation_reason in ("separation", "court")
        and in_2024(case.closed)
        and any(s.kind == "mediation" and s.outcome == "attended" for s in case.sessions)
    ]
    for case in shuffled(rng, certifiable)[: max(3, round(CERTIFICATES * len(certifiable)))]:
        case.certificate = True
    for number, case in enumerate(cases):
        case.number = number
    return Plan(cases, appointments, attended)


# the calls ----------------------------------------------------------------------------------


def _at(day: date, minute: int) -> str:
    return instant(day, minute // 60, minute % 60)


RECORDED_AFTER = {  # minutes after the appointment its outcome is recorded
    "attended": 75,
    "no_show": 30,
    "rescheduled_by_client": 20,
    "rescheduled_by_office": 20,
}


def office_body(office: Office) -> dict[str, Any]:
    return {
        "name": office.name,
        "municipality_number": office.municipality_number,
        "region": office.region,
        "ownership": office.ownership,
        "therapist_hours_per_week": office.therapist_hours_per_week,
    }


def case_body(case: Case, office_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "office_id": office_id,
        "case_type": case.case_type,
        "referral_received_at": _at(case.referral, case.referral_minute),
        "children": case.children,
        "violence_between_adults": case.violence_between_adults,
        "violence_towards_children": case.violence_towards_children,
    }
    if case.case_type == "mediation":
        body |= {
            "mediation_reason": case.mediation_reason,
            "track": case.intake_track,
            "separate_mediation": case.separate_mediation,
            "one_parent_absent": case.one_parent_absent,
        }
    return body


def close_body(case: Case) -> dict[str, Any]:
    body: dict[str, Any] = {
        "closed_at": _at(case.closed, 14 * 60 + 30),
        "violence_registered": case.violence,
        "concern_report_sent": case.concern_report,
    }
    if case.case_type == "mediation":
        body |= {"track": case.track, "agreement_reached": case.agreement}
        if case.has_child_over_7:
            body["child_heard"] = case.child_heard
    return body


async def _make_case(platform: Platform, case: Case, offices: Sequence[str]) -> None:
    api = platform.family_counselling
    key = f"case:{case.number}"
    made = await api.post("/v1/cases", case_body(case, offices[case.office]), key=key)
    case_id = made["id"]
    for j, session in enumerate(case.sessions):
        # Held already: the appointment and its outcome in one call.
        recorded = session.minute + RECORDED_AFTER[session.outcome]
        await api.post(
            f"/v1/cases/{case_id}/appointments",
            {
                "scheduled_at": _at(session.day, session.minute),
                "kind": session.kind,
                "outcome": session.outcome,
                "recorded_at": _at(session.day, recorded),
            },
            key=f"{key}:appointment:{j}",
        )
    await api.post(f"/v1/cases/{case_id}/close", close_body(case), key=f"{key}:close")
    if case.certificate:
        await api.post(f"/v1/cases/{case_id}/mediation-certificate", {}, key=f"{key}:certificate")


async def generate(platform: Platform, *, scale: float, seed: int) -> None:
    """Make 2024 in family_counselling through its public API."""
    year = await asyncio.to_thread(plan, scale, seed)
    api = platform.family_counselling
    made = await asyncio.gather(
        *(api.post("/v1/offices", office_body(o), key=f"office:{i}") for i, o in enumerate(OFFICES))
    )
    offices = [office["id"] for office in made]
    pending: Iterator[Case] = iter(year.cases)

    async def worker() -> None:
        for case in pending:
            await _make_case(platform, case, offices)

    async with asyncio.TaskGroup() as group:
        for _ in range(WORKERS):
            group.create_task(worker())


__all__ = ["FIGURES", "OFFICES", "generate", "plan"]
