"""`make bench` (`--only foster_care`): foster_care's waiting list and candidates, beside a
bare FastAPI endpoint of the same run.

Targets (issue 9): the waiting list as of a past date over 5 000 requests and 2 000 foster
homes, and the candidates of a request: CPU per answer and p99 at half the saturating
load, aiming at p99 <= 20 ms. Results also go to bench-results/foster_care.json.

The data is written straight into foster_care's tables (migrated by Alembic; through the
API it would take minutes): foster homes across the five regions (mostly approved with 1-3
places and the needs they can meet, some still being recruited, some withdrawn, some
paused, a few kinship homes recruited for one child's request) and requests with desired
start dates over 2023-2024, about a third placed (the placement after an accepted proposal,
some ended since), some withdrawn, some with a proposal awaiting a decision, declined
proposals and waiting reasons. It keeps the service's rules: a placed request's `placed_on`
is its placement's start; no home ever holds more children than its places (placements and
live proposals counted, day by day); a home is proposed only after its approval, a kinship
home only for its own child and after the child was talked to alone.

Measured (the national token; foster_care under the platform's entrypoint, one worker):
`GET /v1/waiting-list?as_of=2024-06-30&limit=50`, the same for region vest, and
`GET /v1/foster-home-requests/{id}/candidates` of open requests taken at random. Each runs
closed loop in interleaved rounds with the bare `GET /ping` (the median kept), then open
loop at half its throughput (rounds again, the round of the median p99 kept), the server's
and PostgreSQL's CPU per answer beside it (benchmarks/gateway.py's `measure_stage`).
`--explain` also prints EXPLAIN ANALYZE of the two queries on the seeded data.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from uuid import UUID, uuid4

import httpx

from benchmarks.__main__ import Endpoint
from benchmarks.load import request_bytes
from benchmarks.service_part import Part, Row, count_pages, explain_plans, report, seed_tables
from common import clock
from common.clock import OSLO
from common.db import DriverStatement
from common.municipalities import MUNICIPALITIES
from common.reference import Region, region_of_municipality
from devstack.services import FOSTER_CARE
from foster_care.codes import NEEDS_MET_BY_PLACE, WAITING_REASON_OF_DECLINE, DeclineReason, Need
from foster_care.foster_home_requests.repository import _CANDIDATES, _WAITING  # as it runs them

P99_MS = 20.0
AS_OF = date(2024, 6, 30)
FIRST_DESIRED, LAST_DESIRED = date(2023, 1, 1), date(2024, 12, 31)
SEED = 9
OPEN_SAMPLE = 400  # open requests whose candidates are asked for, at random

# Where children and homes are, roughly as the regions' populations.
REGION_SHARE = {
    Region.ost: 0.40,
    Region.sor: 0.12,
    Region.vest: 0.22,
    Region.midt: 0.14,
    Region.nord: 0.12,
}
HOME_KINDS = {
    "ordinary": 0.55,
    "reinforced": 0.20,
    "emergency": 0.12,
    "family_home": 0.08,
    "specialised": 0.05,
}
# The recruitment stages up to approval, in order (the home study may come before the
# training is completed: then the home stays in `home_study` when it completes it).
STAGES = (
    "inquiry",
    "information_meeting",
    "pre_assessment",
    "training",
    "training_completed",
    "home_study",
    "approved",
)
HOME_NEEDS = [str(need) for need in Need if need not in NEEDS_MET_BY_PLACE]
WAITING_REASONS = {
    "no_suitable_home": 0.55,
    "municipality_declined": 0.15,
    "recruited_home_withdrew": 0.10,
    "other": 0.20,
}


# the data ---------------------------------------------------------------------------------


@dataclass
class Child:
    """A request as it is made, and what became of it."""

    id: UUID
    region: str
    municipality_number: str
    child_ref: str
    child_key: str
    birth_date: date
    age_years: int
    desired: date
    requested_at: datetime
    needs: list[str]
    wishes_on: date | None
    status: str = "open"
    placed_on: date | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None
    version: int = 1

    @property
    def requested_on(self) -> date:
        return clock.oslo_date(self.requested_at)

    def row(self) -> Row:
        return {
            "id": self.id,
            "municipality_number": self.municipality_number,
            "region": self.region,
            "child_ref": self.child_ref,
            "child_key": self.child_key,
            "birth_date": self.birth_date,
            "age_years": self.age_years,
            "desired_start_date": self.desired,
            "requested_at": self.requested_at,
            "requested_on": self.requested_on,
            "needs": self.needs,
            "child_wishes_recorded": self.wishes_on is not None,
            "child_wishes_recorded_on": self.wishes_on,
            "kinship_assessed": True,
            "status": self.status,
            "placed_on": self.placed_on,
            "withdrawn_at": self.withdrawn_at,
            "withdrawn_on": clock.oslo_date(self.withdrawn_at) if self.withdrawn_at else None,
            "withdrawal_reason": self.withdrawal_reason,
            "version": self.version,
        }


@dataclass
class Home:
    id: UUID
    region: str
    municipality_number: str
    kind: str
    recruitment_source: str
    inquiry_at: datetime
    kinship_request_id: UUID | None = None
    stage: str = "inquiry"
    training_programme: str | None = None
    training_completed_at: datetime | None = None
    approved_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None
    places: int = 0
    suited_for: list[str] = field(default_factory=list)
    paused_at: datetime | None = None
    pause_reason: str | None = None
    transitions: list[Row] = field(default_factory=list)
    # The end of each stay and of each live proposal so far (None: not ended).
    taken_until: list[date | None] = field(default_factory=list)

    def row(self) -> Row:
        columns = (
            "id region municipality_number kind recruitment_source kinship_request_id stage "
            "inquiry_at training_programme training_completed_at approved_at withdrawn_at "
            "withdrawal_reason places suited_for paused_at pause_reason"
        )
        version = 1 + len(self.transitions) + (self.paused_at is not None)
        return {name: getattr(self, name) for name in columns.split()} | {"version": version}

    def go(self, to: str, at: datetime, **facts: Any) -> None:
        """A stage transition as the service records it."""
        self.transitions.append(
            {
                "id": uuid4(),
                "foster_home_id": self.id,
                "from_stage": self.stage,
                "to_stage": to,
                "at": at,
                "training_programme": facts.get("training_programme"),
                "reason": facts.get("reason"),
            }
        )
        if facts.get("training_programme"):
            self.training_programme = facts["training_programme"]
        if to == "training_completed":
            self.training_completed_at = at
            if self.stage == "home_study":
                return
        self.stage = to
        if to == "approved":
            self.approved_at = at
            self.places = facts.get("places", 1)
        if to == "withdrawn":
            self.withdrawn_at, self.withdrawal_reason = at, facts["reason"]

    def free_on(self, day: date) -> bool:
        """A place free on `day`, counting what was taken on or before it."""
        return sum(1 for end in self.taken_until if end is None or end > day) < self.places

    def proposable(self, at: datetime) -> bool:
        return (
            self.stage == "approved"
            and self.kind != "kinship"
            and self.approved_at is not None
            and self.approved_at < at
            and (self.paused_at is None or self.paused_at > at)
        )


@dataclass
class Data:
    """The rows of each table, in the order they are written (foreign keys first)."""

    requests: list[Child]
    homes: list[Home]
    proposals: list[Row] = field(default_factory=list)
    placements: list[Row] = field(default_factory=list)
    waiting_reasons: list[Row] = field(default_factory=list)
    conversations: list[Row] = field(default_factory=list)

    def tables(self) -> dict[str, list[Row]]:
        return {
            "foster_home_request": [request.row() for request in self.requests],
            "foster_home": [home.row() for home in self.homes],
            "stage_transition": [row for home in self.homes for row in home.transitions],
            "proposal": self.proposals,
            "foster_placement": self.placements,
            "waiting_reason": self.waiting_reasons,
            "child_conversation": self.conversations,
        }

    def counts(self) -> dict[str, Any]:
        by_status: dict[str, int] = {}
        for request in self.requests:
            by_status[request.status] = by_status.get(request.status, 0) + 1
        by_stage: dict[str, int] = {}
        for home in self.homes:
            by_stage[home.stage] = by_stage.get(home.stage, 0) + 1
        return {
            "requests": len(self.requests),
            "requests_by_status": dict(sorted(by_status.items())),
            "homes": len(self.homes),
            "homes_by_stage": dict(sorted(by_stage.items())),
            "homes_paused": sum(1 for h in self.homes if h.paused_at is not None),
            "kinship_homes": sum(1 for h in self.homes if h.kind == "kinship"),
            "places_in_available_homes": sum(
                h.places for h in self.homes if h.stage == "approved" and h.paused_at is None
            ),
            "proposals": len(self.proposals),
            "placements": len(self.placements),
            "placements_current": sum(1 for p in self.placements if p["end_date"] is None),
            "waiting_reasons": len(self.waiting_reasons),
        }

    def open_requests(self) -> list[UUID]:
        return [request.id for request in self.requests if request.status == "open"]


class Maker:
    """Makes up the data from a seed (the same seed, the same data but for the ids)."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.now = datetime.combine(today, clock_time(8), tzinfo=OSLO)
        self.municipalities: dict[str, list[str]] = {}
        for number in sorted(MUNICIPALITIES):
            region = str(region_of_municipality(number))
            self.municipalities.setdefault(region, []).append(number)

    def pick(self, shares: dict[Any, float]) -> Any:
        return self.rng.choices(list(shares), weights=list(shares.values()))[0]

    def place(self) -> tuple[str, str]:
        region = str(self.pick(REGION_SHARE))
        return region, self.rng.choice(self.municipalities[region])

    def at(self, day: date, hour: int | None = None) -> datetime:
        """An instant in Oslo office hours on `day`."""
        hour = self.rng.randint(8, 15) if hour is None else hour
        return datetime.combine(day, clock_time(hour, self.rng.randrange(60)), tzinfo=OSLO)

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    # requests -----------------------------------------------------------------------------

    def child(self, index: int) -> Child:
        rng = self.rng
        region, municipality = self.place()
        desired = self.day_between(FIRST_DESIRED, LAST_DESIRED)
        age = rng.choices(range(18), weights=[3] * 6 + [4] * 6 + [5] * 6)[0]
        birth = desired - timedelta(days=age * 365 + rng.randint(1, 360))
        requested_at = self.at(desired - timedelta(days=rng.randint(3, 90)))
        count = rng.choices((0, 1, 2, 3), weights=(2, 4, 3, 1))[0]
        needs = rng.sample([str(n) for n in Need], count)
        if clock.age_on(birth, desired) > 5 and "young_child" in needs:
            needs.remove("young_child")
        wishes = (
            clock.oslo_date(requested_at) - timedelta(days=rng.randint(0, 14))
            if rng.random() < 0.9
            else None
        )
        return Child(
            id=uuid4(),
            region=region,
            municipality_number=municipality,
            child_ref=f"bench-{index:05d}",
            child_key=hashlib.sha256(f"bench-child-{index}".encode()).hexdigest(),
            birth_date=birth,
            age_years=clock.age_on(birth, desired),
            desired=desired,
            requested_at=requested_at,
            needs=needs,
            wishes_on=wishes,
        )

    def fates(self, children: list[Child]) -> dict[UUID, str]:
        """What becomes of each request: placed (older ones more often), withdrawn, proposed
        these weeks (awaiting a decision, or `accepted` and awaiting the move), or open."""
        span = (LAST_DESIRED - FIRST_DESIRED).days
        fates = {}
        for child in children:
            placed = 0.48 - 0.26 * (child.desired - FIRST_DESIRED).days / span
            u = self.rng.random() - placed
            fates[child.id] = (
                "placed"
                if u < 0
                else "withdrawn"
                if u < 0.10
                else "proposed"
                if u < 0.13
                else "accepted"
                if u < 0.14
                else "open"
            )
        return fates

    # homes ---------------------------------------------------------------------------------

    def home(self, kind: str | None = None) -> Home:
        region, municipality = self.place()
        kind = kind or self.pick(HOME_KINDS)
        source = self.pick({"campaign": 0.5, "local_association": 0.3, "other": 0.2})
        home = Home(uuid4(), region, municipality, kind, source, self.now)
        home.suited_for = self.rng.sample(HOME_NEEDS, self.rng.randint(1, 4))
        return home

    def recruit(self, home: Home, inquiry: datetime, until: str, gap: tuple[int, int]) -> None:
        """Through the stages after an inquiry, `gap` days apart, until the home is in stage
        `until`."""
        home.inquiry_at = inquiry
        at = inquiry
        order = list(STAGES[1:])
        if until != "training_completed" and self.rng.random() < 0.3:
            order[3], order[4] = order[4], order[3]  # the home study while still in training
        for stage in order:
            if home.stage == until:
                return
            at += timedelta(days=self.rng.randint(*gap), hours=self.rng.randint(0, 5))
            facts: dict[str, Any] = {}
            if stage == "training":
                facts["training_programme"] = self.pick({"PRIDE": 0.7, "SOLID": 0.3})
            if stage == "approved":
                facts["places"] = self.pick({1: 0.45, 2: 0.35, 3: 0.20})
            home.go(stage, at, **facts)

    def ordinary_home(self) -> Home:
        rng, home = self.rng, self.home()
        u = rng.random()
        if u < 0.78:  # approved years ago or lately
            inquiry = self.at(self.day_between(date(2012, 1, 1), date(2024, 3, 31)))
            self.recruit(home, inquiry, "approved", (7, 40))
            if rng.random() < 0.06:
                assert home.approved_at is not None
                paused = max(home.approved_at, self.at(date(2025, 1, 1)))
                home.paused_at = paused + timedelta(
                    days=rng.randint(0, max(0, (self.now - paused).days - 1))
                )
                home.pause_reason = self.pick(
                    {"family_circumstances": 0.4, "respite": 0.3, "under_review": 0.2, "other": 0.1}
                )
        elif u < 0.90:  # being recruited now
            until = rng.choice(STAGES[:-1])
            recent = self.today - timedelta(days=300)
            inquiry = self.at(self.day_between(recent, self.today - timedelta(days=90)))
            self.recruit(home, inquiry, until, (3, 12))
        else:  # withdrew on the way, or after years as a foster home
            until = rng.choice(STAGES)
            inquiry = self.at(self.day_between(date(2015, 1, 1), date(2025, 6, 30)))
            self.recruit(home, inquiry, until, (7, 40))
            at = max([home.inquiry_at, *(t["at"] for t in home.transitions)])
            days = min(400, (self.now - at).days - 1)
            home.go(
                "withdrawn",
                at + timedelta(days=rng.randint(1, max(1, days))),
                reason=self.pick(
                    {"family_withdrew": 0.6, "assessed_unsuitable": 0.3, "other": 0.1}
                ),
            )
        return home

    def kinship_home(self, child: Child) -> Home:
        home = self.home("kinship")
        home.region, home.municipality_number = child.region, child.municipality_number
        home.recruitment_source = "child_network"
        home.kinship_request_id = child.id
        return home


