"""The demo year's foster-care part: 2024 in foster_care, made through its public API.

The year is planned whole first, as plain data (`plan`), then made (`generate`): every
request, foster home, proposal and placement with its dates, so that the gateway's KPIs land
on the 2024 figures of KPIS.md and DOMAIN.md for any scale and any seed.

- **Children waiting.** 224 children wait on 1.1.2024 (requests of 2023 and before, 84 of
  them more than half a year); 1 150 requests arrive in 2024. The waits are built from evenly
  spaced quantiles, band by band, so the stock at 31.12 (331: 159 more than 180 days, 300 more
  than 30) and the mean and median over every child waiting during 2024 (249 / 184) hold
  exactly: a child placed in 2024 counts from its desired start date to its move-in, a child
  still waiting to 31.12, a child who waited on 1.1 with all its days. The rest of the year's
  requests are met on their desired date, or withdrawn before it.
- **Foster homes.** The families that completed basic training in 2024 are 391: kinship
  homes recruited for one child each (in the child's own municipality, after a family group
  conference, the child talked to alone before the proposal) and homes recruited by campaigns
  and associations, who go on to the home study and approval. Families also drop out at every
  stage, by reason, and some are still on the way at the end of the year. Homes approved
  before 2024 hold the children placed in 2023; a place a child leaves is offered again.
- **Placements.** A request is met by a proposal, accepted, and the move-in; some proposals
  are declined first (and say why the child still waits: eight of ten wait because no
  suitable home was found). A home is found in the child's own region, except for a few
  placed far from home; an emergency home's stay ends after weeks, and a share of the
  placements that end in 2024 break down.

Seeded: the seed decides who lives where, ages and needs, and which of the dealt cases is
which; the dates that carry the figures do not depend on it. Every call names what it stands
for in its Idempotency-Key, so the load can be run again and creates nothing new.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from demo import world
from demo.calibration import Figure
from demo.client import Api, Platform
from foster_care.codes import Stage

# The 2024 figures (KPIS.md, DOMAIN.md and the annual report's digest).
REQUESTS = 1150  # foster-home requests from municipalities in 2024
EVE = date(2023, 12, 31)  # the day the 2023 stock is as of
WAITING_EVE, OVER_30_EVE, OVER_180_EVE = 224, 210, 84  # 31.12.2023: waiting, > 30 d, > 180 d
WAITING_END, OVER_30_END, OVER_180_END = 331, 300, 159  # 31.12.2024 (159/300: "over 50 %")
MEAN_WAIT, MEDIAN_WAIT = 249, 184  # over every child waiting during 2024
TRAINED = 391  # families that completed basic training in 2024
BREACHES = 2  # foster-home requests (and children) in breach of the duty to assist
NO_SUITABLE_HOME = 0.8  # "8 of 10 wait because no suitable home was found"

# Plausible shares with no published figure (dealt exactly, so they are figures too).
KINSHIP_SHARE = 0.22  # of the placements started in 2024
FAR_SHARE = 0.06  # placements started in 2024 in a home in another region
BREAKDOWN_SHARE = 0.2  # of the placements ended in 2024
CONFERENCE_SHARE = 0.25  # of the 2024 requests, a family group conference offered
CONFERENCE_HELD = 0.8  # of those offered, held
CONFERENCE_RECRUITING = 0.7  # of those held, aimed at recruiting a foster home

# The year's shape (no figure of its own; chosen so the figures above land).
CARRY_STILL = 76  # of the 224 waiting on 1.1.2024: still waiting at 31.12.2024
CARRY_STILL_LONG = 50  # of them: waiting more than 180 days already on 1.1
CARRY_WITHDRAWN = 14
CARRY_TAIL = 280.0  # days: the tail of the long waits on 1.1 (> 180 days), up to two years
CARRY_RESIDUAL = 230.0  # days: how long into 2024 the placed ones waited still
WAITED = 120  # 2024's children who waited and whose wait ended in 2024
WAITED_WITHDRAWN = 15
WAITED_MEDIAN, WAITED_MEAN = 130.0, 170.0  # their days waited
WITHDRAWN_BEFORE = 300  # requests withdrawn before their desired start date
PLACED_2023 = 180  # children placed in 2023, living in the homes approved before 2024
ENDED_2023 = 0.45  # of those, placements ending in 2024
ENDED_2024 = 0.04  # of 2024's, ending in 2024 (other than in emergency homes)
DECLINED_FIRST = 0.15  # of the children who waited and were placed: a proposal declined first

# Reasons and kinds, each with its share.
END_REASONS = {"planned": 0.55, "moved": 0.3, "other": 0.15}  # besides the breakdowns
EMERGENCY_END_REASONS = {"planned": 0.7, "moved": 0.3}
WITHDRAWAL_REASONS = {
    "other_measure": 0.4,
    "kinship_solution": 0.3,
    "returned_home": 0.25,
    "other": 0.05,
}
HOME_KINDS = {
    "ordinary": 0.62,
    "reinforced": 0.15,
    "emergency": 0.12,
    "specialised": 0.06,
    "family_home": 0.05,
}
PLACES = {"ordinary": (1, 1, 1, 2), "reinforced": (1,), "emergency": (2,), "specialised": (1,)}
PLACES_DEFAULT = (2, 3)
SOURCES = {"campaign": 0.55, "local_association": 0.2, "other": 0.25}
NEEDS = (
    "siblings_together",
    "close_to_school",
    "close_to_family",
    "language",
    "culture_religion",
    "health",
    "disability",
    "behaviour_support",
)
HOME_NEEDS = ("siblings_together", "language", "health", "behaviour_support", "young_child")
AGES = {(0, 5): 0.1, (6, 9): 0.3, (10, 17): 0.6}  # the waiting children's ages (digest 1.7)
CONVERSATIONS = ("in_person", "in_person", "in_person", "video", "phone")  # talked to alone
FAR = {"ost": "sor", "sor": "ost", "vest": "sor", "midt": "vest", "nord": "midt"}

PATHS = {
    "requests": "/v1/foster-home-requests",
    "homes": "/v1/foster-homes",
    "placements": "/v1/foster-placements",
}

FIGURES: list[Figure] = [
    Figure("foster_care", "Foster-home requests 2024", "fc.requests", REQUESTS),
    Figure(
        "foster_care",
        "Children waiting for a foster home 31.12.2024",
        "fc.waiting",
        WAITING_END,
        params={"period": "2024", "as_of": "2024-12-31"},
    ),
    # The annual report's 159 "waiting more than 180 days" is a stock at 31.12 (84 a year
    # earlier; 159/331 = 48 %), which fc.waiting_half_year_share counts. fc.waiting_days's
    # count_over_180 counts over every child waiting during the year, the population of its
    # mean and median: with a median of 184 days, over half of them (303 here).
    Figure(
        "foster_care",
        "Children waiting more than 180 days 31.12.2024",
        "fc.waiting_half_year_share",
        OVER_180_END,
        measure="numerator",
    ),
    Figure(
        "foster_care",
        "Share waiting > 180 of > 30 days 31.12.2024",
        "fc.waiting_half_year_share",
        OVER_180_END / OVER_30_END,
        counts=False,
    ),
    Figure(
        "foster_care",
        "Waiting time 2024, mean (days)",
        "fc.waiting_days",
        MEAN_WAIT,
        measure="mean",
        counts=False,
    ),
    Figure(
        "foster_care",
        "Waiting time 2024, median (days)",
        "fc.waiting_days",
        MEDIAN_WAIT,
        measure="median",
        counts=False,
    ),
    Figure(
        "foster_care",
        "Children waiting for a foster home 31.12.2023",
        "fc.waiting",
        WAITING_EVE,
        params={"period": "2023"},
    ),
    Figure(
        "foster_care",
        "Children waiting more than 180 days 31.12.2023",
        "fc.waiting_half_year_share",
        OVER_180_EVE,
        measure="numerator",
        params={"period": "2023"},
    ),
    Figure(
        "foster_care",
        "Share waiting > 180 of > 30 days 31.12.2023",
        "fc.waiting_half_year_share",
        OVER_180_EVE / OVER_30_EVE,
        params={"period": "2023"},
        counts=False,
    ),
    Figure(
        "foster_care",
        "Families completing basic training 2024",
        "fc.recruitment_funnel",
        TRAINED,
        measure="training_completed",
    ),
    Figure(
        "foster_care",
        "Breaches of the duty to assist, foster home: requests",
        "cap.breaches",
        BREACHES,
        params={"period": "2024", "kind": "foster_home"},
        counts=False,
    ),
    Figure(
        "foster_care",
        "Breaches of the duty to assist, foster home: children",
        "cap.breaches",
        BREACHES,
        measure="children",
        params={"period": "2024", "kind": "foster_home"},
        counts=False,
    ),
    Figure("foster_care", "Kinship share 2024", "fc.kinship_share", KINSHIP_SHARE, counts=False),
    Figure(
        "foster_care",
        "Placed far from home 2024",
        "fc.placed_far_from_home",
        FAR_SHARE,
        counts=False,
    ),
    Figure(
        "foster_care", "Placement breakdowns 2024", "fc.breakdowns", BREAKDOWN_SHARE, counts=False
    ),
    Figure(
        "foster_care",
        "Children offered a family group conference 2024",
        "fc.family_group_conferences",
        REQUESTS * CONFERENCE_SHARE,
    ),
    Figure(
        "foster_care",
        "First conference aimed at recruiting a home 2024",
        "fc.family_group_conferences",
        REQUESTS * CONFERENCE_SHARE * CONFERENCE_HELD * CONFERENCE_RECRUITING,
        measure="first_aimed_at_recruiting",
    ),
]

DAY = timedelta(days=1)
YEAR_START, END = world.YEAR_START, world.YEAR_END
AUGUST = date(2024, 8, 15)
_PHI = (math.sqrt(5) - 1) / 2


# The plan -----------------------------------------------------------------------------------


@dataclass(eq=False)
class Request:
    index: int
    group: str  # carried (waiting on 1.1.2024), waiting, waited, met (2024's), placed_2023
    requested: date
    desired: date
    fate: str  # placed, withdrawn, waiting (at the end of 2024)
    ends: date | None  # the move-in or the withdrawal
    region: str = ""
    municipality: str = ""
    birth: date = date(2010, 1, 1)
    needs: list[str] = field(default_factory=list)
    wishes_on: date | None = None
    reasons: list[tuple[str, date]] = field(default_factory=list)
    conference: tuple[date, date | None, bool] | None = None
    conversation: date | None = None
    uses: list[Use] = field(default_factory=list)
    withdrawal_reason: str = ""
    breach: date | None = None
    kinship: bool = False
    far: bool = False


@dataclass(eq=False)
class Home:
    index: int
    region: str
    municipality: str
    kind: str
    source: str
    places: int
    inquiry: date
    stages: list[tuple[str, date, str | None]]  # (stage, day, withdrawal reason)
    programme: str = "SOLID"
    kinship_for: Request | None = None
    suited_for: list[str] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)

    @property
    def approved(self) -> date | None:
        return next((day for stage, day, _ in self.stages if stage == "approved"), None)


@dataclass(eq=False)
class Slot:
    home: Home
    free_from: date | None  # None: taken for good
    uses: list[Use] = field(default_factory=list)


@dataclass(eq=False)
class Use:
    """A proposal of a home's place to a request, and what came of it."""

    index: int
    request: Request
    proposed: date
    decided: date
    outcome: str  # accepted, a decline reason, or `withdrew`: the home withdrew for good
    start: date | None = None  # the move-in, when accepted
    ends: date | None = None  # the placement's end
    end_reason: str = ""
    slot: Slot | None = None
    after_slot: Use | None = None
    after_request: Use | None = None


