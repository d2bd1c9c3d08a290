"""The demo year's institutions: places, stays, placement requests and breaches in 2024.

The plan is made first, without the platform: every agreement place is a slot that holds one
stay at a time, stays following each other with gaps that give the category's occupancy;
single purchases bring their own place; a child who moves on from one stay to the next keeps
the same pseudonym, which is how some 2 000 stays come to be 1 450 children. Then the plan is
played through the public API day by day in calendar order (discharges before admissions,
because an agreement place must be free from the admission to today), each 2024 admission as
a municipality's request, an offer, its acceptance and the stay.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from demo.calibration import Figure
from demo.client import Platform
from demo.world import (
    POPULATION_SHARE,
    REGIONS,
    YEAR_END,
    YEAR_START,
    apportion,
    at,
    deal,
    lognormal,
    municipality,
    quantiles,
    rng_for,
    shuffled,
    spread_days,
)

SERVICE = "capacity"
START = YEAR_START
END = YEAR_END + timedelta(days=1)  # the first day after the year
DAYS = (END - START).days

# Places in 2024 (DOMAIN.md): 407 state places, 366 private ones on agreements.
STATE_PLACES = {"acute": 127, "treatment_low_risk": 38, "treatment_high_risk": 24, "care": 218}
GUARANTEED_PLACES = 259  # purchase guarantee / operating agreement: paid whether used or not
FRAMEWORK_PLACES = 107
CHILDREN = 1450  # unique children in institutions in 2024
SINGLE_PURCHASE_SHARE = 0.49  # of stays started
AVERAGE_CHILDREN = 836  # 306 587 days in care ÷ 366
UNINTENDED_SHARE = 157 / 1334
# Breaches of the duty to assist: (requests, children).
ACUTE_BREACHES = (163, 132)
PLANNED_BREACHES = (23, 17)

# Each category: occupancy by region (some regions under target, as in the real reports)
# and the stay length (median, mean days).
OCCUPANCY = {
    "state_acute": {"ost": 0.84, "sor": 0.78, "vest": 0.82, "midt": 0.75, "nord": 0.80},
    "state_care_treatment": {"ost": 0.86, "sor": 0.84, "vest": 0.80, "midt": 0.88, "nord": 0.82},
    "purchase_guarantee": {"ost": 0.98, "sor": 0.95, "vest": 0.97, "midt": 0.99, "nord": 0.93},
    "framework": {"ost": 0.80, "sor": 0.76, "vest": 0.78, "midt": 0.74, "nord": 0.70},
}
LENGTH = {
    "state_acute": (45, 120),
    "state_care_treatment": (640, 820),
    "purchase_guarantee": (620, 800),
    "framework": (480, 640),
}
STATE_DAY_PRICE = "15200.00"  # the agreements' price (DOMAIN.md), also state places' cost
AGREEMENT_DAY_PRICE = "15200.00"
SINGLE_PURCHASE_DAY_PRICE = "24900.00"

FIGURES = [
    Figure(SERVICE, "state places at 31.12", "cap.places", 407, measure="numerator",
           params={"period": "2024", "as_of": "2024-12-31", "ownership": "state"}),
    Figure(SERVICE, "state acute places", "cap.places", 127, measure="numerator",
           params={"period": "2024", "as_of": "2024-12-31", "category": "state_acute"}),
    Figure(SERVICE, "state care places", "cap.places", 218, measure="numerator",
           params={"period": "2024", "as_of": "2024-12-31", "ownership": "state",
                   "function": "care"}),
    Figure(SERVICE, "private places with purchase guarantee", "cap.places", 259,
           measure="numerator", params={"period": "2024", "as_of": "2024-12-31",
                                        "contract_type": "purchase_guarantee"}),
    Figure(SERVICE, "private framework places", "cap.places", 107, measure="numerator",
           params={"period": "2024", "as_of": "2024-12-31", "contract_type": "framework"}),
    Figure(SERVICE, "children in institutions in 2024", "cap.children_unique", CHILDREN,
           measure="value"),
    Figure(SERVICE, "average children in institutions", "cap.children_average",
           AVERAGE_CHILDREN, counts=True),
    Figure(SERVICE, "share of stays started as single purchases", "cap.single_purchase_share",
           SINGLE_PURCHASE_SHARE, counts=False),
    Figure(SERVICE, "share of ended stays ended unintended", "cap.unintended_endings",
           round(UNINTENDED_SHARE, 3), counts=False),
    Figure(SERVICE, "breaches of the duty to assist, acute", "cap.breaches",
           ACUTE_BREACHES[0], measure="value", row={"kind": "acute"}),
    Figure(SERVICE, "children with a breach, acute", "cap.breaches", ACUTE_BREACHES[1],
           measure="children", row={"kind": "acute"}),
    Figure(SERVICE, "breaches of the duty to assist, planned", "cap.breaches",
           PLANNED_BREACHES[0], measure="value", row={"kind": "planned"}),
    Figure(SERVICE, "children with a breach, planned", "cap.breaches", PLANNED_BREACHES[1],
           measure="children", row={"kind": "planned"}),
]  # fmt: skip


@dataclass
class Institution:
    key: str
    name: str
    region: str
    ownership: str
    functions: list[str]
    contracts: list[tuple[str, str, int, str]] = field(default_factory=list)
    id: str = ""


@dataclass
class Stay:
    key: str
    institution: Institution
    function: str
    contract_type: str
    category: str  # the occupancy category, or "single_purchase"
    admitted: date
    discharged: date | None  # None: still there at the year's end
    child: Child | None = None
    end_reason: str = "planned"
    moved_on: bool = False  # the child goes straight on to another stay
    breach: str | None = None  # "acute", "planned": the request was answered late
    extra_breach: bool = False  # a request before this one was answered late and declined
    lives_alone: bool = False
    length: float = 0.0  # a single purchase's planned length, before fitting
    follows: Stay | None = None  # the stay the child moved on from
    id: str = ""


@dataclass
class Child:
    ref: str
    municipality_number: str
    birth_date: date


@dataclass
class Plan:
    institutions: list[Institution]
    stays: list[Stay]


def _institutions() -> list[Institution]:
    made: list[Institution] = []

    def add(region: str, ownership: str, function: str, contract: str, places: int) -> None:
        # Institutions of up to seven places, as most are.
        for number in range(-(-places // 7)):
            size = min(7, places - number * 7)
            kind = {"acute": "Akuttinstitusjon", "care": "Omsorgsinstitusjon"}.get(
                function, "Behandlingsinstitusjon"
            )
            owner = {"state": "Bufetat", "ideal": "Stiftelsen", "commercial": "AS"}[ownership]
            key = f"{region}-{ownership}-{function}-{contract}-{number}"
            made.append(
                Institution(
                    key=key,
                    name=f"{kind} {region.capitalize()} {owner} {len(made) + 1}",
                    region=region,
                    ownership=ownership,
                    functions=[function],
                    contracts=[(function, contract, size, _price(contract))],
                )
            )

    for function, total in STATE_PLACES.items():
        for region, places in apportion(total, POPULATION_SHARE).items():
            add(region, "state", function, "state", places)
    for contract, total in (
        ("purchase_guarantee", GUARANTEED_PLACES),
        ("framework", FRAMEWORK_PLACES),
    ):
        for region, places in apportion(total, POPULATION_SHARE).items():
            ideal = places * 2 // 5
            add(region, "ideal", "care", contract, ideal)
            add(region, "commercial", "care", contract, places - ideal)
    # Private institutions that sell single purchases only (no agreement places).
    for region in REGIONS:
        for ownership in ("ideal", "commercial", "commercial"):
            made.append(
                Institution(
                    key=f"{region}-{ownership}-single-{len(made)}",
                    name=f"Omsorgsinstitusjon {region.capitalize()} {len(made) + 1}",
                    region=region,
                    ownership=ownership,
                    functions=["care", "treatment_low_risk"],
                )
            )
    return made


def _price(contract: str) -> str:
    return STATE_DAY_PRICE if contract == "state" else AGREEMENT_DAY_PRICE


def _category(ownership: str, function: str, contract: str) -> str:
    if ownership == "state":
        return "state_acute" if function == "acute" else "state_care_treatment"
    return contract


def _slot_stays(rng: random.Random, institution: Institution) -> list[Stay]:
    """Each place of the institution's contract as a slot: stays one after another, with
    gaps that give the category's occupancy in the institution's region."""
    function, contract, places, _ = institution.contracts[0]
    category = _category(institution.ownership, function, contract)
    occupancy = OCCUPANCY[category][institution.region]
    length = lognormal(*LENGTH[category])
    stays = []
    for slot in range(places):
        # Start the renewal process two years before, so 1 January finds it in its stride.
        day = START - timedelta(days=730 + rng.randrange(60))
        number = 0
        while day < END:
            days = max(1, round(length(rng.random())))
            gap = max(1, round(rng.expovariate(occupancy / (days * (1 - occupancy)))))
            end = day + timedelta(days=days)
            if end > START:  # at least one day in the year
                stays.append(
                    Stay(
                        key=f"{institution.key}-{slot}-{number}",
                        institution=institution,
                        function=function,
                        contract_type=contract,
                        category=category,
                        admitted=day,
                        discharged=end if end < END else None,
                    )
                )
            number += 1
            day = end + timedelta(days=gap)
    return stays


def plan(seed: int) -> Plan:
    rng = rng_for(seed, SERVICE, "plan")
    institutions = _institutions()
    stays = [
        stay
        for institution in institutions
        if institution.contracts
        for stay in _slot_stays(rng_for(seed, SERVICE, institution.key), institution)
    ]
    agreement_started = sum(1 for stay in stays if stay.admitted >= START)
    started = round(SINGLE_PURCHASE_SHARE / (1 - SINGLE_PURCHASE_SHARE) * agreement_started)
    singles = _single_purchases(rng, institutions, started)
    _moves(stays, singles, moves=len(stays) + len(singles) - CHILDREN)
    _fit_lengths(stays, singles)
    stays += singles
    _children(rng, stays)
    _endings(rng, stays)
    _breaches(rng, stays)
    return Plan(institutions, stays)


def _single_purchases(
    rng: random.Random, institutions: list[Institution], started: int
) -> list[Stay]:
    """`started` single purchases begun in 2024, and a few running from before;
    their lengths (a long-tailed spread) are fitted later."""
    sellers = [institution for institution in institutions if not institution.contracts]
    ongoing = round(started * 0.15)
    days = spread_days(started) + [
        START - timedelta(days=1 + i * 200 // ongoing) for i in range(ongoing)
    ]
    lengths = shuffled(rng, quantiles(started + ongoing, lognormal(75, 130)))
    return [
        Stay(
            key=f"single-{number}",
            institution=rng.choice(sellers),
            function="care",
            contract_type="single_purchase",
            category="single_purchase",
            admitted=day,
            discharged=None,
            length=length,
            lives_alone=rng.random() < 0.06,
        )
        for number, (day, length) in enumerate(zip(days, lengths, strict=True))
    ]


def _moves(agreement: list[Stay], singles: list[Stay], moves: int) -> None:
    """`moves` children go straight on from an agreement place to a single purchase: each
    ending in turn takes the next single purchase planned on or after it, which then begins
    on the day of that discharge."""
    ended = sorted(
        (s for s in agreement if s.discharged is not None and s.discharged >= START),
        key=lambda stay: (stay.discharged, stay.key),
    )
    followers = sorted((s for s in singles if s.admitted >= START), key=lambda s: s.admitted)
    paired = 0
    index = 0
    for previous in ended:
        if paired == moves:
            return
        while index < len(followers) and followers[index].admitted < (previous.discharged or END):
            index += 1
        if index == len(followers):
            break
        follower = followers[index]
        index += 1
        follower.admitted = previous.discharged or follower.admitted
        follower.follows = previous
        previous.moved_on = True
        paired += 1
    if paired < moves:
        raise AssertionError(f"only {paired} of {moves} moves could be planned")


def _fit_lengths(agreement: list[Stay], singles: list[Stay]) -> None:
    """Single purchases as long as make the year's average 836 children (their days are cut
    at the year's end, so the scale is found by bisection)."""
    wanted = AVERAGE_CHILDREN * DAYS - sum(
        _days_in_year(stay.admitted, stay.discharged) for stay in agreement
    )

    def ends(factor: float) -> list[date]:
        # Those running on 1 January stay at least into the year.
        return [
            max(s.admitted + timedelta(days=max(1, round(s.length * factor))), START + timedelta(1))
            for s in singles
        ]

    low, high = 0.05, 20.0
    for _ in range(50):
        factor = (low + high) / 2
        total = sum(
            _days_in_year(s.admitted, end) for s, end in zip(singles, ends(factor), strict=True)
        )
        low, high = (factor, high) if total < wanted else (low, factor)
    for stay, end in zip(singles, ends(factor), strict=True):
        stay.discharged = end if end < END else None


