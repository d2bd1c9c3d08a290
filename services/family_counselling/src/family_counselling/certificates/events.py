"""Events of mediation certificates (never the number: it is what a parent shows a court)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from common.events import EventData
from common.reference import Region
from family_counselling.events import registry


class MediationCertificateIssued(EventData):
    case_id: UUID
    office_id: UUID
    region: Region
    issued_on: date
    first_mediation_on: date
    valid_until: date


MEDIATION_CERTIFICATE_ISSUED = registry.register(
    "family_counselling.mediation_certificate.issued.v1",
    MediationCertificateIssued,
    "A mediation certificate was issued, valid six months from the first mediation session.",
)