@dataclass
class Plan:
    requests: list[Request]
    homes: list[Home]
    uses: list[Use]


def _n(count: float, scale: float) -> int:
    return round(count * scale)


def _mixed(n: int) -> list[int]:
    """0 … n-1 in a well-mixed order that is the same for every seed (golden-ratio steps)."""
    return sorted(range(n), key=lambda i: ((i + 1) * _PHI) % 1.0)


def _picked(items: Sequence[Any], count: int) -> set[int]:
    """The indices of `count` of `items`, spread over them (the same for every seed)."""
    return set(_mixed(len(items))[:count])


def _even(n: int, low: int, high: int) -> list[int]:
    """n whole numbers spread evenly over [low, high]."""
    return [low + int((i + 0.5) * (high - low + 1) / n) for i in range(n)]


def _exponential(n: int, low: int, high: int, mean: float) -> list[int]:
    """n quantiles of an exponential distribution from `low`, cut at `high`."""
    cut = 1 - math.exp(-(high - low) / mean)
    return [low + int(-mean * math.log(1 - (i + 0.5) / n * cut)) for i in range(n)]


def _lognormal(n: int, median: float, mean: float, high: int) -> list[int]:
    values = world.quantiles(n, world.lognormal(median, mean))
    return [max(1, min(high, round(value))) for value in values]


