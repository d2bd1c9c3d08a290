from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from capacity.codes import ContractType, InstitutionFunction, Ownership
from capacity.events import registry
from common.events import EventData
from common.reference import Region


class InstitutionRegistered(EventData):
    institution_id: UUID
    name: str
    region: Region
    municipality_number: str
    ownership: Ownership
    functions: list[InstitutionFunction]


class PlaceContractChanged(EventData):
    contract_id: UUID
    change: Literal["created", "updated"]
    institution_id: UUID
    region: Region
    ownership: Ownership
    function: InstitutionFunction
    contract_type: ContractType
    budgeted_places: int
    valid_from: date
    valid_to: date | None
    day_price_nok: Decimal


INSTITUTION_REGISTERED = registry.register(
    "capacity.institution.registered.v1",
    InstitutionRegistered,
    "An institution was registered with its region, ownership and functions.",
)
PLACE_CONTRACT_CHANGED = registry.register(
    "capacity.place_contract.changed.v1",
    PlaceContractChanged,
    "An institution's places for a function under a contract type, for a period.",
)
