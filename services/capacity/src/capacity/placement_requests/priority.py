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

The order is applied in the database (candidates over a thousand institutions are ranked and
paged there); `rung_expression` and `ownership_rank` are built from the same tables as
`rung_of`, and a test checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import case, or_
from sqlalchemy.sql.elements import ColumnElement

from capacity.codes import ContractType, Ownership
from common.reference import Region

OWNERSHIP_ORDER = {
    Ownership.state: 0,
    Ownership.ideal: 1,
    Ownership.municipal: 2,
    Ownership.commercial: 3,
}
GUARANTEED = (ContractType.state, ContractType.purchase_guarantee)
_LABEL = {ContractType.state: "state", ContractType.purchase_guarantee: "purchase-guarantee"}


@dataclass(frozen=True)
class RankedPlace:
    """Free places of one institution under one contract type, for a function on a date,
    with their step of the priority order."""

    institution_id: UUID
    institution_name: str
    region: Region
    ownership: Ownership
    contract_type: ContractType
    free_places: int
    rung: int


def rung_of(contract_type: ContractType, same_region: bool, has_framework: bool) -> int:
    if contract_type in GUARANTEED:
        return 1 if same_region else 2
    if contract_type is ContractType.framework:
        return 3
    return 4 if has_framework else 5


def rung_expression(
    contract_type: ColumnElement[Any],
    same_region: ColumnElement[bool],
    has_framework: ColumnElement[bool],
) -> ColumnElement[int]:
    """`rung_of` as an SQL expression over the given columns."""
    guaranteed = or_(*(contract_type == guaranteed for guaranteed in GUARANTEED))
    return case(
        (guaranteed, case((same_region, 1), else_=2)),
        (contract_type == ContractType.framework, 3),
        (has_framework, 4),
        else_=5,
    )


def ownership_rank(ownership: ColumnElement[Any]) -> ColumnElement[int]:
    """`OWNERSHIP_ORDER` as an SQL expression: state, ideal, municipal, commercial."""
    return case(OWNERSHIP_ORDER, value=ownership, else_=9)


def reason_for(place: RankedPlace, own_region: Region, on: date) -> str:
    free = f"{place.free_places} free on {on.isoformat()}"
    where = (
        f"your own region ({own_region})"
        if place.region == own_region
        else f"region {place.region}"
    )
    if place.rung == 1:
        return f"Step 1: {_LABEL[place.contract_type]} place in {where}; {free}."
    if place.rung == 2:
        return (
            f"Step 2: {_LABEL[place.contract_type]} place in another region "
            f"({place.region}); {free}."
        )
    if place.rung == 3:
        return f"Step 3: framework place ({place.ownership}) in {where}; {free}."
    if place.rung == 4:
        return (
            f"Step 4: single purchase ({place.ownership}) in {where} on the terms and "
            f"price of the institution's framework agreement; {free}."
        )
    return (
        f"Step 5: single purchase ({place.ownership}) in {where}, for lack of capacity or "
        f"competence in steps 1–4; weigh it against other children living alone; {free}."
    )