def _fraction(i: int) -> float:
    return ((i + 1) * _PHI) % 1.0


def _between(first: date, last: date, fraction: float) -> date:
    return first + timedelta(days=int(fraction * max(0, (last - first).days)))


def _waits(scale: float) -> list[Request]:
    """The requests with their dates: who waited, from when, and until when."""
    requests: list[Request] = []

    def add(requested: date, desired: date, fate: str, ends: date | None) -> Request:
        request = Request(len(requests), group, requested, desired, fate, ends)
        requests.append(request)
        return request

    def lead(i: int, desired: date, low: date) -> date:
        """When a request for `desired` was made: 1–6 weeks before, not before `low`."""
        return min(desired, max(low, desired - timedelta(days=7 + int(_fraction(i) * 35))))

    # Waiting on 1.1.2024: ages on 31.12.2023 by band, the longest up to two years.
    group = "carried"
    carried = round(WAITING_EVE * scale)
    long = round(OVER_180_EVE * scale)
    recent = carried - round(OVER_30_EVE * scale)
    ages = (
        _even(recent, 1, 30)
        + _even(carried - long - recent, 31, 180)
        + _exponential(long, 181, 730, CARRY_TAIL)
    )
    still_long = _n(CARRY_STILL_LONG, scale)
    still = {carried - long + i for i in _picked(range(long), still_long)}
    still |= set(_picked(range(carried - long), _n(CARRY_STILL, scale) - still_long))
    ended = [i for i in range(carried) if i not in still]
    residuals = _exponential(len(ended), 2, 364, CARRY_RESIDUAL)
    withdrawn = _picked(ended, _n(CARRY_WITHDRAWN, scale))
    order = _mixed(len(ended))
    for i, age in enumerate(ages):
        desired = EVE - timedelta(days=age)
        requested = lead(i, desired, date(2021, 1, 1))
        if i in still:
            add(requested, desired, "waiting", None)
        else:
            k = ended.index(i)
            day = EVE + timedelta(days=residuals[order[k]])
            add(requested, desired, "withdrawn" if k in withdrawn else "placed", day)

    # 2024's requests still waiting at 31.12.2024, by band of days waited.
    group = "waiting"
    first = YEAR_START + DAY  # (not on New Year's Day)
    waiting = round(WAITING_END * scale) - len(still)
    recent = round(WAITING_END * scale) - round(OVER_30_END * scale)
    long = round(OVER_180_END * scale) - len(still)
    for i, age in enumerate(
        _even(recent, 1, 30) + _even(waiting - recent - long, 31, 180) + _even(long, 181, 365)
    ):
        desired = END - timedelta(days=age)
        add(lead(i, desired, first), desired, "waiting", None)

    # 2024's requests that waited, and were placed or withdrawn within the year.
    group = "waited"
    waited = _n(WAITED, scale)
    days = _lognormal(waited, WAITED_MEDIAN, WAITED_MEAN, 330)
    withdrawn = _picked(range(waited), _n(WAITED_WITHDRAWN, scale))
    for i, wait in enumerate(days):
        desired = _between(YEAR_START, END - timedelta(days=wait), _fraction(i + 7))
        fate = "withdrawn" if i in withdrawn else "placed"
        add(lead(i, desired, first), desired, fate, desired + timedelta(days=wait))

    # The rest of 2024's requests: met on the desired date, or withdrawn before it.
    group = "met"
    rest = _n(REQUESTS, scale) - (len(requests) - carried)
    withdrawn = _picked(range(rest), _n(WITHDRAWN_BEFORE, scale))
    for i, requested in enumerate(world.spread_days(rest)):
        longest = 210 if _fraction(i + 3) < 0.3 else 75  # some planned long ahead
        desired = min(END, requested + timedelta(days=10 + int(_fraction(i) * (longest - 10))))
        if i in withdrawn:
            gone = _between(requested, desired, _fraction(i + 11))
            add(requested, desired, "withdrawn", gone)
        else:
            add(requested, desired, "placed", desired)
    return requests


