"""Read models built from the services' events.

Every row is a fact as one event stated it, never rewritten by a later one: a later event
adds its own row (a discharge beside its admission, a new version of a contract beside the
old). So delivery order does not matter, a duplicate changes nothing (`ON CONFLICT DO
NOTHING`), a replay rebuilds the same rows, and every row keeps `recorded_at` (when the
source service recorded the event): the KPIs can be answered "as known at" any instant by
reading only the rows recorded by then. `source_sequence` is the event's stream position.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Index, Integer, Numeric, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from reporting_gateway.db import Base


class CapacityInstitution(Base):
    __tablename__ = "capacity_institution"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(Text, index=True)
    municipality_number: Mapped[str] = mapped_column(Text)
    ownership: Mapped[str] = mapped_column(Text)
    functions: Mapped[list[str]] = mapped_column(ARRAY(Text))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class CapacityPlaceContractVersion(Base):
    """An institution's places for a function under a contract type, as one event stated
    them (created or updated): the contract as known at T is its newest version recorded by
    T."""

    __tablename__ = "capacity_place_contract_version"
    __table_args__ = (Index("ix_capacity_place_contract_version_valid", "valid_from", "valid_to"),)

    contract_id: Mapped[UUID] = mapped_column(primary_key=True)
    source_sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    institution_id: Mapped[UUID] = mapped_column(index=True)
    region: Mapped[str] = mapped_column(Text)
    ownership: Mapped[str] = mapped_column(Text)
    function: Mapped[str] = mapped_column(Text)
    contract_type: Mapped[str] = mapped_column(Text)
    budgeted_places: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    day_price_nok: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]


class CapacityPlacementRequest(Base):
    """A municipality's request for a place, as received (with its deadline)."""

    __tablename__ = "capacity_placement_request"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(Text)
    municipality_number: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(Text)
    function: Mapped[str] = mapped_column(Text)
    child_key: Mapped[str] = mapped_column(Text)
    age_years: Mapped[int] = mapped_column(Integer)
    need_concluded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    desired_start_date: Mapped[date] = mapped_column(Date)
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    duty_to_assist: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class CapacityOffer(Base):
    """An offer of a place, with when it was made (`offered_at`) and when it was recorded."""

    __tablename__ = "capacity_offer"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    placement_request_id: Mapped[UUID] = mapped_column(index=True)
    institution_id: Mapped[UUID]
    institution_region: Mapped[str] = mapped_column(Text)
    contract_type: Mapped[str] = mapped_column(Text)
    ownership: Mapped[str] = mapped_column(Text)
    rung: Mapped[int] = mapped_column(Integer)
    justified: Mapped[bool] = mapped_column(Boolean)
    offered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class CapacityOfferDecision(Base):
    __tablename__ = "capacity_offer_decision"

    offer_id: Mapped[UUID] = mapped_column(primary_key=True)
    placement_request_id: Mapped[UUID] = mapped_column(index=True)
    decision: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class CapacityBreach(Base):
    """Capacity's own finding that a deadline passed without an offer (the KPIs decide from
    the deadline and the offers themselves, so a late-registered timely offer still wins)."""

    __tablename__ = "capacity_breach"

    placement_request_id: Mapped[UUID] = mapped_column(primary_key=True)
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    breached_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cause: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class CapacityBreachConfirmation(Base):
    __tablename__ = "capacity_breach_confirmation"

    placement_request_id: Mapped[UUID] = mapped_column(primary_key=True)
    source_sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]


