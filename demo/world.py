"""What every part of the demo year shares: the regions and their municipalities, the
calendar of 2024 in Oslo time, and the two ways the demo draws numbers.

Counts and shares are dealt, not drawn: `apportion` splits a total exactly (largest
remainder) and `deal` marks exactly round(share × n) of n items, so a figure lands on its
calibration however small the load. Durations come from `quantiles`, evenly spaced points of
a distribution, so their mean and median hold for any n. A seeded `random.Random` only
shuffles who gets what, which keeps the year reproducible and the order realistic.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from common.municipalities import MUNICIPALITIES
from common.reference import region_of_county

T = TypeVar("T")

OSLO = ZoneInfo("Europe/Oslo")
YEAR = 2024
YEAR_START = date(YEAR, 1, 1)
YEAR_END = date(YEAR, 12, 31)
DAYS_IN_YEAR = (YEAR_END - YEAR_START).days + 1

REGIONS = ("ost", "sor", "vest", "midt", "nord")
# Each region's share of the population (SSB, 1.1.2024), which the demo uses for everything
# that follows the number of children: requests, cases, breaches.
POPULATION_SHARE = {"ost": 0.382, "sor": 0.185, "vest": 0.209, "midt": 0.136, "nord": 0.088}
# The largest municipality of each region gets a larger share of its region's children.
CITIES = {"ost": "0301", "sor": "4204", "vest": "4601", "midt": "5001", "nord": "5501"}

MUNICIPALITIES_BY_REGION: dict[str, list[str]] = {region: [] for region in REGIONS}
for _number in sorted(MUNICIPALITIES):
    _region = region_of_county(_number)
    if _region is not None:
        MUNICIPALITIES_BY_REGION[_region].append(_number)


def municipality(rng: random.Random, region: str) -> str:
    """A municipality of the region: its city a third of the time, else any of them."""
    if rng.random() < 1 / 3:
        return CITIES[region]
    return rng.choice(MUNICIPALITIES_BY_REGION[region])


def apportion(total: int, shares: dict[str, float]) -> dict[str, int]:
    """`total` split by `shares` into whole numbers that add up to it (largest remainder)."""
    weight = sum(shares.values())
    exact = {key: total * share / weight for key, share in shares.items()}
    counts = {key: math.floor(value) for key, value in exact.items()}
    left = total - sum(counts.values())
    for key in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)[:left]:
        counts[key] += 1
    return counts


def regions_of(total: int) -> list[str]:
    """`total` items spread over the regions by population, in region order."""
    return [
        region for region, count in apportion(total, POPULATION_SHARE).items() for _ in range(count)
    ]


def deal(rng: random.Random, n: int, share: float) -> list[bool]:
    """Exactly round(share × n) of n flags set, in a shuffled order."""
    marked = round(share * n)
    flags = [True] * marked + [False] * (n - marked)
    rng.shuffle(flags)
    return flags


def dealt(rng: random.Random, n: int, shares: dict[str, float]) -> list[str]:
    """n labels, each share's exact number of them (`apportion`), shuffled."""
    labels = [label for label, count in apportion(n, shares).items() for _ in range(count)]
    rng.shuffle(labels)
    return labels


def quantiles(n: int, inverse_cdf: Callable[[float], float]) -> list[float]:
    """n evenly spaced points of a distribution (its (i + ½)/n quantiles), smallest first."""
    return [inverse_cdf((i + 0.5) / n) for i in range(n)]


def lognormal(median: float, mean: float) -> Callable[[float], float]:
    """The inverse CDF of the log-normal distribution with this median and mean."""
    from statistics import NormalDist

    mu = math.log(median)
    sigma = math.sqrt(2 * math.log(mean / median))
    normal = NormalDist(mu, sigma)
    return lambda u: math.exp(normal.inv_cdf(u))


def shuffled(rng: random.Random, items: Sequence[T]) -> list[T]:
    copy = list(items)
    rng.shuffle(copy)
    return copy


def day_of_year(index: int) -> date:
    """The index-th day of 2024 (0 = 1 January)."""
    return YEAR_START + timedelta(days=index)


def spread_days(n: int, first: date = YEAR_START, last: date = YEAR_END) -> list[date]:
    """n days spread evenly over [first, last]."""
    span = (last - first).days + 1
    return [first + timedelta(days=int((i + 0.5) * span / n)) for i in range(n)]


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An Oslo wall-clock time on `day`."""
    return datetime.combine(day, time(hour, minute), OSLO)


def instant(day: date, hour: int = 10, minute: int = 0) -> str:
    """An Oslo wall-clock time on `day`, as ISO 8601 with its offset."""
    return at(day, hour, minute).isoformat()


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator of its own for one part of the year: the same whatever runs beside it."""
    return random.Random(":".join(str(part) for part in (seed, *parts)))  # noqa: S311
