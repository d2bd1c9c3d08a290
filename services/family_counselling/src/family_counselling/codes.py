"""Code lists of family counselling (familievern; API.md names them; see DOMAIN.md and the
digest of the 2023 allocation letter, S 1.8.x)."""

from enum import StrEnum


class OfficeOwnership(StrEnum):
    state = "state"
    church = "church"  # kirkelige familievernkontor, on grant letters


class CaseType(StrEnum):
    clinical = "clinical"  # couple and family therapy, counselling
    mediation = "mediation"
    supervised_contact = "supervised_contact"
    court_case = "court_case"


class MediationReason(StrEnum):
    separation = "separation"  # mandatory for separating parents of children under 16
    court = "court"  # mandatory before a court case about the children
    voluntary = "voluntary"


MANDATORY_MEDIATION = frozenset({MediationReason.separation, MediationReason.court})


class Track(StrEnum):
    """The conflict track of a mediation (A lowest, C! highest conflict)."""

    A = "A"
    B = "B"
    C = "C"
    C_HIGH = "C!"


# Severity by track: high-conflict mediation is prioritised by severity (L1838-1840).
TRACK_SEVERITY = {Track.A: 0, Track.B: 1, Track.C: 2, Track.C_HIGH: 3}


class CaseStatus(StrEnum):
    open = "open"
    closed = "closed"


class AppointmentKind(StrEnum):
    intake = "intake"
    mediation = "mediation"
    therapy = "therapy"
    child_conversation = "child_conversation"
    supervised_contact = "supervised_contact"


class Outcome(StrEnum):
    attended = "attended"
    no_show = "no_show"
    rescheduled_by_client = "rescheduled_by_client"
    rescheduled_by_office = "rescheduled_by_office"


class ChildHeard(StrEnum):
    """Whether a child was heard in a mediation: only meaningful with a child over 7."""

    heard = "heard"
    not_heard = "not_heard"
    not_applicable = "not_applicable"  # no child over 7 in the case