class CapacityPlacementRequestClosure(Base):
    __tablename__ = "capacity_placement_request_closure"

    placement_request_id: Mapped[UUID] = mapped_column(primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class CapacityStay(Base):
    """An admission. Its discharge, once recorded, is a row of `capacity_stay_discharge`."""

    __tablename__ = "capacity_stay"
    __table_args__ = (
        Index("ix_capacity_stay_admitted_on", "admitted_on"),
        Index("ix_capacity_stay_region_admitted_on", "region", "admitted_on"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[UUID] = mapped_column(index=True)
    region: Mapped[str] = mapped_column(Text)
    municipality_number: Mapped[str] = mapped_column(Text)
    placement_request_id: Mapped[UUID | None]
    child_key: Mapped[str] = mapped_column(Text)
    age_years: Mapped[int] = mapped_column(Integer)
    function: Mapped[str] = mapped_column(Text)
    contract_type: Mapped[str] = mapped_column(Text)
    ownership: Mapped[str] = mapped_column(Text)
    admitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    admitted_on: Mapped[date] = mapped_column(Date)
    lives_alone: Mapped[bool] = mapped_column(Boolean)
    day_price_nok: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class CapacityStayDischarge(Base):
    __tablename__ = "capacity_stay_discharge"

    stay_id: Mapped[UUID] = mapped_column(primary_key=True)
    discharged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    discharged_on: Mapped[date] = mapped_column(Date, index=True)
    end_reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class CapacitySingleChildDecisionVersion(Base):
    """A single-child decision as recorded or reviewed."""

    __tablename__ = "capacity_single_child_decision_version"

    decision_id: Mapped[UUID] = mapped_column(primary_key=True)
    source_sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    stay_id: Mapped[UUID] = mapped_column(index=True)
    decided_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    next_review_on: Mapped[date] = mapped_column(Date)
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]


class FosterCareHome(Base):
    """A foster home as registered: it entered the funnel's first stage, `inquiry`."""

    __tablename__ = "foster_care_home"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(Text)
    municipality_number: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    recruitment_source: Mapped[str] = mapped_column(Text)
    for_kinship: Mapped[bool] = mapped_column(Boolean)
    inquiry_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    inquiry_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class FosterCareHomeStage(Base):
    """A foster home entering a recruitment stage (or withdrawing), with the home's facts
    as the event stated them."""

    __tablename__ = "foster_care_home_stage"

    foster_home_id: Mapped[UUID] = mapped_column(primary_key=True)
    source_sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    region: Mapped[str] = mapped_column(Text)
    municipality_number: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    recruitment_source: Mapped[str] = mapped_column(Text)
    from_stage: Mapped[str] = mapped_column(Text)
    to_stage: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    entered_on: Mapped[date] = mapped_column(Date, index=True)
    training_programme: Mapped[str | None] = mapped_column(Text)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]


class FosterCareRequest(Base):
    """A municipality's foster-home request as received: the child waits from the day after
    `desired_start_date` until placed or withdrawn."""

    __tablename__ = "foster_care_request"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(Text)
    municipality_number: Mapped[str] = mapped_column(Text)
    child_key: Mapped[str] = mapped_column(Text)
    age_years: Mapped[int] = mapped_column(Integer)
    desired_start_date: Mapped[date] = mapped_column(Date, index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    requested_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class FosterCareRequestWithdrawal(Base):
    __tablename__ = "foster_care_request_withdrawal"

    foster_home_request_id: Mapped[UUID] = mapped_column(primary_key=True)
    withdrawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class FosterCareConferenceVersion(Base):
    """A family group conference as offered, or held: the conference as known at T is its
    newest version recorded by T."""

    __tablename__ = "foster_care_conference_version"

    conference_id: Mapped[UUID] = mapped_column(primary_key=True)
    source_sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    foster_home_request_id: Mapped[UUID] = mapped_column(index=True)
    region: Mapped[str] = mapped_column(Text)
    municipality_number: Mapped[str] = mapped_column(Text)
    child_key: Mapped[str] = mapped_column(Text, index=True)
    offered_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date)
    aims_to_recruit_home: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]


class FosterCareBreachConfirmation(Base):
    """A breach of the duty to assist for a foster-home request, confirmed by the county
    governor or by Bufetat's own assessment."""

    __tablename__ = "foster_care_breach_confirmation"

    foster_home_request_id: Mapped[UUID] = mapped_column(primary_key=True)
    source_sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    region: Mapped[str] = mapped_column(Text)
    municipality_number: Mapped[str] = mapped_column(Text)
    child_key: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]


