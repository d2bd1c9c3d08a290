"""Code lists of the foster-care domain (API.md names them; see DOMAIN.md and the digests of
the 2023 allocation letter and the 2024 annual report)."""

from enum import StrEnum


class FosterHomeKind(StrEnum):
    ordinary = "ordinary"
    reinforced = "reinforced"  # ordinary with reinforcement (forsterkning)
    kinship = "kinship"  # family and close network (slekt og nettverk)
    emergency = "emergency"  # beredskapshjem
    specialised = "specialised"  # spesialisert fosterhjem
    family_home = "family_home"  # statlig familiehjem


class RecruitmentSource(StrEnum):
    campaign = "campaign"  # national or regional campaigns (fosterhjem.no, Fosterhjemsuka)
    local_association = "local_association"  # clubs and associations where the child lives
    child_network = "child_network"  # the child's own family and network
    other = "other"


class Stage(StrEnum):
    """The recruitment stages of a foster home, in order, and `withdrawn` from any of them."""

    inquiry = "inquiry"
    information_meeting = "information_meeting"
    pre_assessment = "pre_assessment"  # førvurdering
    training = "training"  # basic training (grunnopplæring) under way
    training_completed = "training_completed"
    home_study = "home_study"  # utredning
    approved = "approved"
    withdrawn = "withdrawn"


class TrainingProgramme(StrEnum):
    PRIDE = "PRIDE"
    SOLID = "SOLID"


class WithdrawalReason(StrEnum):
    family_withdrew = "family_withdrew"
    assessed_unsuitable = "assessed_unsuitable"
    request_ended = "request_ended"  # a kinship home whose child no longer needs it
    other = "other"


class PauseReason(StrEnum):
    family_circumstances = "family_circumstances"
    respite = "respite"
    under_review = "under_review"
    other = "other"


class Need(StrEnum):
    """What a child needs of a home, from a fixed list (the waiting-child record of the 2024
    annual report, and the young people's demands: close to school and family)."""

    siblings_together = "siblings_together"
    close_to_school = "close_to_school"
    close_to_family = "close_to_family"
    language = "language"
    culture_religion = "culture_religion"
    health = "health"
    disability = "disability"
    behaviour_support = "behaviour_support"
    young_child = "young_child"


# Needs a home meets by where it is: in the child's own municipality.
NEEDS_MET_BY_PLACE = frozenset({Need.close_to_school, Need.close_to_family})


class FosterHomeRequestStatus(StrEnum):
    open = "open"
    proposed = "proposed"
    placed = "placed"
    withdrawn = "withdrawn"


class WaitingReason(StrEnum):
    no_suitable_home = "no_suitable_home"
    recruited_home_withdrew = "recruited_home_withdrew"
    municipality_declined = "municipality_declined"
    other = "other"


class RequestWithdrawalReason(StrEnum):
    other_measure = "other_measure"  # the municipality found another measure
    returned_home = "returned_home"
    kinship_solution = "kinship_solution"  # the child's network stepped in
    other = "other"


class ConversationMethod(StrEnum):
    """How the child was talked to alone (the young people's demand: always alone, before
    deciding on kinship care)."""

    in_person = "in_person"
    video = "video"
    phone = "phone"


class ProposalStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class Decision(StrEnum):
    accepted = "accepted"
    declined = "declined"


class DeclineReason(StrEnum):
    no_suitable_match = "no_suitable_match"
    home_withdrew = "home_withdrew"
    municipality_declined = "municipality_declined"
    child_declined = "child_declined"
    other = "other"


# What a declined proposal says about why the child still waits.
WAITING_REASON_OF_DECLINE = {
    DeclineReason.no_suitable_match: WaitingReason.no_suitable_home,
    DeclineReason.home_withdrew: WaitingReason.recruited_home_withdrew,
    DeclineReason.municipality_declined: WaitingReason.municipality_declined,
    DeclineReason.child_declined: WaitingReason.other,
    DeclineReason.other: WaitingReason.other,
}


class BreachSource(StrEnum):
    county_governor = "county_governor"  # statsforvalteren
    self_assessed = "self_assessed"  # Bufetat's own assessment


class PlacementEndReason(StrEnum):
    planned = "planned"
    breakdown = "breakdown"  # brudd
    moved = "moved"
    other = "other"