def _placed_2023(scale: float, requests: list[Request]) -> None:
    """2023's children met in 2023: they live in the homes approved before 2024."""
    for i, requested in enumerate(
        world.spread_days(_n(PLACED_2023, scale), date(2023, 1, 9), date(2023, 10, 31))
    ):
        desired = requested + timedelta(days=14 + int(_fraction(i) * 46))
        start = min(date(2023, 12, 15), desired + timedelta(days=int(_fraction(i + 5) ** 2 * 90)))
        requests.append(Request(len(requests), "placed_2023", requested, desired, "placed", start))


def _people(rng: random.Random, requests: list[Request]) -> None:
    """Where each child lives (regions by population, group by group), age, needs, wishes."""
    groups: dict[str, list[Request]] = {}
    for request in requests:
        groups.setdefault(request.group, []).append(request)
    for members in groups.values():
        regions = world.shuffled(rng, world.regions_of(len(members)))
        bands = world.dealt(
            rng, len(members), {f"{low}-{high}": s for (low, high), s in AGES.items()}
        )
        for request, region, band in zip(members, regions, bands, strict=True):
            request.region = region
            request.municipality = world.municipality(rng, region)
            low, high = (int(part) for part in band.split("-"))
            age = rng.randint(low, high)
            desired = request.desired
            try:
                anniversary = desired.replace(year=desired.year - age)
            except ValueError:  # 29 February
                anniversary = desired.replace(year=desired.year - age, day=28)
            if age:
                request.birth = anniversary - timedelta(days=rng.randrange(365))
            else:  # born before the request was made
                days = rng.randint(min(364, (desired - request.requested).days + 1), 364)
                request.birth = desired - timedelta(days=days)
            count = rng.choices((0, 1, 2), weights=(4, 4, 2))[0]
            request.needs = sorted(rng.sample(NEEDS, count))
            if age < 6 and rng.random() < 0.5:
                request.needs = sorted({*request.needs, "young_child"})
            if age >= 7 and rng.random() < 0.9:  # old enough to be asked
                request.wishes_on = request.requested - timedelta(days=rng.randrange(15))


def _waited(request: Request) -> bool:
    return request.fate == "waiting" or (
        request.ends is not None and request.ends > request.desired
    )


def _first_waiting_day(request: Request) -> date:
    return max(request.desired + DAY, request.requested)


def _proposals(rng: random.Random, requests: list[Request], uses: list[Use]) -> None:
    """The proposals of each request: declined ones (why the child still waits) and the
    accepted one before the move-in; the waiting reasons recorded."""

    def use(request: Request, proposed: date, decided: date, outcome: str) -> Use:
        made = Use(len(uses), request, proposed, decided, outcome)
        uses.append(made)
        request.uses.append(made)
        return made

    waiting = [r for r in requests if r.fate == "waiting"]
    # Why the children still waiting at 31.12.2024 wait: 8 of 10 no suitable home; the rest
    # from a proposal declined during the wait.
    room = [r for r in waiting if (END - _first_waiting_day(r)).days >= 12]
    others = len(waiting) - round(NO_SUITABLE_HOME * len(waiting))
    declined = rng.sample(room, min(others, len(room)))
    reasons = world.dealt(
        rng,
        others,
        {"home_withdrew": 0.5, "municipality_declined": 0.3, "child_declined": 0.2},
    )
    withdrew = max(1, round(0.1 * reasons.count("home_withdrew"))) if others else 0
    for i, (request, reason) in enumerate(zip(declined, reasons, strict=False)):
        first = _first_waiting_day(request) + DAY
        proposed = _between(first, END - timedelta(days=6), _fraction(i))
        if reason == "home_withdrew" and withdrew:
            reason, withdrew = "withdrew", withdrew - 1
        use(request, proposed, proposed + timedelta(days=2 + i % 4), reason)

    # The accepted proposals, a week or three before the move-in; some declined first.
    placed = [r for r in requests if r.fate == "placed"]
    waited = [r for r in placed if _waited(r)]
    first_declined = set(rng.sample(waited, round(DECLINED_FIRST * len(waited))))
    reasons = world.dealt(
        rng,
        len(first_declined),
        {
            "no_suitable_match": 0.4,
            "municipality_declined": 0.25,
            "child_declined": 0.2,
            "home_withdrew": 0.15,
        },
    )
    for request in placed:
        assert request.ends is not None
        start = request.ends
        proposed = max(request.requested, start - timedelta(days=rng.randint(5, 21)))
        earliest = max(request.requested, request.desired - timedelta(days=30))
        if request in first_declined and (proposed - earliest).days >= 8:
            tried = _between(earliest, proposed - timedelta(days=7), rng.random())
            use(request, tried, tried + timedelta(days=rng.randint(1, 4)), reasons.pop())
        decided = min(start, proposed + timedelta(days=rng.randint(1, 4)))
        accepted = use(request, proposed, decided, "accepted")
        accepted.start = start

    # Why the waiting children wait, recorded at the start of the wait (most of them).
    for request in requests:
        if request.group != "placed_2023" and _waited(request) and rng.random() < 0.9:
            request.reasons.append(("no_suitable_home", _first_waiting_day(request)))
    for request in requests:
        for before, after in zip(request.uses, request.uses[1:], strict=False):
            after.after_request = before