def make_data(requests: int, homes: int, today: date, seed: int = SEED) -> Data:
    """`requests` requests and `homes` foster homes, consistent with the service's rules (see
    the module's docstring)."""
    maker = Maker(seed, today)
    children = [maker.child(index) for index in range(requests)]
    fates = maker.fates(children)
    kinship = max(4, round(homes * 0.035))
    history = History(
        maker, Data(children, [maker.ordinary_home() for _ in range(homes - kinship)])
    )
    # A few kinship homes, each for one child: placed there, approved and waiting to be
    # proposed, still being assessed, or withdrawn when the request was.
    for fate, share in (("placed", 4 / 7), ("open", 2 / 7), ("withdrawn", 1.0)):
        count = min(round(kinship * share), kinship - (len(history.data.homes) - history.ordinary))
        for child in maker.rng.sample([c for c in children if fates[c.id] == fate], count):
            fates[child.id] = "kinship"
            history.kinship(child, fate)
    history.placements(children, fates)
    history.today(children, fates)
    history.waiting_reasons(children)
    return history.data


class History:
    """What happened to the requests and the homes, in the service's order: a proposal
    after the home's approval, a placement after its accepted proposal, never more children
    in a home than its places."""

    def __init__(self, maker: Maker, data: Data) -> None:
        self.maker, self.rng, self.data = maker, maker.rng, data
        self.ordinary = len(data.homes)
        self.homes = list(data.homes)
        self.by_region: dict[str, list[Home]] = {}
        for home in data.homes:
            self.by_region.setdefault(home.region, []).append(home)

    def talked_to(self, child: Child, by: date) -> None:
        """The child talked to alone, the view recorded (before a kinship home's proposal)."""
        self.data.conversations.append(
            {
                "id": uuid4(),
                "foster_home_request_id": child.id,
                "held_on": self.maker.day_between(child.requested_on, by),
                "method": self.maker.pick({"in_person": 0.7, "video": 0.2, "phone": 0.1}),
                "view_recorded": True,
            }
        )

    def propose(
        self,
        child: Child,
        home: Home,
        at: datetime,
        status: str,
        decided: datetime | None = None,
        reason: str | None = None,
    ) -> UUID:
        proposal = uuid4()
        self.data.proposals.append(
            {
                "id": proposal,
                "foster_home_request_id": child.id,
                "foster_home_id": home.id,
                "proposed_at": at,
                "status": status,
                "decided_at": decided,
                "decline_reason": reason,
            }
        )
        child.version += 2 if decided else 1
        if reason is not None:  # declined: the child waits on, and why
            waiting = WAITING_REASON_OF_DECLINE[DeclineReason(reason)]
            assert decided is not None
            self.waiting(child, str(waiting), clock.oslo_date(decided))
        return proposal

    def settle_in(self, child: Child, home: Home, proposal: UUID, start: date) -> None:
        """The placement after the accepted proposal; a quarter ended since."""
        end: date | None = None
        if self.rng.random() < 0.25:
            end = start + timedelta(days=self.rng.randint(30, 700))
            end = end if end < self.maker.today else None
        reason = self.maker.pick({"planned": 0.5, "breakdown": 0.3, "moved": 0.15, "other": 0.05})
        self.data.placements.append(
            {
                "id": uuid4(),
                "foster_home_request_id": child.id,
                "foster_home_id": home.id,
                "proposal_id": proposal,
                "region": child.region,
                "municipality_number": child.municipality_number,
                "home_region": home.region,
                "home_municipality_number": home.municipality_number,
                "kind": home.kind,
                "child_key": child.child_key,
                "age_years": clock.age_on(child.birth_date, start),
                "far_from_home": home.region != child.region,
                "start_date": start,
                "end_date": end,
                "end_reason": reason if end else None,
                "version": 2 if end else 1,
            }
        )
        home.taken_until.append(end)
        child.status, child.placed_on = "placed", start
        child.version += 1

    def waiting(self, child: Child, reason: str, day: date) -> None:
        self.data.waiting_reasons.append(
            {"id": uuid4(), "foster_home_request_id": child.id, "reason": reason, "from_date": day}
        )

    def withdraw(self, child: Child, at: datetime, reason: str) -> None:
        child.status, child.withdrawn_at, child.withdrawal_reason = "withdrawn", at, reason
        child.version += 1

    def kinship(self, child: Child, fate: str) -> None:
        """A kinship home recruited for `child`: approved and the child placed there
        (`placed`), approved or still assessed (`open`), or withdrawn with the request."""
        maker, rng = self.maker, self.rng
        home = maker.home("kinship")
        home.region, home.municipality_number = child.region, child.municipality_number
        home.recruitment_source, home.kinship_request_id = "child_network", child.id
        self.data.homes.append(home)
        inquiry = maker.at(child.requested_on + timedelta(days=rng.randint(1, 5)))
        if fate == "withdrawn":
            maker.recruit(home, inquiry, "information_meeting", (2, 6))
            gone = home.transitions[-1]["at"] + timedelta(days=rng.randint(10, 60))
            self.withdraw(child, gone, "kinship_solution")
            home.go("withdrawn", gone + timedelta(days=1), reason="request_ended")
            return
        approved = fate == "placed" or rng.random() < 0.6
        maker.recruit(home, inquiry, "approved" if approved else "home_study", (2, 6))
        home.suited_for = [need for need in child.needs if need in HOME_NEEDS]
        if not approved:
            return
        assert home.approved_at is not None
        home.places = 1
        proposed = home.approved_at + timedelta(days=rng.randint(1, 5))
        self.talked_to(child, clock.oslo_date(proposed))
        if fate == "placed":
            decided = proposed + timedelta(days=rng.randint(1, 3))
            proposal = self.propose(child, home, proposed, "accepted", decided)
            self.settle_in(child, home, proposal, clock.oslo_date(decided) + timedelta(days=2))

    def home_for(self, child: Child, day: date, at: datetime) -> Home | None:
        """A home to propose at `at` with a place free on `day`: mostly in the child's own
        region, else anywhere."""
        pools = [self.homes] if self.rng.random() > 0.85 else []
        for pool in (*pools, self.by_region[child.region], self.homes):
            free = [home for home in pool if home.proposable(at) and home.free_on(day)]
            if free:
                return self.rng.choice(free)
        return None

    def placements(self, children: list[Child], fates: dict[UUID, str]) -> None:
        """Day by day, each placement into a home with a place free that day, after its
        proposal was accepted; now and then a proposal declined before (placed or not)."""
        rng, maker = self.rng, self.maker
        events: list[tuple[date, int, Child]] = []
        for index, child in enumerate(children):
            if fates[child.id] == "placed":
                wait = 0 if rng.random() < 0.15 else min(400, int(rng.expovariate(1 / 50)))
                start = max(child.desired, child.requested_on + timedelta(days=3))
                events.append((start + timedelta(days=wait), index, child))
            elif fates[child.id] in ("open", "proposed", "accepted") and rng.random() < 0.12:
                day = max(child.desired, child.requested_on) + timedelta(days=rng.randint(1, 60))
                events.append((day, index, child))
        events.sort(key=lambda event: event[:2])
        for day, _index, child in events:
            if fates[child.id] != "placed":
                proposed = maker.at(day, 10)
                home = self.home_for(child, day, proposed)
                if home is not None:
                    decided = proposed + timedelta(days=rng.randint(1, 7), hours=2)
                    reason = str(maker.pick(dict.fromkeys(DeclineReason, 1.0)))
                    self.propose(child, home, proposed, "declined", decided, reason)
                continue
            first = max(child.requested_on + timedelta(days=1), day - timedelta(days=21))
            proposed_on = maker.day_between(first, day - timedelta(days=1))
            proposed = maker.at(proposed_on, 10)
            home = self.home_for(child, day, proposed)
            if home is None:  # no place anywhere: waits on
                fates[child.id] = "open"
                continue
            decided_on = maker.day_between(proposed_on, min(day, proposed_on + timedelta(days=3)))
            proposal = self.propose(child, home, proposed, "accepted", maker.at(decided_on, 15))
            self.settle_in(child, home, proposal, day)

    def today(self, children: list[Child], fates: dict[UUID, str]) -> None:
        """Live proposals of these weeks, each holding a place free today (awaiting a
        decision, or accepted and awaiting the move); the withdrawals."""
        rng, maker = self.rng, self.maker
        for child in children:
            fate = fates[child.id]
            if fate in ("proposed", "accepted"):
                proposed = maker.now - timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 6))
                home = self.home_for(child, maker.today, proposed)
                if home is None or home.paused_at is not None:
                    continue
                if fate == "accepted":
                    decided = proposed + timedelta(days=rng.randint(1, 2))
                    self.propose(child, home, proposed, "accepted", decided)
                else:
                    self.propose(child, home, proposed, "pending")
                home.taken_until.append(None)
                child.status = "proposed"
            elif fate == "withdrawn":
                earliest = max(child.requested_on, child.desired - timedelta(days=20))
                last = min(maker.today, child.desired + timedelta(days=150))
                at = max(
                    child.requested_at + timedelta(hours=1),
                    maker.at(maker.day_between(earliest, last)),
                )
                reason = maker.pick(
                    {
                        "other_measure": 0.4,
                        "returned_home": 0.3,
                        "kinship_solution": 0.2,
                        "other": 0.1,
                    }
                )
                self.withdraw(child, at, reason)

    def waiting_reasons(self, children: list[Child]) -> None:
        """Why some of the children waited, recorded while they waited."""
        for child in children:
            until = (
                child.placed_on
                or (clock.oslo_date(child.withdrawn_at) if child.withdrawn_at else None)
                or self.maker.today
            )
            if (until - child.desired).days > 14 and self.rng.random() < 0.45:
                for _ in range(self.rng.randint(1, 2)):
                    day = self.maker.day_between(child.desired, until - timedelta(days=1))
                    self.waiting(child, self.maker.pick(WAITING_REASONS), day)