def _days_in_year(admitted: date, discharged: date | None) -> int:
    first = max(admitted, START)
    last = min(discharged or END, END)
    return max(0, (last - first).days)


def _children(rng: random.Random, stays: list[Stay]) -> None:
    """A child for every stay that does not follow another one; a move keeps its child."""
    for number, stay in enumerate(sorted(stays, key=lambda s: (s.admitted, s.key))):
        if stay.follows is not None:
            stay.child = stay.follows.child
            assert stay.child is not None
            continue
        age = 13 + rng.randrange(5) if rng.random() > 0.1 else 8 + rng.randrange(5)
        stay.child = Child(
            ref=f"demo-cap-{number:05d}",
            municipality_number=municipality(rng, stay.institution.region),
            birth_date=stay.admitted - timedelta(days=365 * age + rng.randrange(365)),
        )


def _endings(rng: random.Random, stays: list[Stay]) -> None:
    """Moves end as `moved`; of the rest ended in 2024, 12 % unintended (2024: 157 ÷ 1 334)."""
    ended = [s for s in stays if s.discharged is not None and s.discharged >= START]
    for stay in ended:
        if stay.moved_on:
            stay.end_reason = "moved"
    others = [s for s in ended if not s.moved_on]
    share = round(UNINTENDED_SHARE * len(ended)) / max(1, len(others))
    for stay, unintended in zip(others, deal(rng, len(others), share), strict=True):
        stay.end_reason = "unintended" if unintended else "planned"