def _stages(inquiry: date, approved: date, gaps: Sequence[int]) -> list[tuple[str, date]]:
    """The recruitment stages from the inquiry to the approval, the gaps stretched to fit."""
    span = (approved - inquiry).days
    total = sum(gaps)
    days, day = [], inquiry
    for stage, gap in zip(STAGES[1:-1], gaps[:-1], strict=True):
        day = min(day + timedelta(days=max(1, round(gap * span / total))), approved - DAY)
        days.append((stage, day))
    return [*days, ("approved", approved)]


STAGES = tuple(str(stage) for stage in Stage if stage is not Stage.withdrawn)  # in order
KINSHIP_GAPS = (7, 10, 12, 45, 4, 22)  # a family in the child's network: about 100 days
RECRUITED_GAPS = (14, 21, 28, 56, 5, 45)  # a family recruited by a campaign: half a year


def _kinship(rng: random.Random, requests: list[Request], homes: list[Home]) -> None:
    """Kinship homes for a dealt share of the children placed in 2024: recruited in the
    child's own network after a family group conference, the child talked to alone before
    the proposal."""
    started = [r for r in requests if r.fate == "placed" and r.ends and r.ends.year == 2024]
    eligible = [r for r in started if (r.uses[-1].proposed - r.requested).days >= 110]
    chosen = rng.sample(eligible, min(len(eligible), round(KINSHIP_SHARE * len(started))))
    for request in sorted(chosen, key=lambda r: r.index):
        request.kinship = True
        proposal = request.uses[-1]
        offered = request.requested + timedelta(days=rng.randint(2, 7))
        held = offered + timedelta(days=rng.randint(6, 14))
        if request.group == "carried":  # the conference was in 2023
            offered, held = min(offered, EVE), min(held, EVE)
        request.conference = (offered, held, True)
        request.conversation = max(request.requested, proposal.proposed - timedelta(days=4))
        approved = proposal.proposed - timedelta(days=rng.randint(1, 4))
        inquiry = max(held + timedelta(days=rng.randint(2, 6)), approved - timedelta(days=200))
        home = Home(
            len(homes),
            request.region,
            request.municipality,
            "kinship",
            "child_network",
            1,
            inquiry,
            [(stage, day, None) for stage, day in _stages(inquiry, approved, KINSHIP_GAPS)],
            programme=rng.choice(("SOLID", "SOLID", "PRIDE")),
            kinship_for=request,
        )
        home.slots.append(Slot(home, None, [proposal]))
        proposal.slot = home.slots[0]
        homes.append(home)


def _conferences(rng: random.Random, requests: list[Request]) -> None:
    """Family group conferences offered for a quarter of 2024's children (every kinship
    one), most held, most of those aimed at recruiting a home in the family's network."""
    year = [r for r in requests if r.group in ("waiting", "waited", "met")]
    kin = [r for r in year if r.kinship]
    rest = [r for r in year if not r.kinship]
    offered = round(CONFERENCE_SHARE * len(year))
    held = round(CONFERENCE_HELD * offered)
    recruiting = round(CONFERENCE_RECRUITING * held)
    chosen = rng.sample(rest, max(0, offered - len(kin)))
    for i, request in enumerate(chosen):
        offered_on = min(END, request.requested + timedelta(days=rng.randint(2, 10)))
        held_on = min(END, offered_on + timedelta(days=rng.randint(5, 20)))
        is_held = i < held - len(kin)
        aims = i < recruiting - len(kin)
        request.conference = (offered_on, held_on if is_held else None, aims and is_held)


