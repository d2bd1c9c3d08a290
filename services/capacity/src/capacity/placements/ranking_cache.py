"""A short-lived cache of ranked candidates per (function, day, region, page).

Ranking every institution costs a query of a few milliseconds; a caseworker's screen asks
for the same ranking again and again. Within this process the cache is dropped at once when
a stay or a place contract changes; a change made by another replica shows after at most
`ttl_seconds`. Offers never use it: they check the place in the database.
"""

from __future__ import annotations

import time
from datetime import date
from functools import cached_property

import orjson
from pydantic import TypeAdapter

from capacity.codes import InstitutionFunction
from capacity.placements.schemas import Candidate
from common.events import CloudEvent
from common.reference import Region

Key = tuple[InstitutionFunction, date, Region, int, int]
_CHANGES_PLACES = ("capacity.stay.", "capacity.place_contract.")
_MAX_ENTRIES = 10_000
_CANDIDATES = TypeAdapter(list[Candidate])


class RankedPage:
    """A page of candidates, best first, and whether more follow. Serialized once, however
    often it is answered from the cache (fifty candidates are most of the answer's cost)."""

    def __init__(self, candidates: list[Candidate], *, has_more: bool) -> None:
        self.candidates = candidates
        self.has_more = has_more

    @cached_property
    def candidates_json(self) -> orjson.Fragment:
        return orjson.Fragment(_CANDIDATES.dump_json(self.candidates, by_alias=True))


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
        if any(event.type.startswith(_CHANGES_PLACES) for event in events):
            self._entries.clear()