# the measurement ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """What the measured answers hold, asked once before they are measured."""

    waiting_national: int
    waiting_vest: int
    candidates: list[int]  # of a few of the open requests

    def as_json(self) -> dict[str, Any]:
        return {
            "waiting_as_of": AS_OF.isoformat(),
            "children_waiting_national": self.waiting_national,
            "children_waiting_vest": self.waiting_vest,
            "candidates_of_sampled_requests": {
                "requests": len(self.candidates),
                "min": min(self.candidates),
                "median": statistics.median(self.candidates),
                "max": max(self.candidates),
            },
        }


def waiting_path(region: str | None = None) -> str:
    return f"/v1/waiting-list?as_of={AS_OF}&limit=50" + (f"&region={region}" if region else "")


def candidates_path(request: UUID) -> str:
    return f"/v1/foster-home-requests/{request}/candidates"


async def check_answers(base: str, auth: dict[str, str], requests: list[UUID]) -> Asked:
    async with httpx.AsyncClient(base_url=base, headers=auth, timeout=30) as client:
        national = await count_pages(client, "/v1/waiting-list", as_of=str(AS_OF), limit=500)
        vest = await count_pages(
            client, "/v1/waiting-list", as_of=str(AS_OF), region="vest", limit=500
        )
        candidates = [
            await count_pages(client, candidates_path(request), limit=500)
            for request in requests[:20]
        ]
    return Asked(national, vest, candidates)