def _recruited(rng: random.Random, scale: float, homes: list[Home]) -> None:
    """The families recruited by campaigns and associations who completed basic training in
    2024 (with the kinship homes, 391), and those who dropped out on the way."""
    kinship = sum(
        1
        for home in homes
        for stage, day, _ in home.stages
        if stage == "training_completed" and day.year == 2024
    )
    trained = world.spread_days(_n(TRAINED, scale) - kinship)
    regions = world.shuffled(rng, world.regions_of(len(trained)))
    kinds = world.dealt(rng, len(trained), HOME_KINDS)
    sources = world.dealt(rng, len(trained), SOURCES)
    unsuitable = _picked(trained, round(0.04 * len(trained)))
    for i, completed in enumerate(trained):
        kind = kinds[i]
        training = completed - timedelta(days=rng.randint(42, 70))
        pre = training - timedelta(days=rng.randint(14, 35))
        info = pre - timedelta(days=rng.randint(7, 21))
        inquiry = info - timedelta(days=rng.randint(5, 20))
        stages: list[tuple[str, date, str | None]] = [
            ("information_meeting", info, None),
            ("pre_assessment", pre, None),
            ("training", training, None),
            ("training_completed", completed, None),
        ]
        study = completed + timedelta(days=rng.randint(2, 10))
        if study <= END:
            stages.append(("home_study", study, None))
            if i in unsuitable:
                gone = study + timedelta(days=rng.randint(20, 40))
                if gone <= END:
                    stages.append(("withdrawn", gone, "assessed_unsuitable"))
            else:
                approved = study + timedelta(days=rng.randint(35, 80))
                if approved < END:
                    stages.append(("approved", approved, None))
        region = regions[i]
        home = Home(
            len(homes),
            region,
            world.municipality(rng, region),
            kind,
            sources[i],
            rng.choice(PLACES.get(kind, PLACES_DEFAULT)),
            inquiry,
            stages,
            programme="SOLID" if rng.random() < 0.7 else "PRIDE",
            suited_for=sorted(rng.sample(HOME_NEEDS, rng.randint(0, 2))),
        )
        if home.approved is not None:
            home.slots = [Slot(home, home.approved + DAY) for _ in range(home.places)]
        homes.append(home)

    # Drop-outs at each stage, and families still on the way at the end of the year.
    dropouts = (
        (110, "inquiry", ("family_withdrew", "family_withdrew", "other")),
        (80, "information_meeting", ("family_withdrew", "other")),
        (60, "pre_assessment", ("assessed_unsuitable",)),
        (25, "training", ("family_withdrew",)),
        (25, "information_meeting", ()),
        (20, "pre_assessment", ()),
        (35, "training", ()),
    )
    for count, last, reasons in dropouts:
        window = (date(2024, 9, 1), date(2024, 10, 15)) if not reasons else (YEAR_START, AUGUST)
        for inquiry in world.spread_days(_n(count, scale), *window):
            stages = []
            day = inquiry
            for stage in STAGES[1 : STAGES.index(last) + 1]:
                day += timedelta(days=rng.randint(10, 25))
                stages.append((stage, day, None))
            if reasons:
                day += timedelta(days=rng.randint(7, 30))
                stages.append(("withdrawn", day, rng.choice(reasons)))
            assert day <= END
            region = rng.choices(world.REGIONS, weights=list(world.POPULATION_SHARE.values()))[0]
            kind = rng.choices(list(HOME_KINDS), weights=list(HOME_KINDS.values()))[0]
            homes.append(
                Home(
                    len(homes),
                    region,
                    world.municipality(rng, region),
                    kind,
                    rng.choices(list(SOURCES), weights=list(SOURCES.values()))[0],
                    1,
                    inquiry,
                    stages,
                    programme="SOLID" if rng.random() < 0.7 else "PRIDE",
                )
            )


def _stays(rng: random.Random, uses: list[Use]) -> None:
    """Which placements end in 2024 (besides the emergency homes' short stays): almost half
    of 2023's, a few of 2024's."""
    accepted = [u for u in uses if u.outcome == "accepted"]
    earlier = [u for u in accepted if u.request.group == "placed_2023"]
    for i in _picked(earlier, round(ENDED_2023 * len(earlier))):
        use = earlier[i]
        assert use.start is not None
        first = max(use.start + timedelta(days=60), date(2024, 1, 10))
        use.ends = _between(first, END - DAY, _fraction(i + 2))
    later = [u for u in accepted if u.start is not None and u.start.year == 2024]
    for use in rng.sample(later, round(ENDED_2024 * len(later))):
        assert use.start is not None
        ends = use.start + timedelta(days=rng.randint(60, 200))
        use.ends = ends if ends < END else None


def _far(rng: random.Random, requests: list[Request]) -> None:
    started = [r for r in requests if r.fate == "placed" and r.ends and r.ends.year == 2024]
    near = [r for r in started if not r.kinship]
    for request in rng.sample(near, round(FAR_SHARE * len(started))):
        request.far = True


def _home_before(rng: random.Random, homes: list[Home], region: str, day: date) -> Home:
    """A home approved before `day` (before 2024 for 2024's children): the homes already
    there when the year began."""
    if day.year >= 2024:
        approved = date(2023, 1, 20) + timedelta(days=rng.randint(0, 300))
    else:
        approved = day - timedelta(days=rng.randint(20, 300))
    inquiry = approved - timedelta(days=rng.randint(150, 220))
    kind = rng.choices(list(HOME_KINDS), weights=list(HOME_KINDS.values()))[0]
    home = Home(
        len(homes),
        region,
        world.municipality(rng, region),
        kind,
        rng.choices(list(SOURCES), weights=list(SOURCES.values()))[0],
        rng.choice(PLACES.get(kind, PLACES_DEFAULT)),
        inquiry,
        [(stage, d, None) for stage, d in _stages(inquiry, approved, RECRUITED_GAPS)],
        programme="SOLID" if approved.year >= 2023 and rng.random() < 0.7 else "PRIDE",
        suited_for=sorted(rng.sample(HOME_NEEDS, rng.randint(0, 2))),
    )
    home.slots = [Slot(home, approved + DAY) for _ in range(home.places)]
    homes.append(home)
    return home


