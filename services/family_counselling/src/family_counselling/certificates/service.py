"""Rules of mediation certificates (meklingsattest).

The certificate is valid for six months from the first mediation session: forskrift om
mekling etter ekteskapslova og barnelova (FOR-2006-12-18-1424) § 7, read with ekteskapsloven
§ 26 and barnelova § 51, which make mediation mandatory before separation and before a court
case about the children. A period of months ends on the day of the last month with the same
number as the first day (domstolloven § 148), the last day of that month when it has none.
Answers in the API's terms; never commits and never touches SQL."""

from __future__ import annotations

import calendar
import secrets
from datetime import date
from uuid import UUID

from common import clock
from common.auth import Principal
from common.errors import Conflict, NotFound
from common.uow import UnitOfWork
from family_counselling.cases.service import get_visible as get_visible_case
from family_counselling.certificates.events import (
    MEDIATION_CERTIFICATE_ISSUED,
    MediationCertificateIssued,
)
from family_counselling.certificates.models import MediationCertificate
from family_counselling.certificates.repository import MediationCertificateRepository
from family_counselling.certificates.schemas import CertificateCheck, CertificateOut
from family_counselling.codes import CaseType

VALID_MONTHS = 6
# No 0/O, 1/I/L or U: read aloud or typed from paper without mistakes. 12 of 30 symbols is
# 59 bits: a number cannot be guessed from another.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_PATTERN = r"^MK(-[2-9A-HJKMNP-TV-Z]{4}){3}$"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_number() -> str:
    symbols = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return "MK-" + "-".join(symbols[i : i + 4] for i in range(0, 12, 4))


def _view(certificate: MediationCertificate) -> CertificateOut:
    return CertificateOut(
        certificate_number=certificate.number,
        case_id=certificate.case_id,
        issued_on=certificate.issued_on,
        first_mediation_on=certificate.first_mediation_on,
        valid_until=certificate.valid_until,
    )


async def create_certificate(
    uow: UnitOfWork, principal: Principal, case_id: UUID
) -> CertificateOut:
    case = await get_visible_case(
        uow, principal, case_id, action="update", purpose="mediation certificate", for_update=True
    )
    if case.case_type is not CaseType.mediation or case.first_mediation_on is None:
        raise Conflict(
            "A mediation certificate is issued for a mediation case with at least one "
            "attended mediation session."
        )
    first = case.first_mediation_on
    certificate = MediationCertificateRepository(uow).add(
        MediationCertificate(
            number=new_number(),
            case_id=case.id,
            issued_on=clock.today_in_oslo(),
            first_mediation_on=first,
            valid_until=add_months(first, VALID_MONTHS),
        )
    )
    uow.emit(
        MEDIATION_CERTIFICATE_ISSUED,
        subject=case.id,
        data=MediationCertificateIssued(
            case_id=case.id,
            office_id=case.office_id,
            region=case.region,
            issued_on=certificate.issued_on,
            first_mediation_on=first,
            valid_until=certificate.valid_until,
        ),
    )
    return _view(certificate)


async def check_certificate(uow: UnitOfWork, number: str) -> CertificateCheck:
    """Whether a certificate is valid, with its dates: nothing about the family."""
    certificate = await MediationCertificateRepository(uow).get_by_number(number)
    if certificate is None:
        raise NotFound(f"No mediation certificate {number}.")
    uow.audit("read", "case", certificate.case_id, purpose="mediation certificate checked")
    return CertificateCheck(
        certificate_number=certificate.number,
        status="valid" if clock.today_in_oslo() <= certificate.valid_until else "expired",
        issued_on=certificate.issued_on,
        first_mediation_on=certificate.first_mediation_on,
        valid_until=certificate.valid_until,
    )