def _breaches(rng: random.Random, stays: list[Stay]) -> None:
    """Requests answered after their deadline: one per child, and for some of those children
    an earlier request answered late too (declined, then asked again)."""
    # Deadlines in 2024: a planned request's deadline is two days before its admission.
    started = [s for s in stays if s.admitted >= START + timedelta(days=3)]
    seen: set[str] = set()
    for kind, (requests, children) in (("acute", ACUTE_BREACHES), ("planned", PLANNED_BREACHES)):
        # Acute requests of acute stays; planned ones of single purchases (a late offer of a
        # single purchase needs no place held free for the days it was late).
        group = [
            s
            for s in shuffled(rng, started)
            if (s.function == "acute" if kind == "acute" else s.contract_type == "single_purchase")
        ]
        chosen: list[Stay] = []
        for stay in group:
            assert stay.child is not None
            if stay.child.ref not in seen and len(chosen) < children:
                seen.add(stay.child.ref)
                chosen.append(stay)
        for number, stay in enumerate(chosen):
            stay.breach = kind
            stay.extra_breach = number < requests - children


# Playing the plan through the API --------------------------------------------------------


async def generate(platform: Platform, *, scale: float, seed: int) -> None:
    """The plan, day by day: institutions and their places, then every admission and
    discharge in calendar order (the institutions' year is small: always made whole)."""
    if scale != 1.0:
        raise ValueError("capacity's year is always made whole (scale 1.0)")
    the_plan = plan(seed)
    api = platform.capacity
    await asyncio.gather(*(_institution(api, seed, i) for i in the_plan.institutions))
    timeline: dict[date, tuple[list[Stay], list[Stay]]] = defaultdict(lambda: ([], []))
    for stay in the_plan.stays:
        timeline[stay.admitted][1].append(stay)
        if stay.discharged is not None:
            timeline[stay.discharged][0].append(stay)
    for day in sorted(timeline):
        discharges, admissions = timeline[day]
        await asyncio.gather(*(_discharge(api, stay) for stay in discharges))
        await asyncio.gather(*(_admit(api, stay) for stay in admissions))


