"""Events of foster homes: what the recruitment funnel and matching figures need (region,
municipality, kind, source, stages with their times, reasons as codes); a foster family is
never named."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from common.events import EventData
from common.reference import Region
from foster_care.codes import (
    FosterHomeKind,
    PauseReason,
    RecruitmentSource,
    Stage,
    TrainingProgramme,
    WithdrawalReason,
)
from foster_care.events import registry


class _HomeFacts(EventData):
    foster_home_id: UUID
    region: Region
    municipality_number: str
    kind: FosterHomeKind
    recruitment_source: RecruitmentSource


class FosterHomeRegistered(_HomeFacts):
    """The home entered the first stage, `inquiry`, at `inquiry_at`."""

    inquiry_at: datetime
    for_kinship: bool


class FosterHomeStageChanged(_HomeFacts):
    from_stage: Stage
    to_stage: Stage
    at: datetime
    training_programme: TrainingProgramme | None
    withdrawal_reason: WithdrawalReason | None


class FosterHomeAvailabilityChanged(_HomeFacts):
    places: int
    available: bool
    at: datetime
    pause_reason: PauseReason | None


FOSTER_HOME_REGISTERED = registry.register(
    "foster_care.foster_home.registered.v1",
    FosterHomeRegistered,
    "A family inquired about becoming a foster home (the funnel's first stage).",
)
FOSTER_HOME_STAGE_CHANGED = registry.register(
    "foster_care.foster_home.stage_changed.v1",
    FosterHomeStageChanged,
    "A foster home entered a recruitment stage, or withdrew (with the reason's code).",
)
FOSTER_HOME_AVAILABILITY_CHANGED = registry.register(
    "foster_care.foster_home.availability_changed.v1",
    FosterHomeAvailabilityChanged,
    "An approved home's places, or its pause and resumption.",
)
