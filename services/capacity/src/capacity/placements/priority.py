"""The 5-step priority order for choosing a place (allocation letter 2023, lines 53–72):

1. state places in the child's own region, or private places there with a purchase
   guarantee / operating agreement;
2. the same in another region;
3. framework places without guarantee, own or other region;
4. single purchase on free capacity at an institution with a framework agreement, on the
   same terms and price;
5. single purchase for lack of competence or capacity in steps 1–4.

Inside a step: the own region first, then ideal before commercial (state first, municipal
between), then the most free places. All "as far as it serves the child's needs": a worse
step may be chosen, with a justification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from common.reference import Region

from capacity.codes import ContractType, Ownership

OWNERSHIP_ORDER = {
    Ownership.state: 0,
    Ownership.ideal: 1,
    Ownership.municipal: 2,
    Ownership.commercial: 3,
}
_LABEL = {ContractType.state: "state", ContractType.purchase_guarantee: "purchase-guarantee"}


@dataclass(frozen=True)
class Availability:
    """Free places of one institution under one contract type, for a function on a date."""

    institution_id: UUID
    institution_name: str
    region: Region
    ownership: Ownership
    contract_type: ContractType
    free_places: int
    has_framework: bool


@dataclass(frozen=True)
class RankedPlace:
    availability: Availability
    rung: int
    reason: str


def rung_of(contract_type: ContractType, same_region: bool, has_framework: bool) -> int:
    if contract_type in (ContractType.state, ContractType.purchase_guarantee):
        return 1 if same_region else 2
    if contract_type is ContractType.framework:
        return 3
    return 4 if has_framework else 5


def _where(region: Region, own: Region) -> str:
    return f"your own region ({own})" if region == own else f"region {region}"


def reason_for(place: Availability, rung: int, own_region: Region, on: date) -> str:
    free = f"{place.free_places} free on {on.isoformat()}"
    where = _where(place.region, own_region)
    if rung == 1:
        return f"Step 1: {_LABEL[place.contract_type]} place in {where}; {free}."
    if rung == 2:
        return (
            f"Step 2: {_LABEL[place.contract_type]} place in another region "
            f"({place.region}); {free}."
        )
    if rung == 3:
        return f"Step 3: framework place ({place.ownership}) in {where}; {free}."
    if rung == 4:
        return (
            f"Step 4: single purchase ({place.ownership}) in {where} on the terms and "
            f"price of the institution's framework agreement; {free}."
        )
    return (
        f"Step 5: single purchase ({place.ownership}) in {where}, for lack of capacity or "
        f"competence in steps 1–4; weigh it against other children living alone; {free}."
    )


def rank(places: list[Availability], own_region: Region, on: date) -> list[RankedPlace]:
    ranked = []
    for place in places:
        if place.free_places <= 0:
            continue
        rung = rung_of(place.contract_type, place.region == own_region, place.has_framework)
        ranked.append(RankedPlace(place, rung, reason_for(place, rung, own_region, on)))
    ranked.sort(
        key=lambda r: (
            r.rung,
            r.availability.region != own_region,
            OWNERSHIP_ORDER[r.availability.ownership],
            -r.availability.free_places,
            r.availability.institution_name,
            r.availability.institution_id,
        )
    )
    return ranked