async def _institution(api: Any, seed: int, institution: Institution) -> None:
    created = await api.post(
        "/v1/institutions",
        {
            "name": institution.name,
            "municipality_number": municipality(
                rng_for(seed, SERVICE, institution.key), institution.region
            ),
            "ownership": institution.ownership,
            "functions": institution.functions,
        },
        key=f"institution:{institution.key}",
    )
    institution.id = created["id"]
    for function, contract, places, price in institution.contracts:
        await api.post(
            f"/v1/institutions/{institution.id}/place-contracts",
            {
                "function": function,
                "contract_type": contract,
                "budgeted_places": places,
                "valid_from": "2020-01-01",
                "valid_to": None,
                "day_price_nok": price,
            },
            key=f"institution:{institution.key}:contract:{function}:{contract}",
        )


async def _admit(api: Any, stay: Stay) -> None:
    child = stay.child
    assert child is not None
    request_id = None
    if stay.admitted >= START:
        if stay.extra_breach:
            await _request(api, stay, "earlier", late=True, accepted=False)
        request_id = await _request(api, stay, "request", late=stay.breach is not None)
    body: dict[str, Any] = {
        "institution_id": stay.institution.id,
        "child_ref": child.ref,
        "municipality_number": child.municipality_number,
        "birth_date": child.birth_date.isoformat(),
        "function": stay.function,
        "contract_type": stay.contract_type,
        "admitted_at": at(stay.admitted, 18).isoformat(),
        "lives_alone": stay.lives_alone,
        "day_price_nok": SINGLE_PURCHASE_DAY_PRICE
        if stay.contract_type == "single_purchase"
        else _price(stay.contract_type),
    }
    if request_id is not None:
        body["placement_request_id"] = request_id
    created = await api.post("/v1/stays", body, key=f"stay:{stay.key}:admission")
    stay.id = created["id"]
    if stay.lives_alone:
        await api.post(
            f"/v1/stays/{stay.id}/single-child-decisions",
            {
                "decided_on": stay.admitted.isoformat(),
                "justification": "Barnet trenger et eget tiltak etter utredning.",
                "valid_until": (stay.admitted + timedelta(days=182)).isoformat(),
                "next_review_on": (stay.admitted + timedelta(days=91)).isoformat(),
            },
            key=f"stay:{stay.key}:single-child-decision",
        )


