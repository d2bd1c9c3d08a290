"""Events of offices and their published mediation slots."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from common.events import EventData
from common.reference import Region
from family_counselling.codes import OfficeOwnership
from family_counselling.events import registry


class OfficeRegistered(EventData):
    office_id: UUID
    name: str  # an office's name is public
    region: Region
    municipality_number: str
    ownership: OfficeOwnership
    therapist_hours_per_week: int


class MediationSlotPublished(EventData):
    slot_id: UUID
    office_id: UUID
    region: Region
    starts_at: datetime


OFFICE_REGISTERED = registry.register(
    "family_counselling.office.registered.v1",
    OfficeRegistered,
    "A family counselling office, with its ownership and opening capacity.",
)
MEDIATION_SLOT_PUBLISHED = registry.register(
    "family_counselling.mediation_slot.published.v1",
    MediationSlotPublished,
    "An office published a time for digital booking of mediation.",
)
