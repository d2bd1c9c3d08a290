"""A national year of capacity events, made up from a seed, published as capacity would.

About what Bufetat records in a year (KPIS.md's 2024 figures): ~800 place contracts over
institutions in the five regions (some changed mid-year), ~1 500 stays (admissions, their
discharges with end reasons, children living alone with their single-child decisions and
reviews) and ~1 200 placement requests (acute with need + 2 h deadlines, planned with the
desired day's end) with their offers (mostly in time, some late), decisions, breaches,
confirmations and withdrawals. Each event is built with capacity's own event types
(`EventType.build`, the payload models capacity emits), stamped with the time capacity
would have recorded it (shortly after the fact, some days late), and published onto
capacity's stream as its outbox relay does: subject = type, CloudEvent JSON, `Nats-Msg-Id`
= event id, each publish acknowledged.

Years are independent draws over one set of institutions (`institutions()`): a year's
stays are admitted in that year and discharged when they end (in the next year, or not yet),
so an earlier year published beside a later one carries stays into it, as history does.
Places are allocated within a year (a stay takes a free place of a contract, else it is a
single purchase); a stay carried in from another year is not checked against them.

`python -m benchmarks.capacity_year --year 2025 --seed 1` generates a year, checks every
event against capacity's published JSON Schemas (docs/events/) and prints what it made.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from capacity.institutions.events import (
    INSTITUTION_REGISTERED,
    PLACE_CONTRACT_CHANGED,
    InstitutionRegistered,
    PlaceContractChanged,
)
from capacity.placement_requests.events import (
    BREACH_CONFIRMED,
    BREACHED,
    CLOSED,
    DECIDED,
    OFFERED,
    RECEIVED,
    PlacementRequestBreachConfirmed,
    PlacementRequestBreached,
    PlacementRequestClosed,
    PlacementRequestDecided,
    PlacementRequestOffered,
    PlacementRequestReceived,
)
from capacity.stays.events import (
    SINGLE_CHILD_DECISION_RECORDED,
    SINGLE_CHILD_DECISION_REVIEWED,
    STAY_ADMITTED,
    STAY_DISCHARGED,
    SingleChildDecisionRecorded,
    SingleChildDecisionReviewed,
    StayAdmitted,
    StayDischarged,
)
from common.clock import OSLO, end_of_day_in_oslo, oslo_date
from common.events import CloudEvent, EventData, EventType
from common.messaging import StreamSpec
from common.municipalities import MUNICIPALITIES
from common.reference import Region, region_of_county
from devstack.services import REPO_ROOT

STREAM = StreamSpec.of_service("capacity")
CONTRACTS_PER_YEAR = 800
STAYS_PER_YEAR = 1_500
REQUESTS_PER_YEAR = 1_200

# Roughly the regions' shares of children in care.
REGION_SHARE = {
    Region.ost: 0.42,
    Region.sor: 0.10,
    Region.vest: 0.20,
    Region.midt: 0.13,
    Region.nord: 0.15,
}
OWNERSHIP_SHARE = {"state": 0.45, "ideal": 0.18, "commercial": 0.35, "municipal": 0.02}
# A stay's function, and how long it lasts (a mean in days, drawn exponentially, bounded).
STAY_FUNCTIONS = {
    "acute": (0.35, 35, 2, 180),
    "care": (0.33, 330, 20, 900),
    "treatment_low_risk": (0.12, 260, 30, 700),
    "treatment_high_risk": (0.08, 240, 30, 700),
    "ema_care_centre": (0.05, 200, 20, 500),
    "substance_use": (0.04, 150, 20, 400),
    "parent_child_centre": (0.03, 90, 14, 200),
}
# The functions of the places contracted: as many place-days as the stays above need
# (care's long stays most), acute kept available.
CONTRACT_FUNCTIONS = {
    "acute": 0.09,
    "care": 0.50,
    "treatment_low_risk": 0.16,
    "treatment_high_risk": 0.11,
    "ema_care_centre": 0.06,
    "substance_use": 0.05,
    "parent_child_centre": 0.03,
}
END_REASONS = {"planned": 0.70, "unintended": 0.12, "moved": 0.12, "other": 0.06}
LATE_SHARE = 0.04  # events capacity recorded days after the fact
SINGLE_PURCHASE_SHARE = 0.07
# Ages 6 to 21 at the request or admission: mostly teenagers; from 20 no duty to assist.
AGE_WEIGHTS = (1, 1, 2, 2, 3, 4, 6, 8, 10, 12, 12, 10, 7, 4, 1, 1)


@dataclass(frozen=True)
class Institution:
    id: UUID
    name: str
    region: Region
    municipality_number: str
    ownership: str
    functions: tuple[str, ...]


@dataclass
class Contract:
    id: UUID
    institution: Institution
    function: str
    contract_type: str
    budgeted_places: int
    day_price_nok: Decimal
    taken: list[tuple[date, date]] = field(default_factory=list)  # [admitted, discharged)

    def free(self, first: date, last: date) -> bool:
        overlapping = sum(1 for start, end in self.taken if start <= last and first < end)
        return overlapping < self.budgeted_places


@dataclass(frozen=True)
class Stamped:
    """An event with the instant capacity recorded it (its CloudEvent `time`)."""

    at: datetime
    event: CloudEvent


def _municipalities() -> dict[Region, list[str]]:
    by_region: dict[Region, list[str]] = {region: [] for region in Region}
    for number in sorted(MUNICIPALITIES):
        region = region_of_county(number)
        if region is not None:
            by_region[region].append(number)
    return by_region


MUNICIPALITIES_BY_REGION = _municipalities()


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def uuid7(at: datetime, rng: random.Random) -> UUID:
    """A UUIDv7 of `at` with seeded random bits: capacity's ids sort by creation time."""
    millis = int(at.timestamp() * 1000) & ((1 << 48) - 1)
    bits = rng.getrandbits(74)
    value = (millis << 80) | (0x7 << 76) | ((bits >> 62) << 64) | (0b10 << 62)
    return UUID(int=value | (bits & ((1 << 62) - 1)))