# the queries' plans ----------------------------------------------------------------------


async def explain_queries(url: str, data: Data, request_id: UUID) -> dict[str, str]:
    """EXPLAIN ANALYZE of the waiting list's and the candidates' statements on the seeded
    data, with the values the service binds (service_part.explain_plans: the plan for them, and
    the generic one)."""
    request = next(r for r in data.requests if r.id == request_id)
    statements: dict[str, tuple[DriverStatement, dict[str, Any]]] = {
        "waiting list national": (
            _WAITING,
            {"as_of": AS_OF, "region": None, "municipality_number": None},
        ),
        "waiting list vest": (
            _WAITING,
            {"as_of": AS_OF, "region": "vest", "municipality_number": None},
        ),
        "candidates": (
            _CANDIDATES,
            {
                "today": clock.today_in_oslo(),
                "request_id": request.id,
                "needs": request.needs,
                "municipality_number": request.municipality_number,
                "region": request.region,
            },
        ),
    }
    return await explain_plans(
        url,
        {
            name: (statement.sql, statement.arguments({**parameters, "limit": 51, "offset": 0}))
            for name, (statement, parameters) in statements.items()
        },
    )


async def main(
    *,
    seconds: float,
    rounds: int,
    clients: int,
    homes: int,
    requests: int,
    explain: bool = False,
    profiling: bool = False,
) -> int:
    async with Part(FOSTER_CARE) as part:
        seeding = time.perf_counter()
        data = await asyncio.to_thread(make_data, requests, homes, clock.today_in_oslo())
        await seed_tables(part.url, data.tables())
        seed_seconds = time.perf_counter() - seeding
        counts = data.counts()
        print(f"\nfoster_care seeded in {seed_seconds:.1f} s: {json.dumps(counts)}")

        part.serve()
        base, auth = part.base, part.auth
        open_requests = data.open_requests()
        random.Random(SEED).shuffle(open_requests)
        sample = open_requests[:OPEN_SAMPLE]
        asked = await check_answers(base, auth, sample)
        print(
            f"waiting as of {AS_OF}: {asked.waiting_national} children ({asked.waiting_vest} "
            f"in vest); candidates of {len(asked.candidates)} open requests: "
            f"{min(asked.candidates)} to {max(asked.candidates)} homes "
            f"(median {statistics.median(asked.candidates):.0f}; answered 50 a page)"
        )
        plans = await explain_queries(part.url, data, sample[0]) if explain else None

        national = request_bytes("GET", base + waiting_path(), headers=auth)
        vest = request_bytes("GET", base + waiting_path("vest"), headers=auth)
        candidates = [
            request_bytes("GET", f"{base}{candidates_path(request)}", headers=auth)
            for request in sample
        ]
        pid = part.process.pid
        endpoints = [
            Endpoint("GET waiting list national", base, lambda _i: national, pid),
            Endpoint("GET waiting list vest", base, lambda _i: vest, pid),
            Endpoint(
                "GET candidates of an open request",
                base,
                lambda i: candidates[i % len(candidates)],  # the sample is in random order
                pid,
            ),
        ]
        measured = await part.measure(
            endpoints,
            rounds=rounds,
            clients=clients,
            seconds=seconds,
            profile="profile-foster-care.txt" if profiling else None,
        )
        summary = report(
            measured, {endpoint.name: P99_MS for endpoint in endpoints}, issue="issue 9"
        )
        part.finish(
            "foster_care",
            {
                "clients": clients,
                "seconds": seconds,
                "rounds": rounds,
                "seeded": counts,
                "seed_seconds": round(seed_seconds, 1),
                **asked.as_json(),
                **summary,
                **({"plans": plans} if plans else {}),
            },
        )
        return 0
