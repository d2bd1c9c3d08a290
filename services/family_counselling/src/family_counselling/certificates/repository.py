"""Queries of mediation certificates."""

from __future__ import annotations

from sqlalchemy import select

from common.repository import Repository
from family_counselling.certificates.models import MediationCertificate


class MediationCertificateRepository(Repository[MediationCertificate]):
    model = MediationCertificate

    async def get_by_number(self, number: str) -> MediationCertificate | None:
        return await self.first(
            select(MediationCertificate).where(MediationCertificate.number == number)
        )
