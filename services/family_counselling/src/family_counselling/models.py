"""Every table of the family_counselling database (what Alembic compares migrations against)."""

from family_counselling.appointments.models import Appointment
from family_counselling.cases.models import Case
from family_counselling.certificates.models import MediationCertificate
from family_counselling.db import Base
from family_counselling.offices.models import MediationSlot, Office

metadata = Base.metadata

__all__ = ["Appointment", "Case", "MediationCertificate", "MediationSlot", "Office", "metadata"]