def institutions(seed: int = 0, contracts: int = CONTRACTS_PER_YEAR) -> list[Institution]:
    """The country's institutions: enough that one contract per function makes `contracts`."""
    rng = random.Random(seed)
    made: list[Institution] = []
    total = 0
    while total < contracts:
        region = _pick(rng, REGION_SHARE)
        ownership = _pick(rng, OWNERSHIP_SHARE)
        count = min(rng.choice((1, 1, 2, 2, 2, 3, 3, 4)), contracts - total)
        functions: list[str] = []
        while len(functions) < count:
            function = _pick(rng, CONTRACT_FUNCTIONS)
            if function not in functions:
                functions.append(function)
        made.append(
            Institution(
                id=uuid7(datetime(2020, 1, 1, tzinfo=UTC), rng),
                name=f"Institusjon {len(made) + 1}",
                region=region,
                municipality_number=rng.choice(MUNICIPALITIES_BY_REGION[region]),
                ownership=ownership,
                functions=tuple(functions),
            )
        )
        total += count
    return made


class _Year:
    """One year's facts, drawn in order of when they happened, as events stamped with
    when capacity recorded them (none recorded after `now`: that has not happened yet)."""

    def __init__(
        self, year: int, seed: int, institutions: Sequence[Institution], now: datetime
    ) -> None:
        self.year = year
        self.rng = random.Random(seed)
        self.institutions = institutions
        self.now = now
        self.first = datetime(year, 1, 1, tzinfo=OSLO)
        self.last = datetime(year + 1, 1, 1, tzinfo=OSLO)
        self.events: list[Stamped] = []
        self.contracts: dict[str, list[Contract]] = {}
        self.private: dict[str, list[Institution]] = {}
        for institution in institutions:
            for function in institution.functions:
                if institution.ownership in ("ideal", "commercial"):
                    self.private.setdefault(function, []).append(institution)

    # events ----------------------------------------------------------------------------

    def emit(
        self,
        event_type: EventType[Any],
        subject: UUID,
        data: EventData,
        fact_at: datetime,
        *,
        after: datetime | None = None,
        lag: Callable[[], timedelta] | None = None,
    ) -> datetime | None:
        """Record the event shortly after `fact_at` (or late), never before `after` (the
        event it follows); None when that is after now (not recorded yet)."""
        at = fact_at + (lag or self.lag)()
        if after is not None:
            at = max(at, after + timedelta(milliseconds=self.rng.randint(5, 900)))
        if at > self.now:
            return None
        traceparent = f"00-{self.rng.getrandbits(128):032x}-{self.rng.getrandbits(64):016x}-01"
        built = event_type.build(
            subject=str(subject), data=data, time=at.astimezone(UTC), traceparent=traceparent
        )
        event = built.model_copy(update={"id": uuid7(at, self.rng)})
        self.events.append(Stamped(at, event))
        return at

    def lag(self) -> timedelta:
        """How long after the fact capacity recorded it: seconds to minutes, some days."""
        if self.rng.random() < LATE_SHARE:
            return timedelta(hours=self.rng.uniform(2, 24 * 10))
        return timedelta(seconds=self.rng.expovariate(1 / 40))

    def instant(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    def daytime(self, day: date, first_hour: int = 8, last_hour: int = 22) -> datetime:
        minutes = self.rng.randint(first_hour * 60, last_hour * 60)
        return datetime.combine(day, datetime.min.time(), tzinfo=OSLO) + timedelta(minutes=minutes)

    # the year --------------------------------------------------------------------------

    def register_institutions(self) -> None:
        """The institutions' registrations, some weeks before the year begins."""
        start = self.first - timedelta(days=40)
        for institution in self.institutions:
            self.emit(
                INSTITUTION_REGISTERED,
                institution.id,
                InstitutionRegistered(
                    institution_id=institution.id,
                    name=institution.name,
                    region=institution.region,
                    municipality_number=institution.municipality_number,
                    ownership=institution.ownership,
                    functions=list(institution.functions),
                ),
                self.instant(start, start + timedelta(days=5)),
            )

    def place_contracts(self) -> None:
        """A year's contract per institution and function, agreed in December; about one
        in eight changed during the year (places or price)."""
        rng = self.rng
        agreed_from = self.first - timedelta(days=25)
        for institution in self.institutions:
            for function in institution.functions:
                contract_type = self._contract_type(institution)
                contract = Contract(
                    id=uuid7(agreed_from, rng),
                    institution=institution,
                    function=function,
                    contract_type=contract_type,
                    budgeted_places=rng.choices((1, 2, 3), weights=(80, 17, 3))[0],
                    day_price_nok=self._price(contract_type, function),
                )
                self.contracts.setdefault(function, []).append(contract)
                created = self.instant(agreed_from, agreed_from + timedelta(days=20))
                recorded = self._contract_event(contract, "created", created)
                if recorded is not None and rng.random() < 0.12:
                    contract.budgeted_places = max(
                        1, contract.budgeted_places + rng.choice((-1, 1))
                    )
                    contract.day_price_nok = (contract.day_price_nok * Decimal("1.03")).quantize(
                        Decimal("0.01")
                    )
                    changed = self.instant(self.first + timedelta(days=60), self.last)
                    self._contract_event(contract, "updated", changed, after=recorded)

    def _contract_type(self, institution: Institution) -> str:
        if institution.ownership == "state":
            return "state"
        if institution.ownership == "municipal":
            return "framework"
        return str(self.rng.choices(("purchase_guarantee", "framework"), weights=(35, 65))[0])

    def _price(self, contract_type: str, function: str) -> Decimal:
        base = {"state": 15_200, "purchase_guarantee": 13_500, "framework": 12_000}.get(
            contract_type, 22_000
        )
        if function in ("treatment_high_risk", "acute"):
            base += 2_500
        return Decimal(base + self.rng.randint(-1_500, 1_500)).quantize(Decimal("0.01"))

    def _contract_event(
        self,
        contract: Contract,
        change: Literal["created", "updated"],
        at: datetime,
        *,
        after: datetime | None = None,
    ) -> datetime | None:
        institution = contract.institution
        return self.emit(
            PLACE_CONTRACT_CHANGED,
            contract.id,
            PlaceContractChanged(
                contract_id=contract.id,
                change=change,
                institution_id=institution.id,
                region=institution.region,
                ownership=institution.ownership,
                function=contract.function,
                contract_type=contract.contract_type,
                budgeted_places=contract.budgeted_places,
                valid_from=date(self.year, 1, 1),
                valid_to=date(self.year, 12, 31),
                day_price_nok=contract.day_price_nok,
            ),
            at,
            after=after,
        )

    def child(self, region: Region) -> tuple[str, str, int]:
        """A new child: its key, its municipality (mostly in the region), its age."""
        rng = self.rng
        if rng.random() > 0.85:
            region = _pick(rng, REGION_SHARE)
        municipality = rng.choice(MUNICIPALITIES_BY_REGION[region])
        age = rng.choices(range(6, 22), weights=AGE_WEIGHTS)[0]
        return f"{rng.getrandbits(128):032x}", municipality, age

    def place(
        self, function: str, region: Region, first: date, last: date
    ) -> tuple[Institution, str, Decimal, Contract | None]:
        """A free place for the days [first, last) (the region's first), else a single
        purchase from a private institution with the function."""
        rng = self.rng
        contracts = self.contracts.get(function, [])
        # Some children need what no contract gives (a single purchase) even with places free.
        if contracts and rng.random() > SINGLE_PURCHASE_SHARE:
            local = [c for c in contracts if c.institution.region == region] or contracts
            for pool in (local, contracts):
                for contract in rng.sample(pool, min(len(pool), 25)):
                    if contract.free(first, last):
                        contract.taken.append((first, last))
                        return (
                            contract.institution,
                            contract.contract_type,
                            contract.day_price_nok,
                            contract,
                        )
        sellers = self.private.get(function) or [
            i for i in self.institutions if function in i.functions
        ]
        local_sellers = [i for i in sellers if i.region == region] or sellers
        return rng.choice(local_sellers), "single_purchase", self._price("single", function), None

    def stay(
        self,
        function: str,
        admitted_at: datetime,
        child: tuple[str, str, int],
        region: Region,
        *,
        after: datetime | None = None,
        placement_request_id: UUID | None = None,
        place: tuple[Institution, str, Decimal, Contract | None] | None = None,
    ) -> None:
        """An admission, its discharge once it ends, and a single-child decision with its
        reviews for a child living alone."""
        rng = self.rng
        _share, mean, shortest, longest = STAY_FUNCTIONS[function]
        days = int(min(max(rng.expovariate(1 / mean), shortest), longest))
        admitted_on = oslo_date(admitted_at)
        discharged_on = admitted_on + timedelta(days=days)
        if place is None:
            place = self.place(function, region, admitted_on, discharged_on)
        elif place[3] is not None:
            place[3].taken.append((admitted_on, discharged_on))
        institution, contract_type, price, _contract = place
        child_key, municipality, age = child
        stay_id = uuid7(admitted_at, rng)
        lives_alone = function != "acute" and rng.random() < 0.06
        admitted = self.emit(
            STAY_ADMITTED,
            stay_id,
            StayAdmitted(
                stay_id=stay_id,
                institution_id=institution.id,
                region=institution.region,
                municipality_number=municipality,
                placement_request_id=placement_request_id,
                child_key=child_key,
                age_years=age,
                function=function,
                contract_type=contract_type,
                ownership=institution.ownership,
                admitted_at=admitted_at,
                admitted_on=admitted_on,
                lives_alone=lives_alone,
                day_price_nok=price,
            ),
            admitted_at,
            after=after,
        )
        if admitted is None:
            return
        if lives_alone and rng.random() < 0.85:
            self._single_child_decision(stay_id, institution.region, child_key, admitted_on)
        discharged_at = self.daytime(discharged_on)
        end_reason = _pick(rng, END_REASONS)
        discharged = self.emit(
            STAY_DISCHARGED,
            stay_id,
            StayDischarged(
                stay_id=stay_id,
                institution_id=institution.id,
                region=institution.region,
                municipality_number=municipality,
                child_key=child_key,
                function=function,
                contract_type=contract_type,
                ownership=institution.ownership,
                admitted_on=admitted_on,
                discharged_at=discharged_at,
                discharged_on=discharged_on,
                days=max(days, 1),
                end_reason=end_reason,
            ),
            discharged_at,
            after=admitted,
        )
        if discharged is not None and end_reason == "moved" and discharged_at < self.last:
            # Moved on: the same child's next stay, in care, from the same day.
            self.stay("care", discharged_at + timedelta(hours=2), child, region, after=discharged)

    def _single_child_decision(
        self, stay_id: UUID, region: Region, child_key: str, admitted_on: date
    ) -> None:
        rng = self.rng
        decided_on = admitted_on + timedelta(days=rng.randint(0, 12))
        decision_id = uuid7(self.daytime(decided_on), rng)
        valid_until = decided_on + timedelta(days=180)
        next_review_on = decided_on + timedelta(days=30)
        recorded = self.emit(
            SINGLE_CHILD_DECISION_RECORDED,
            stay_id,
            SingleChildDecisionRecorded(
                decision_id=decision_id,
                stay_id=stay_id,
                region=region,
                child_key=child_key,
                decided_on=decided_on,
                valid_until=valid_until,
                next_review_on=next_review_on,
                reviewed_on=None,
            ),
            self.daytime(decided_on),
        )
        # Reviewed monthly, until a review is missed (then it is overdue) or six are done.
        for _ in range(6):
            if recorded is None or rng.random() < 0.2:
                return
            reviewed_on = next_review_on - timedelta(days=rng.randint(0, 5))
            next_review_on = reviewed_on + timedelta(days=30)
            valid_until = max(valid_until, reviewed_on + timedelta(days=90))
            recorded = self.emit(
                SINGLE_CHILD_DECISION_REVIEWED,
                stay_id,
                SingleChildDecisionReviewed(
                    decision_id=decision_id,
                    stay_id=stay_id,
                    region=region,
                    child_key=child_key,
                    decided_on=decided_on,
                    valid_until=valid_until,
                    next_review_on=next_review_on,
                    reviewed_on=reviewed_on,
                ),
                self.daytime(reviewed_on),
                after=recorded,
            )

    def placement_request(self) -> int:
        """A request with its offers, decisions, breach and admission; the stays it led to."""
        rng = self.rng
        region = _pick(rng, REGION_SHARE)
        acute = rng.random() < 0.45
        need = self.instant(self.first, self.last)
        if acute:
            function = "acute" if rng.random() < 0.9 else "ema_care_centre"
            desired = oslo_date(need)
            deadline = need + timedelta(hours=2)
        else:
            function = rng.choice(
                ("care", "care", "treatment_low_risk", "treatment_high_risk", "substance_use")
            )
            desired = oslo_date(need) + timedelta(days=rng.randint(7, 60))
            deadline = end_of_day_in_oslo(desired)
        child = self.child(region)
        child_key, municipality, age = child
        duty = age < 20
        request_id = uuid7(need, rng)
        facts = {
            "placement_request_id": request_id,
            "region": region,
            "municipality_number": municipality,
            "urgency": "acute" if acute else "planned",
            "function": function,
        }
        received = self.emit(
            RECEIVED,
            request_id,
            PlacementRequestReceived(
                **facts,
                child_key=child_key,
                age_years=age,
                need_concluded_at=need,
                desired_start_date=desired,
                deadline_at=deadline if duty else None,
                duty_to_assist=duty,
                child_views_recorded=rng.random() < 0.9,
            ),
            need,
            lag=lambda: timedelta(seconds=rng.uniform(30, 600)),
        )
        if received is None:
            return 0
        if rng.random() < 0.06:  # withdrawn before any offer
            closed_at = received + (deadline - received) * rng.uniform(0.1, 0.9)
            self.emit(
                CLOSED,
                request_id,
                PlacementRequestClosed(**facts, closed_at=closed_at),
                closed_at,
                after=received,
            )
            return 0
        in_time = rng.random() < (0.93 if acute else 0.92)
        if in_time:
            window = max(deadline - received, timedelta(minutes=5))
            offered_at = received + window * rng.uniform(0.05, 0.95)
        else:
            offered_at = deadline + timedelta(minutes=rng.uniform(5, 60 * (6 if acute else 72)))
        last = received
        breached = False
        if not in_time and duty:  # the sweeper finds the deadline passed
            breached_rec = self.emit(
                BREACHED,
                request_id,
                PlacementRequestBreached(
                    **facts,
                    child_key=child_key,
                    deadline_at=deadline,
                    breached_at=deadline,
                    cause="no_offer_by_deadline",
                ),
                deadline,
                after=last,
                lag=lambda: timedelta(seconds=rng.uniform(1, 60)),
            )
            last = breached_rec or last
            breached = True
        first = oslo_date(offered_at) if acute else desired
        stays = 0
        for attempt in range(3):
            # Declined at most twice; the last offer is accepted.
            accepted = attempt == 2 or rng.random() < 0.87
            place = self.place(function, region, first, first + timedelta(days=30))
            institution, contract_type, _price, contract = place
            if not accepted and contract is not None:
                contract.taken.pop()  # declined: the place stays free
            offer_id, offered = self._offer(
                facts, institution, contract_type, need, offered_at, deadline, duty, last
            )
            if offered is None:
                return stays
            last = offered
            decided_at = offered_at + timedelta(minutes=rng.uniform(10, 60 * (3 if acute else 48)))
            decided = self.emit(
                DECIDED,
                request_id,
                PlacementRequestDecided(
                    **facts,
                    offer_id=offer_id,
                    decision="accepted" if accepted else "declined",
                    decided_at=decided_at,
                ),
                decided_at,
                after=last,
            )
            if decided is None:
                return stays
            last = decided
            if accepted:
                if contract is not None:
                    contract.taken.pop()  # the stay takes it for its own days
                admitted_at = (
                    decided_at + timedelta(minutes=rng.uniform(30, 180))
                    if acute
                    else max(self.daytime(desired, 9, 15), decided_at + timedelta(hours=1))
                )
                before = len(self.events)
                self.stay(
                    function,
                    admitted_at,
                    child,
                    region,
                    after=last,
                    placement_request_id=request_id,
                    place=place,
                )
                stays += sum(1 for s in self.events[before:] if s.event.type == STAY_ADMITTED.type)
                break
            if duty and not breached and decided_at > deadline:
                rec = self.emit(
                    BREACHED,
                    request_id,
                    PlacementRequestBreached(
                        **facts,
                        child_key=child_key,
                        deadline_at=deadline,
                        breached_at=decided_at,
                        cause="offer_declined_after_deadline",
                    ),
                    decided_at,
                    after=last,
                )
                last = rec or last
                breached = True
            offered_at = decided_at + timedelta(minutes=rng.uniform(20, 60 * (4 if acute else 72)))
        if breached and rng.random() < 0.35:
            confirmed_at = deadline + timedelta(days=rng.uniform(10, 60))
            self.emit(
                BREACH_CONFIRMED,
                request_id,
                PlacementRequestBreachConfirmed(
                    **facts,
                    child_key=child_key,
                    source="county_governor" if rng.random() < 0.6 else "self_assessed",
                    confirmed_at=confirmed_at,
                ),
                confirmed_at,
                after=last,
            )
        return stays

    def _offer(
        self,
        facts: dict[str, Any],
        institution: Institution,
        contract_type: str,
        need: datetime,
        offered_at: datetime,
        deadline: datetime,
        duty: bool,
        after: datetime,
    ) -> tuple[UUID, datetime | None]:
        rng = self.rng
        best = rng.choices((1, 2, 3, 4, 5), weights=(70, 15, 8, 5, 2))[0]
        rung = best if rng.random() < 0.9 else min(best + 1, 5)
        offer_id = uuid7(offered_at, rng)
        return offer_id, self.emit(
            OFFERED,
            facts["placement_request_id"],
            PlacementRequestOffered(
                **facts,
                offer_id=offer_id,
                institution_id=institution.id,
                institution_region=institution.region,
                contract_type=contract_type,
                ownership=institution.ownership,
                rung=rung,
                best_available_rung=best,
                justified=rung > best,
                need_concluded_at=need,
                offered_at=offered_at,
                within_deadline=not duty or offered_at <= deadline,
            ),
            offered_at,
            after=after,
        )


def registrations(institutions: Sequence[Institution], before: int, seed: int) -> list[CloudEvent]:
    """The institutions' registrations, some weeks before the year `before` begins."""
    made = _Year(before, seed, institutions, datetime.now(UTC))
    made.register_institutions()
    return [stamped.event for stamped in sorted(made.events, key=lambda s: s.at)]


def national_year(
    year: int, seed: int, institutions: Sequence[Institution], *, now: datetime | None = None
) -> list[CloudEvent]:
    """The events of one national year (its contracts, requests and stays) in the order
    capacity recorded them."""
    made = _Year(year, seed, institutions, now or datetime.now(UTC))
    made.place_contracts()
    stays = sum(made.placement_request() for _ in range(REQUESTS_PER_YEAR))
    # The rest come without a request of this year (transfers, emergency placements):
    # admissions in day order, so places free up as the year goes.
    direct = sorted(
        made.instant(made.first, made.last)
        for _ in range(max(0, int((STAYS_PER_YEAR - stays) * 0.9)))
    )
    for admitted_at in direct:
        function = _pick(made.rng, {name: s[0] for name, s in STAY_FUNCTIONS.items()})
        region = _pick(made.rng, REGION_SHARE)
        made.stay(function, admitted_at, made.child(region), region)
    made.events.sort(key=lambda stamped: stamped.at)
    return [stamped.event for stamped in made.events]


def national_years(
    years: Sequence[int], *, now: datetime | None = None, seed: int = 0
) -> dict[int, list[CloudEvent]]:
    """Each year's events (year `y` drawn with seed `seed + y`), the institutions'
    registrations (before the earliest year) ahead of the first year given."""
    country = institutions(seed)
    made = {year: national_year(year, seed + year, country, now=now) for year in years}
    first = years[0]
    made[first] = registrations(country, min(years), seed) + made[first]
    return made


async def publish(js: Any, events: Iterable[CloudEvent], *, window: int = 1_000) -> int:
    """Publish onto capacity's stream as its outbox relay does (subject = type, the
    CloudEvent's JSON, `Nats-Msg-Id` = event id, the trace context in the headers), up to
    `window` acknowledgements outstanding; the number JetStream stored (not duplicates)."""
    stored = 0
    pending: list[asyncio.Future[Any]] = []
    for event in events:
        headers = {"Nats-Msg-Id": str(event.id)}
        if event.traceparent:
            headers["traceparent"] = event.traceparent
        pending.append(
            await js.publish_async(STREAM.subject(event.type), event.to_json(), headers=headers)
        )
        if len(pending) >= window:
            stored += sum(not ack.duplicate for ack in await asyncio.gather(*pending))
            pending = []
    stored += sum(not ack.duplicate for ack in await asyncio.gather(*pending))
    return stored


async def ensure_stream(js: Any) -> None:
    """Capacity's stream as capacity makes it (it may not have started yet)."""
    try:
        await js.add_stream(STREAM.config())
    except Exception:  # exists already: bring its configuration up to date
        await js.update_stream(STREAM.config())


def check(events: Iterable[CloudEvent]) -> Counter[str]:
    """Every event against capacity's published JSON Schema of its type (docs/events/);
    the counts by type. Raises on the first that does not match."""
    import jsonschema  # type: ignore[import-untyped]  # a dev dependency, no stubs

    validators: dict[str, Any] = {}
    counts: Counter[str] = Counter()
    for event in events:
        validator = validators.get(event.type)
        if validator is None:
            path = REPO_ROOT / "docs" / "events" / f"{event.type}.json"
            schema = json.loads(path.read_text())
            validator = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
            validators[event.type] = validator
        validator.validate(json.loads(event.to_json()))
        counts[event.type] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--year", type=int, default=datetime.now(UTC).year - 1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    events = national_years([args.year], seed=args.seed)[args.year]
    made = time.perf_counter() - started
    counts = check(events)
    for event_type, count in sorted(counts.items()):
        print(f"{count:>7}  {event_type}")
    print(f"{len(events):>7}  events of {args.year}, made in {made:.2f} s; each matches its schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
