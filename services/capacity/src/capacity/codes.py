"""Code lists of the capacity domain (API.md names them; see DOMAIN.md)."""

from enum import StrEnum


class Ownership(StrEnum):
    state = "state"
    ideal = "ideal"  # private non-profit
    commercial = "commercial"
    municipal = "municipal"


class InstitutionFunction(StrEnum):
    acute = "acute"
    care = "care"
    treatment_low_risk = "treatment_low_risk"
    treatment_high_risk = "treatment_high_risk"
    substance_use = "substance_use"
    parent_child_centre = "parent_child_centre"
    ema_care_centre = "ema_care_centre"  # care centres for unaccompanied minors under 15


class ContractType(StrEnum):
    state = "state"
    purchase_guarantee = "purchase_guarantee"  # also operating agreements: paid whether used or not
    framework = "framework"
    single_purchase = "single_purchase"  # enkeltkjøp


class Urgency(StrEnum):
    acute = "acute"
    planned = "planned"


class PlacementRequestStatus(StrEnum):
    open = "open"
    offered = "offered"
    accepted = "accepted"
    breached = "breached"
    closed = "closed"


class OfferStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class Decision(StrEnum):
    accepted = "accepted"
    declined = "declined"


class BreachSource(StrEnum):
    county_governor = "county_governor"  # statsforvalteren
    self_assessed = "self_assessed"  # Bufetat's own assessment


class BreachCause(StrEnum):
    no_offer_by_deadline = "no_offer_by_deadline"
    offer_declined_after_deadline = "offer_declined_after_deadline"


class EndReason(StrEnum):
    planned = "planned"
    unintended = "unintended"
    moved = "moved"
    other = "other"
