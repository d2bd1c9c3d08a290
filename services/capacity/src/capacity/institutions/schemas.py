from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from capacity.codes import ContractType, InstitutionFunction, Ownership
from common.reference import MunicipalityNumber, Region
from common.schemas import Day, Input, Instant, Output

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class InstitutionIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Bergen akuttinstitusjon",
                    "municipality_number": "4601",
                    "region": "vest",
                    "ownership": "state",
                    "functions": ["acute", "care"],
                }
            ]
        },
    )

    name: Name
    municipality_number: MunicipalityNumber
    region: Region | None = Field(
        None, description="Follows from the municipality; if given it must agree with it."
    )
    ownership: Ownership
    functions: list[InstitutionFunction] = Field(min_length=1, max_length=7)

    @field_validator("functions")
    @classmethod
    def _distinct(cls, functions: list[InstitutionFunction]) -> list[InstitutionFunction]:
        if len(set(functions)) != len(functions):
            raise ValueError("each function may be listed once")
        return functions


class InstitutionOut(Output):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    region: Region
    municipality_number: str
    ownership: Ownership
    functions: list[InstitutionFunction]
    created_at: Instant
    version: int = Field(description="Changes with every change; the ETag is this number.")


NokAmount = Annotated[Decimal, Field(ge=0, le=1_000_000, max_digits=10, decimal_places=2)]


class PlaceContractIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "function": "acute",
                    "contract_type": "state",
                    "budgeted_places": 6,
                    "valid_from": "2024-01-01",
                    "valid_to": None,
                    "day_price_nok": "15200.00",
                }
            ]
        },
    )

    function: InstitutionFunction
    contract_type: ContractType
    budgeted_places: int = Field(ge=0, le=1000)
    valid_from: Day
    valid_to: Day | None = Field(None, description="Last day (inclusive); null = open-ended.")
    day_price_nok: NokAmount

    @model_validator(mode="after")
    def _period(self) -> PlaceContractIn:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        return self


class PlaceContractChange(Input):
    """End a contract, or correct its places or price; the function, contract type and start
    stay (a new period is a new contract)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"valid_to": "2024-12-31"},
                {"budgeted_places": 8, "day_price_nok": "15900.00"},
            ]
        },
    )

    budgeted_places: int | None = Field(None, ge=0, le=1000)
    valid_to: Day | None = Field(None, description="Last day (inclusive).")
    day_price_nok: NokAmount | None = None


class PlaceContractOut(Output):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    institution_id: UUID
    function: InstitutionFunction
    contract_type: ContractType
    budgeted_places: int
    valid_from: date
    valid_to: date | None
    day_price_nok: Decimal
    version: int
    created_at: Instant