async def _request(api: Any, stay: Stay, name: str, *, late: bool, accepted: bool = True) -> str:
    """A municipality's request for this stay, Bufetat's offer (in time, or late: a breach)
    and the municipality's decision. Returns the request's id."""
    child = stay.child
    assert child is not None
    key = f"stay:{stay.key}:{name}"
    acute = stay.function == "acute"
    if acute:
        need = at(stay.admitted, 3 if name == "earlier" else 9)
        desired = stay.admitted
        offered = need + (timedelta(hours=5) if late else timedelta(hours=1))
    else:
        need = at(stay.admitted - timedelta(days=21), 10)
        # Late: the place was offered after the end of the desired start date.
        desired = stay.admitted - timedelta(days=2) if late else stay.admitted
        offered = at(stay.admitted, 8) if late else at(stay.admitted - timedelta(days=7), 10)
        if name == "earlier":
            offered -= timedelta(hours=1)
    created = await api.post(
        "/v1/placement-requests",
        {
            "municipality_number": child.municipality_number,
            "child_ref": child.ref,
            "birth_date": child.birth_date.isoformat(),
            "urgency": "acute" if acute else "planned",
            "function": stay.function,
            "need_concluded_at": need.isoformat(),
            "desired_start_date": desired.isoformat(),
            "child_views_recorded": True,
        },
        key=key,
    )
    request_id: str = created["id"]
    offer_body: dict[str, Any] = {
        "institution_id": stay.institution.id,
        "function": stay.function,
        "contract_type": stay.contract_type,
        "offered_at": offered.isoformat(),
    }
    if stay.contract_type in ("framework", "single_purchase"):
        offer_body["justification"] = "Plassen som best møter barnets behov."
    offer = await api.post(
        f"/v1/placement-requests/{request_id}/offers", offer_body, key=f"{key}:offer"
    )
    decided = offered + timedelta(minutes=30)
    await api.post(
        f"/v1/placement-requests/{request_id}/offers/{offer['id']}/decision",
        {
            "decision": "accepted" if accepted else "declined",
            "reason": None if accepted else "Barnets behov endret seg.",
            "decided_at": decided.isoformat(),
        },
        key=f"{key}:decision",
    )
    if not accepted:
        await api.post(
            f"/v1/placement-requests/{request_id}/close",
            {
                "closed_at": (decided + timedelta(minutes=5)).isoformat(),
                "reason": "Ny forespørsel.",
            },
            key=f"{key}:close",
        )
    return request_id


async def _discharge(api: Any, stay: Stay) -> None:
    assert stay.discharged is not None
    await api.post(
        f"/v1/stays/{stay.id}/discharge",
        {"discharged_at": at(stay.discharged, 11).isoformat(), "end_reason": stay.end_reason},
        key=f"stay:{stay.key}:discharge",
    )
