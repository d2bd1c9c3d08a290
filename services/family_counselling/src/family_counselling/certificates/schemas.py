from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from common.schemas import Output


class CertificateOut(Output):
    certificate_number: str = Field(examples=["MK-7Q2D-X9HF-K3MA"])
    case_id: UUID
    issued_on: date
    first_mediation_on: date
    valid_until: date = Field(description="Six months from the first mediation session.")


class CertificateCheck(Output):
    """What anyone shown a certificate may check: whether it is valid, and its dates;
    nothing about the family."""

    certificate_number: str
    status: Literal["valid", "expired"]
    issued_on: date
    first_mediation_on: date
    valid_until: date