class FosterCarePlacement(Base):
    """A child moving into a foster home. `region`/`municipality_number` are the placing
    municipality's; its end, once recorded, is a row of `foster_care_placement_end`."""

    __tablename__ = "foster_care_placement"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    foster_home_request_id: Mapped[UUID] = mapped_column(index=True)
    foster_home_id: Mapped[UUID]
    region: Mapped[str] = mapped_column(Text)
    municipality_number: Mapped[str] = mapped_column(Text)
    home_region: Mapped[str] = mapped_column(Text)
    home_municipality_number: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    child_key: Mapped[str] = mapped_column(Text)
    age_years: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date, index=True)
    far_from_home: Mapped[bool] = mapped_column(Boolean)
    desired_start_date: Mapped[date] = mapped_column(Date)
    placement_number: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class FosterCarePlacementEnd(Base):
    __tablename__ = "foster_care_placement_end"

    placement_id: Mapped[UUID] = mapped_column(primary_key=True)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class FamilyCounsellingOffice(Base):
    """A family counselling office as registered: its name (public, what a dashboard shows
    beside the office's figures), region, municipality and ownership (state or church-run)."""

    __tablename__ = "family_counselling_office"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str] = mapped_column(Text)
    municipality_number: Mapped[str] = mapped_column(Text)
    ownership: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class FamilyCounsellingEpisode(Base):
    """A case's episode: the case opened (episode 1, `reopened_at` null) or reopened on a new
    referral (a later episode), waiting from the Oslo date of `referral_received_at` until
    its first attended session. `region`/`municipality_number` are the office's."""

    __tablename__ = "family_counselling_episode"

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    episode: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[UUID]
    region: Mapped[str] = mapped_column(Text)
    municipality_number: Mapped[str] = mapped_column(Text)
    case_type: Mapped[str] = mapped_column(Text)
    referral_received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    referral_on: Mapped[date] = mapped_column(Date, index=True)
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class FamilyCounsellingOutcome(Base):
    """An appointment's outcome (one each), with the referral of the episode it belongs to
    and whether it was that episode's first attended session as known when recorded (an
    earlier session recorded later is flagged too: the earliest flagged is the first)."""

    __tablename__ = "family_counselling_outcome"
    __table_args__ = (
        Index("ix_family_counselling_outcome_case_referral", "case_id", "referral_received_at"),
    )

    appointment_id: Mapped[UUID] = mapped_column(primary_key=True)
    case_id: Mapped[UUID]
    office_id: Mapped[UUID]
    region: Mapped[str] = mapped_column(Text)
    case_type: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scheduled_on: Mapped[date] = mapped_column(Date, index=True)
    outcome: Mapped[str] = mapped_column(Text)
    outcome_recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    referral_received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_attended: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class FamilyCounsellingClosure(Base):
    """A case episode closed (the episode by its referral): the final track, violence,
    agreement and whether a child over 7 was heard, as the closing stated them."""

    __tablename__ = "family_counselling_closure"

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), primary_key=True
    )
    office_id: Mapped[UUID]
    region: Mapped[str] = mapped_column(Text)
    municipality_number: Mapped[str] = mapped_column(Text)
    case_type: Mapped[str] = mapped_column(Text)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_on: Mapped[date] = mapped_column(Date, index=True)
    track: Mapped[str | None] = mapped_column(Text)
    violence_registered: Mapped[bool] = mapped_column(Boolean)
    agreement_reached: Mapped[bool | None] = mapped_column(Boolean)
    child_heard: Mapped[str | None] = mapped_column(Text)
    concern_report_sent: Mapped[bool] = mapped_column(Boolean)
    has_child_over_7: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID]
    source_sequence: Mapped[int] = mapped_column(BigInteger)


class RecordedEvent(Base):
    """Every event a projection applied, with the region and the days it bears on: what a
    KPI's revision is explained by ("events recorded since, counted by type")."""

    __tablename__ = "recorded_event"
    __table_args__ = (
        Index("ix_recorded_event_recorded_at", "recorded_at"),
        Index("ix_recorded_event_region_recorded_at", "region", "recorded_at"),
    )

    stream: Mapped[str] = mapped_column(Text, primary_key=True)
    source_sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    type: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReadModelVersion(Base):
    """The version of the handlers that built a projection's read models (a rebuild follows
    when the code's differs)."""

    __tablename__ = "read_model_version"

    consumer: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
