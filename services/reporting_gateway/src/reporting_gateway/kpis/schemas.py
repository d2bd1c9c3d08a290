from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from common.reference import Region
from common.schemas import Day, Input, Instant, Output
from reporting_gateway.kpis.catalogue import TimeBase, Unit
from reporting_gateway.kpis.periods import PeriodText

Ownership = Literal["state", "ideal", "commercial", "municipal", "church"]
Function = Literal[
    "acute",
    "care",
    "treatment_low_risk",
    "treatment_high_risk",
    "substance_use",
    "parent_child_centre",
    "ema_care_centre",
]
ContractType = Literal["state", "purchase_guarantee", "framework", "single_purchase"]
Category = Literal["state_acute", "state_care_treatment", "purchase_guarantee", "other"]
BreachKind = Literal["acute", "planned", "foster_home"]
FosterHomeKind = Literal[
    "ordinary", "reinforced", "kinship", "emergency", "specialised", "family_home"
]
RecruitmentSource = Literal["campaign", "local_association", "child_network", "other"]
AgeGroup = Literal["0_5", "6_9", "10_17", "18_plus"]
Track = Literal["A", "B", "C", "C!"]
Dimension = Literal[
    "region",
    "ownership",
    "function",
    "contract_type",
    "category",
    "kind",
    "urgency",
    "case_type",
    "recruitment_source",
    "age_group",
    "track",
    "office",
]
FILTERS = (
    "ownership",
    "function",
    "contract_type",
    "category",
    "kind",
    "urgency",
    "case_type",
    "recruitment_source",
    "age_group",
    "track",
    "office",
)


class KpiQuery(Input):
    """Which figure: the period, the region (absent = national), the date it is counted to,
    what was known at an instant, and filters by the KPI's dimensions."""

    period: PeriodText
    region: Region | None = Field(None, description="Absent: national.")
    as_of: Day | None = Field(
        None,
        description="Count the period up to this date (a stock: on this date). Default: the "
        "period's last day, or today while it runs.",
    )
    known_at: Instant | None = Field(
        None,
        description="Answer from only the events recorded up to this instant, so a figure "
        "shown earlier can be reproduced exactly.",
    )
    exclude_oslo: bool = Field(False, description="Leave out Oslo (the definition says how).")
    ownership: Ownership | None = Field(
        None,
        description="The institution's ownership (state, ideal, commercial, municipal); the "
        "family counselling KPIs: the office's (state, church).",
    )
    function: Function | None = None
    contract_type: ContractType | None = None
    category: Category | None = Field(
        None, description="Occupancy's target categories (cap.occupancy, cap.places)."
    )
    kind: BreachKind | FosterHomeKind | None = Field(
        None,
        description="cap.breaches: acute, planned or foster_home; the foster-care KPIs: the "
        "foster home's kind.",
    )
    urgency: Literal["acute", "planned"] | None = None
    case_type: Literal["clinical", "mediation", "supervised_contact", "court_case"] | None = None
    recruitment_source: RecruitmentSource | None = Field(
        None, description="How a foster home was recruited (fc.recruitment_funnel)."
    )
    age_group: AgeGroup | None = Field(
        None,
        description="The child's age in years (on the desired start date of the request, or "
        "at the start of the placement): 0_5, 6_9, 10_17, 18_plus.",
    )
    track: Track | None = Field(
        None,
        description="A closed mediation's final conflict track, A lowest to C! highest "
        "(the fv.* KPIs of closed mediations).",
    )
    office: UUID | None = Field(
        None,
        description="A family counselling office's id (the fv.* KPIs). A breakdown by office "
        "names each row's office (`office_name`).",
    )
    breakdown: Dimension | None = Field(
        None, description="Add a row per value of this dimension (or region)."
    )


class RevisionQuery(KpiQuery):
    since: Instant = Field(description="Explain what changed the figure after this instant.")


class TargetOut(Output):
    rule: Literal["at_least", "at_most", "zero", "falling", "rising"]
    value: float | None = Field(description="The threshold (a fraction for rates).")
    text: str


class Figures(Output):
    """One cell: null where hidden for small counts (`shown_as` then says "<5")."""

    model_config = ConfigDict(extra="allow")

    value: int | float | None
    numerator: int | float | None
    denominator: int | float | None
    n: int | None = Field(description="How many records (children, stays, requests) it rests on.")
    target: TargetOut | None = None
    meets_target: bool | None = None
    shown_as: str | None = Field(None, description='"<5" where a small count is hidden.')
    suppression_reason: str | None = None


class KpiAnswer(Figures):
    kpi: str
    name: str
    period: str
    region: Region | None
    time_base: TimeBase
    unit: Unit
    first_day: date
    last_day: date = Field(description="The last day counted (the period's, or as_of, or today).")
    on: date | None = Field(description="The date a stock is taken on (time base at_date).")
    known_at: Instant | None
    exclude_oslo: bool
    filters: dict[str, str]
    data_as_of: Instant | None = Field(description="When the newest event behind it was recorded.")
    breakdown: list[Figures] | None = None


class DefinitionOut(Output):
    id: str
    name: str
    definition: str
    time_base: TimeBase
    time_base_means: str
    unit: Unit
    dimensions: list[str]
    target: TargetOut | None
    targets_by: dict[str, dict[str, TargetOut]]


class Catalogue(Output):
    items: list[DefinitionOut]


class EventCount(Output):
    type: str
    count: int | None
    shown_as: str | None = None


class Revision(Output):
    kpi: str
    period: str
    region: Region | None
    since: Instant
    then: KpiAnswer = Field(description="The figure as known at `since`.")
    now: KpiAnswer = Field(description="The figure as known now (or at known_at).")
    events: list[EventCount] = Field(
        description="The events recorded after `since` that bear on the figure, by type."
    )


class BudgetIn(Input):
    day_price_nok: float = Field(gt=0, lt=10_000_000, description="NOK per day of stay.")


class BudgetOut(Output):
    year: int
    region: Region
    day_price_nok: float
    recorded_at: Instant