def _match(rng: random.Random, homes: list[Home], uses: list[Use]) -> None:
    """Each proposal a free place in an approved home of the child's region (another region
    for the children placed far from home): the place free longest first; where none is free,
    a home approved before 2024 that was waiting for a child."""
    slots: dict[str, list[Slot]] = {region: [] for region in world.REGIONS}
    for home in homes:
        if home.kind != "kinship":
            slots[home.region].extend(home.slots)
    for use in sorted((u for u in uses if u.slot is None), key=lambda u: (u.proposed, u.index)):
        request = use.request
        region = (
            FAR[request.region] if use.outcome == "accepted" and request.far else request.region
        )
        free = [s for s in slots[region] if s.free_from is not None and s.free_from <= use.proposed]
        if use.outcome == "withdrew" or not free:
            home = _home_before(rng, homes, region, use.proposed)
            if use.outcome != "withdrew":
                slots[region].extend(home.slots)
            free = home.slots
        slot = min(free, key=lambda s: (s.free_from or END, s.home.index))
        use.slot = slot
        slot.uses.append(use)
        if use.outcome == "withdrew":
            slot.free_from = None
        elif use.outcome != "accepted":
            slot.free_from = use.decided + DAY
        else:
            assert use.start is not None
            if slot.home.kind == "emergency":
                ends = use.start + timedelta(days=rng.randint(45, 150))
                use.ends = ends if ends < END else None
            slot.free_from = (
                None if use.ends is None else use.ends + timedelta(days=7 + use.index % 15)
            )
    for home in homes:
        for slot in home.slots:
            for before, after in zip(slot.uses, slot.uses[1:], strict=False):
                after.after_slot = before


def _end_reasons(rng: random.Random, uses: list[Use]) -> None:
    """Why the placements ended: a fifth of 2024's endings break down; an emergency home's
    stay mostly ends as planned (the child moves on to a foster home)."""
    ended = [u for u in uses if u.ends is not None]
    year = [u for u in ended if u.ends is not None and u.ends.year == 2024]
    other = [u for u in year if u.slot is not None and u.slot.home.kind != "emergency"]
    breakdowns = round(BREAKDOWN_SHARE * len(year))
    broke = set(rng.sample(other, min(breakdowns, len(other))))
    emergency = [u for u in year if u not in broke and u not in other]
    broke |= set(rng.sample(emergency, min(len(emergency), breakdowns - len(broke))))
    rest = [u for u in other if u not in broke]
    for use, reason in zip(rest, world.dealt(rng, len(rest), END_REASONS), strict=True):
        use.end_reason = reason
    stays = [u for u in ended if u not in broke and not u.end_reason]
    for use, reason in zip(stays, world.dealt(rng, len(stays), EMERGENCY_END_REASONS), strict=True):
        use.end_reason = reason
    for use in broke:
        use.end_reason = "breakdown"


def _withdrawals(rng: random.Random, requests: list[Request]) -> None:
    withdrawn = [r for r in requests if r.fate == "withdrawn"]
    for request, reason in zip(
        withdrawn, world.dealt(rng, len(withdrawn), WITHDRAWAL_REASONS), strict=True
    ):
        request.withdrawal_reason = reason


def _breaches(rng: random.Random, requests: list[Request]) -> None:
    """Two children waiting long whose wait the county governor found a breach of the duty
    to assist, in two regions (two at any scale: they are two cases, not a rate)."""
    long = [
        r
        for r in requests
        if r.group == "carried" and r.fate == "waiting" and r.desired < date(2023, 6, 1)
    ]
    days = [date(2024, 3, 12), date(2024, 9, 24)]
    regions: set[str] = set()
    for request in world.shuffled(rng, long):
        if len(regions) == BREACHES:
            break
        if request.region not in regions:
            request.breach = days[len(regions) % len(days)]
            regions.add(request.region)


def plan(scale: float, seed: int) -> Plan:
    """The foster-care year, as data: what `generate` makes."""
    rng = world.rng_for(seed, "foster_care")
    requests = _waits(scale)
    _placed_2023(scale, requests)
    _people(rng, requests)
    uses: list[Use] = []
    _proposals(rng, requests, uses)
    homes: list[Home] = []
    _kinship(rng, requests, homes)
    _conferences(rng, requests)
    _recruited(rng, scale, homes)
    _far(rng, requests)
    _stays(rng, uses)
    _match(rng, homes, uses)
    _end_reasons(rng, uses)
    _withdrawals(rng, requests)
    _breaches(rng, requests)
    return Plan(requests, homes, uses)


# Making it --------------------------------------------------------------------------------


async def generate(platform: Platform, *, scale: float, seed: int) -> None:
    """Make 2024 in foster_care through its public API."""
    await _Making(platform.foster_care, plan(scale, seed)).run()


