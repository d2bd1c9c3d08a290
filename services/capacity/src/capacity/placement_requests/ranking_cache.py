"""A short-lived cache of ranked candidates per (function, day, region, page).

Ranking every institution costs a query of a few milliseconds; a caseworker's screen asks
for the same ranking again and again. Within this process the cache is dropped at once when
an event that changes free places is committed (a stay admitted or discharged, a contract
changed); a change made by another replica shows after at most `ttl_seconds`. Offers never
use it: they check the place in the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from capacity.codes import InstitutionFunction
from capacity.institutions.events import PLACE_CONTRACT_CHANGED
from capacity.placement_requests.schemas import Candidate
from capacity.stays.events import STAY_ADMITTED, STAY_DISCHARGED
from common.events import CloudEvent
from common.reference import Region

Key = tuple[InstitutionFunction, date, Region, int, int]
# The events after which a ranking of free places is stale.
CHANGES_FREE_PLACES = (STAY_ADMITTED, STAY_DISCHARGED, PLACE_CONTRACT_CHANGED)
_MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class RankedPage:
    """A page of candidates, best first, and whether more follow."""

    candidates: list[Candidate]
    has_more: bool


class RankingCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl_seconds = ttl_seconds
        self._entries: dict[Key, tuple[float, RankedPage]] = {}

    def get(self, key: Key) -> RankedPage | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: Key, page: RankedPage) -> None:
        if self.ttl_seconds <= 0:
            return
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl_seconds, page)

    def on_commit(self, events: list[CloudEvent]) -> None:
        if any(kind.matches(event) for event in events for kind in CHANGES_FREE_PLACES):
            self._entries.clear()