class _Making:
    """The plan's calls, each entity's in its order and the entities side by side: a kinship
    home is registered once its child's request is; a proposal waits for its home's
    approval, for the place's previous child to have moved out (or the place's previous
    proposal to be decided) and for the request's earlier steps; a request is withdrawn once
    its proposals are decided."""

    def __init__(self, api: Api, year: Plan) -> None:
        self.api = api
        self.year = year
        self.request_ids: dict[int, str] = {}
        self.home_ids: dict[int, str] = {}
        self.created = {r.index: asyncio.Event() for r in year.requests}
        self.ready = {r.index: asyncio.Event() for r in year.requests}
        self.approved = {h.index: asyncio.Event() for h in year.homes}
        self.done = {u.index: asyncio.Event() for u in year.uses}

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            for request in self.year.requests:
                group.create_task(self.request(request))
            for home in self.year.homes:
                group.create_task(self.home(home))
            for use in self.year.uses:
                group.create_task(self.use(use))

    async def request(self, request: Request) -> None:
        key = f"request:{request.index}"
        body: dict[str, Any] = {
            "municipality_number": request.municipality,
            "child_ref": f"demo-fc-{request.index}",
            "birth_date": request.birth.isoformat(),
            "desired_start_date": request.desired.isoformat(),
            "requested_at": world.instant(request.requested, 9),
            "needs": request.needs,
            "child_wishes_recorded": request.wishes_on is not None,
            "kinship_assessed": True,
        }
        if request.wishes_on is not None:
            body["child_wishes_recorded_on"] = request.wishes_on.isoformat()
        answer = await self.api.post(PATHS["requests"], body, key=key)
        self.request_ids[request.index] = answer["id"]
        self.created[request.index].set()
        path = f"{PATHS['requests']}/{answer['id']}"
        for i, (reason, day) in enumerate(request.reasons):
            body = {"reason": reason, "from_date": day.isoformat()}
            await self.api.post(f"{path}/waiting-reasons", body, key=f"{key}:reason:{i}")
        if request.conference is not None:
            offered, held, aims = request.conference
            body = {"offered_on": offered.isoformat(), "aims_to_recruit_home": aims}
            if held is not None:
                body["held_on"] = held.isoformat()
            await self.api.post(f"{path}/family-group-conferences", body, key=f"{key}:conference")
        if request.conversation is not None:
            body = {
                "held_on": request.conversation.isoformat(),
                "method": CONVERSATIONS[request.index % len(CONVERSATIONS)],
                "view_recorded": True,
            }
            await self.api.post(f"{path}/child-conversations", body, key=f"{key}:conversation")
        self.ready[request.index].set()
        if request.breach is not None:
            body = {"source": "county_governor", "confirmed_at": world.instant(request.breach, 10)}
            await self.api.post(f"{path}/breach-confirmations", body, key=f"{key}:breach")
        for use in request.uses:
            await self.done[use.index].wait()
        if request.fate == "withdrawn":
            assert request.ends is not None
            body = {
                "withdrawn_at": world.instant(request.ends, 15),
                "reason": request.withdrawal_reason,
            }
            await self.api.post(f"{path}/withdraw", body, key=f"{key}:withdrawal")

    async def home(self, home: Home) -> None:
        key = f"home:{home.index}"
        body: dict[str, Any] = {
            "municipality_number": home.municipality,
            "kind": home.kind,
            "recruitment_source": home.source,
            "inquiry_at": world.instant(home.inquiry, 12),
            "suited_for": home.suited_for,
        }
        if home.kinship_for is not None:
            await self.created[home.kinship_for.index].wait()
            body["kinship_request_id"] = self.request_ids[home.kinship_for.index]
        answer = await self.api.post(PATHS["homes"], body, key=key)
        self.home_ids[home.index] = answer["id"]
        for stage, day, reason in home.stages:
            body = {"to": stage, "at": world.instant(day, 10)}
            if stage == "training":
                body["training_programme"] = home.programme
            elif stage == "approved":
                body["places"] = home.places
            elif stage == "withdrawn":
                body["reason"] = reason
            await self.transition(home, body)
        if home.approved is not None:
            self.approved[home.index].set()

    async def transition(self, home: Home, body: dict[str, Any]) -> None:
        path = f"{PATHS['homes']}/{self.home_ids[home.index]}/transitions"
        await self.api.post(path, body, key=f"home:{home.index}:transition:{body['to']}")

    async def use(self, use: Use) -> None:
        request, slot = use.request, use.slot
        assert slot is not None
        home = slot.home
        await self.approved[home.index].wait()
        if use.after_slot is not None:
            await self.done[use.after_slot.index].wait()
        if use.after_request is not None:
            await self.done[use.after_request.index].wait()
        else:
            await self.ready[request.index].wait()
        request_id, home_id = self.request_ids[request.index], self.home_ids[home.index]
        key = f"request:{request.index}:proposal:{request.uses.index(use)}"
        path = f"{PATHS['requests']}/{request_id}/proposals"
        body: dict[str, Any] = {
            "foster_home_id": home_id,
            "proposed_at": world.instant(use.proposed, 11),
        }
        proposal = await self.api.post(path, body, key=key)
        decision = f"{path}/{proposal['id']}/decision"
        if use.outcome == "withdrew":  # the family withdraws, which declines the proposal
            body = {
                "to": "withdrawn",
                "at": world.instant(use.decided, 16),
                "reason": "family_withdrew",
            }
            await self.transition(home, body)
        elif use.outcome != "accepted":
            body = {"decision": "declined", "reason": use.outcome}
            body["decided_at"] = world.instant(use.decided, 14)
            await self.api.post(decision, body, key=f"{key}:decision")
        else:
            assert use.start is not None
            body = {"decision": "accepted", "decided_at": world.instant(use.decided, 14)}
            await self.api.post(decision, body, key=f"{key}:decision")
            key = f"request:{request.index}:placement"
            body = {"request_id": request_id, "foster_home_id": home_id}
            body["start_date"] = use.start.isoformat()
            placement = await self.api.post(PATHS["placements"], body, key=key)
            if use.ends is not None:
                end = f"{PATHS['placements']}/{placement['id']}/end"
                body = {"end_date": use.ends.isoformat(), "reason": use.end_reason}
                await self.api.post(end, body, key=f"{key}:end")
        self.done[use.index].set()
