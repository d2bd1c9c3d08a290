"""The capacity KPIs (`cap.*` in KPIS.md): each a definition and its base rows over the
read models of capacity's stream, as known at the scope's `known_at`.

Days are Oslo calendar days: a stay counts the days from its admission up to, not
including, its discharge (a stay that ends the day it began counts one); a contract counts
every day from `valid_from` to `valid_to`, both included."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from reporting_gateway.kpis.catalogue import Definition, Shape, Target, TimeBase, Unit, register
from reporting_gateway.kpis.measures import (
    SHARE_COUNTS,
    in_region,
    known,
    one_of,
    oslo,
    records,
    share,
    unique_children,
)
from reporting_gateway.projections.models import (
    CapacityBreachConfirmation,
    CapacityInstitution,
    CapacityOffer,
    CapacityPlaceContractVersion,
    CapacityPlacementRequest,
    CapacityPlacementRequestClosure,
    CapacitySingleChildDecisionVersion,
    CapacityStay,
    CapacityStayDischarge,
    FosterCareBreachConfirmation,
)

ACUTE_STAY_DAYS = 42  # six weeks (S 1.3.1)
LIVING_ALONE_DAYS = 42
PRIVATE = ("ideal", "commercial")
CARE_AND_TREATMENT = ("care", "treatment_low_risk", "treatment_high_risk")

STAY_EVENTS = ("capacity.stay.admitted.v1", "capacity.stay.discharged.v1")
CONTRACT_EVENTS = ("capacity.institution.registered.v1", "capacity.place_contract.changed.v1")
REQUEST_EVENTS = (
    "capacity.placement_request.received.v1",
    "capacity.placement_request.offered.v1",
    "capacity.placement_request.breach_confirmed.v1",
    "capacity.placement_request.closed.v1",
)
FOSTER_HOME_BREACH_EVENTS = ("foster_care.foster_home_request.breach_confirmed.v1",)
DECISION_EVENTS = (
    "capacity.single_child_decision.recorded.v1",
    "capacity.single_child_decision.reviewed.v1",
)
EXCLUDE_OSLO_CHILDREN = "exclude_oslo leaves out children from Oslo (county 03)."
EXCLUDE_OSLO_PLACES = "exclude_oslo leaves out institutions in Oslo (county 03)."


def _category(ownership: Any, function: Any, contract_type: Any) -> ColumnElement[str]:
    """The three categories the occupancy targets are set for (S 1.1.1–1.1.3)."""
    return case(
        (and_(ownership == "state", function == "acute"), "state_acute"),
        (and_(ownership == "state", one_of(function, CARE_AND_TREATMENT)), "state_care_treatment"),
        (
            and_(one_of(ownership, PRIVATE), contract_type == "purchase_guarantee"),
            "purchase_guarantee",
        ),
        else_="other",
    )


def _stays(scope: Shape, *, oslo_by: str = "child") -> Select[Any]:
    """Stays as known at the scope's instant, with their days in the scope's period and
    their discharge only where it was recorded by then and happened by the last day."""
    stay, discharge, institution = CapacityStay, CapacityStayDischarge, CapacityInstitution
    discharged_on = case((discharge.discharged_on <= scope.last, discharge.discharged_on))
    after_last = scope.after_last
    days = case(
        (
            stay.admitted_on == discharged_on,
            case((stay.admitted_on.between(scope.first, scope.last), 1), else_=0),
        ),
        else_=func.greatest(
            0,
            func.least(func.coalesce(discharged_on, after_last), after_last)
            - func.greatest(stay.admitted_on, scope.first),
        ),
    )
    municipality = (
        stay.municipality_number if oslo_by == "child" else institution.municipality_number
    )
    return (
        select(
            stay.id,
            stay.child_key,
            stay.region,
            stay.function,
            stay.ownership,
            stay.contract_type,
            _category(stay.ownership, stay.function, stay.contract_type).label("category"),
            stay.age_years,
            stay.admitted_on,
            stay.lives_alone,
            stay.day_price_nok,
            discharged_on.label("discharged_on"),
            case((discharged_on.is_not(None), discharge.end_reason)).label("end_reason"),
            cast(days, Integer).label("days"),
            func.coalesce(oslo(municipality), False).label("oslo"),
        )
        .select_from(stay)
        .outerjoin(
            discharge,
            and_(discharge.stay_id == stay.id, known(discharge.recorded_at, scope)),
        )
        .outerjoin(institution, institution.id == stay.institution_id)
        .where(
            known(stay.recorded_at, scope),
            in_region(stay.region, scope),
            stay.admitted_on <= scope.last,
        )
    )


def _contracts(scope: Shape) -> Select[Any]:
    """Each contract's newest version recorded by the scope's instant."""
    version = CapacityPlaceContractVersion
    return (
        select(version, CapacityInstitution.municipality_number)
        .outerjoin(CapacityInstitution, CapacityInstitution.id == version.institution_id)
        .where(known(version.recorded_at, scope), in_region(version.region, scope))
        .order_by(version.contract_id, version.source_sequence.desc())
        .distinct(version.contract_id)
    )


def _open_at_end_of(stays: Any, scope: Shape) -> ColumnElement[bool]:
    return and_(
        stays.c.admitted_on <= scope.on,
        or_(stays.c.discharged_on.is_(None), stays.c.discharged_on > scope.on),
    )


# cap.places -------------------------------------------------------------------------------


def _places_base(scope: Shape) -> Select[Any]:
    c = _contracts(scope).subquery()
    return select(
        c.c.contract_id.label("id"),
        c.c.region,
        c.c.ownership,
        c.c.function,
        c.c.contract_type,
        _category(c.c.ownership, c.c.function, c.c.contract_type).label("category"),
        c.c.budgeted_places,
        func.coalesce(oslo(c.c.municipality_number), False).label("oslo"),
    ).where(c.c.valid_from <= scope.on, or_(c.c.valid_to.is_(None), c.c.valid_to >= scope.on))


register(
    Definition(
        id="cap.places",
        name="Places",
        definition="Budgeted places in the inventory at the end of the date (the contracts in "
        "force that day), by ownership, function, contract type and occupancy category. "
        "value = places; n = contracts. " + EXCLUDE_OSLO_PLACES,
        time_base=TimeBase.at_date,
        unit=Unit.number,
        dimensions=("ownership", "function", "contract_type", "category"),
        sources=CONTRACT_EVENTS,
        base=_places_base,
        measures=lambda b: {
            "numerator": func.coalesce(func.sum(b.budgeted_places), 0),
            "n": func.count(b.id),
        },
        counts=(),  # places are inventory, not children
    )
)


# cap.occupancy ----------------------------------------------------------------------------


def _occupancy_base(scope: Shape) -> Select[Any]:
    s = _stays(scope, oslo_by="institution").subquery()
    c = _contracts(scope).subquery()
    until = func.least(func.coalesce(c.c.valid_to, scope.last), scope.last)
    contract_days = func.greatest(0, until - func.greatest(c.c.valid_from, scope.first) + 1)
    occupied = select(
        s.c.id,
        s.c.region,
        s.c.ownership,
        s.c.function,
        s.c.contract_type,
        s.c.category,
        s.c.oslo,
        s.c.days.label("occupied_days"),
        literal(0).label("budgeted_days"),
    ).where(s.c.days > 0, s.c.contract_type != "single_purchase")
    budgeted = select(
        null().label("id"),
        c.c.region,
        c.c.ownership,
        c.c.function,
        c.c.contract_type,
        _category(c.c.ownership, c.c.function, c.c.contract_type).label("category"),
        func.coalesce(oslo(c.c.municipality_number), False).label("oslo"),
        literal(0).label("occupied_days"),
        cast(c.c.budgeted_places * contract_days, Integer).label("budgeted_days"),
    ).where(c.c.contract_type != "single_purchase")
    return select(union_all(occupied, budgeted).subquery())


register(
    Definition(
        id="cap.occupancy",
        name="Capacity utilisation (kapasitetsutnyttelse)",
        definition="Occupied place-days ÷ budgeted place-days in the period. Occupied: the "
        "days of stays (the discharge day not counted); budgeted: the places of the "
        "contracts in force each day. Single purchases are outside the budgeted places and "
        "count on neither side. Categories: state_acute, state_care_treatment (care and "
        "treatment), purchase_guarantee (private places with purchase guarantee or operating "
        "agreement). n = stays. " + EXCLUDE_OSLO_PLACES,
        time_base=TimeBase.day_based,
        unit=Unit.rate,
        dimensions=("category", "ownership", "function", "contract_type"),
        sources=STAY_EVENTS + CONTRACT_EVENTS,
        base=_occupancy_base,
        measures=lambda b: {
            "numerator": func.coalesce(func.sum(b.occupied_days), 0),
            "denominator": func.coalesce(func.sum(b.budgeted_days), 0),
            "n": func.count(b.id),
        },
        counts=("n",),
        targets={
            "category": {
                "state_acute": Target("at_least", "state acute ≥ 80 % (S 1.1.1)", 0.80),
                "state_care_treatment": Target(
                    "at_least", "state care and treatment ≥ 83 % (S 1.1.2)", 0.83
                ),
                "purchase_guarantee": Target(
                    "at_least", "private places with purchase guarantee 100 % (S 1.1.3)", 1.0
                ),
            }
        },
    )
)


# children in institutions -----------------------------------------------------------------

STAY_DIMENSIONS = ("function", "ownership", "contract_type")


def _stays_in_period(scope: Shape) -> Select[Any]:
    s = _stays(scope).subquery()
    return select(s).where(s.c.days > 0)


register(
    Definition(
        id="cap.children_average",
        name="Average children in institutions",
        definition="Days in care in the period ÷ days in the period (2024: 306 587 ÷ 366 ≈ "
        "836). n = children. " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.day_based,
        unit=Unit.average,
        dimensions=STAY_DIMENSIONS,
        sources=STAY_EVENTS,
        base=_stays_in_period,
        measures=lambda b: {
            "numerator": func.coalesce(func.sum(b.days), 0),
            "n": func.count(func.distinct(b.child_key)),
        },
        counts=("n",),
    )
)

register(
    Definition(
        id="cap.children_unique",
        name="Children in institutions during the period",
        definition="Unique children with at least one day in care in the period. Per-type "
        "counts do not add up to the total: a child can be in several. " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.unique_in_period,
        unit=Unit.number,
        dimensions=STAY_DIMENSIONS,
        sources=STAY_EVENTS,
        base=_stays_in_period,
        measures=unique_children,
    )
)


def _stays_open_at_end_of_date(scope: Shape) -> Select[Any]:
    s = _stays(scope).subquery()
    return select(s).where(_open_at_end_of(s, scope))


register(
    Definition(
        id="cap.children_at_date",
        name="Children in institutions at date",
        definition="Unique children in a stay open at the end of the date. "
        + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.at_date,
        unit=Unit.number,
        dimensions=STAY_DIMENSIONS,
        sources=STAY_EVENTS,
        base=_stays_open_at_end_of_date,
        measures=unique_children,
    )
)


def _private_stays_in_period(scope: Shape) -> Select[Any]:
    s = _stays(scope).subquery()
    return select(s).where(s.c.days > 0, one_of(s.c.ownership, PRIVATE))


register(
    Definition(
        id="cap.day_price",
        name="Average price per day of stay",
        definition="Sum of day price × days ÷ days, stays in private institutions, by contract "
        "type; the target is the region's budgeted day price for the year (S 1.1.4). n = "
        "stays. " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.day_based,
        unit=Unit.nok,
        dimensions=("contract_type", "function", "ownership"),
        sources=STAY_EVENTS,
        base=_private_stays_in_period,
        measures=lambda b: {
            "numerator": func.coalesce(func.sum(b.day_price_nok * b.days), 0),
            "denominator": func.coalesce(func.sum(b.days), 0),
            "n": func.count(b.id),
        },
        counts=("n",),
        budgeted=True,
    )
)


# stays started and ended ------------------------------------------------------------------


def _stays_started(scope: Shape) -> Select[Any]:
    s = _stays(scope).subquery()
    return select(s).where(s.c.admitted_on.between(scope.first, scope.last))


def _stays_ended(scope: Shape) -> Select[Any]:
    s = _stays(scope).subquery()
    return select(s).where(s.c.discharged_on.between(scope.first, scope.last))


register(
    Definition(
        id="cap.single_purchase_share",
        name="Share of single purchases (enkeltkjøp)",
        definition="Stays started in the period under a single-purchase contract ÷ all stays "
        "started in the period. " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=("function", "ownership"),
        sources=STAY_EVENTS,
        base=_stays_started,
        measures=lambda b: share(b, b.contract_type == "single_purchase"),
        counts=SHARE_COUNTS,
    )
)


def _acute_stays_ended(scope: Shape) -> Select[Any]:
    s = _stays_ended(scope).subquery()
    return select(s).where(s.c.function == "acute")


register(
    Definition(
        id="cap.acute_stay_6w",
        name="Acute stays within six weeks",
        definition="Stays in acute institutions ended in the period that lasted at most 42 "
        "days ÷ acute stays ended in the period (S 1.3.1). " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=("ownership", "contract_type"),
        sources=STAY_EVENTS,
        base=_acute_stays_ended,
        measures=lambda b: share(
            b, func.greatest(b.discharged_on - b.admitted_on, 1) <= ACUTE_STAY_DAYS
        ),
        counts=SHARE_COUNTS,
        target=Target("at_least", "≥ 75 % (S 1.3.1)", 0.75),
    )
)

register(
    Definition(
        id="cap.unintended_endings",
        name="Unintended endings",
        definition="Stays ended in the period with end reason unintended ÷ stays ended in the "
        "period (2024: 157 ÷ 1 334 = 12 %); the target: lower than the same period a year "
        "earlier. " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=STAY_DIMENSIONS,
        sources=STAY_EVENTS,
        base=_stays_ended,
        measures=lambda b: share(b, b.end_reason == "unintended"),
        counts=SHARE_COUNTS,
        target=Target("falling", "falling: below the same period a year earlier"),
    )
)

register(
    Definition(
        id="cap.new_stays",
        name="New stays by function",
        definition="Stays started in the period, by function, ownership, contract type and "
        "region: the coordination group's early-warning series. " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.flow_in_period,
        unit=Unit.number,
        dimensions=STAY_DIMENSIONS,
        sources=STAY_EVENTS,
        base=_stays_started,
        measures=records,
    )
)


def _under_13(scope: Shape) -> Select[Any]:
    s = _stays(scope).subquery()
    return select(s).where(s.c.days > 0, s.c.age_years < 13)


register(
    Definition(
        id="cap.under_13",
        name="Children under 13 in institutions",
        definition="Unique children aged under 13 at admission with at least one day in care "
        "in the period; the target: fewer than the same period a year earlier. "
        + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.unique_in_period,
        unit=Unit.number,
        dimensions=("function", "ownership"),
        sources=STAY_EVENTS,
        base=_under_13,
        measures=unique_children,
        target=Target("falling", "fewer than the same period a year earlier"),
    )
)


# living alone -----------------------------------------------------------------------------


def _living_alone(scope: Shape) -> Select[Any]:
    s = _stays(scope).subquery()
    version = CapacitySingleChildDecisionVersion
    decisions = (
        select(version)
        .where(known(version.recorded_at, scope))
        .order_by(version.decision_id, version.source_sequence.desc())
        .distinct(version.decision_id)
        .subquery()
    )
    in_force = and_(
        decisions.c.stay_id == s.c.id,
        decisions.c.decided_on <= scope.on,
        decisions.c.valid_until >= scope.on,
    )
    valid = select(decisions.c.decision_id).where(in_force).exists()
    current = select(decisions.c.decision_id).where(
        in_force, decisions.c.next_review_on >= scope.on
    )
    return select(
        s.c.id,
        s.c.child_key,
        s.c.region,
        s.c.function,
        s.c.ownership,
        s.c.oslo,
        valid.label("has_decision"),
        current.exists().label("reviewed_in_time"),
    ).where(
        _open_at_end_of(s, scope),
        s.c.lives_alone,
        s.c.admitted_on <= scope.on - LIVING_ALONE_DAYS,
    )


register(
    Definition(
        id="cap.living_alone",
        name="Children living alone",
        definition="Children living alone (enetiltak) for more than six weeks at the end of "
        "the date; `lacking_decision`: of them, those without a single-child decision in "
        "force (S 1.2.4); `review_overdue`: those whose decision's review is overdue "
        "(S 1.2.5). The target: fewer than a year earlier. " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.at_date,
        unit=Unit.number,
        dimensions=("function", "ownership"),
        sources=STAY_EVENTS + DECISION_EVENTS,
        base=_living_alone,
        measures=lambda b: {
            **unique_children(b),
            "lacking_decision": func.count(func.distinct(b.child_key)).filter(~b.has_decision),
            "review_overdue": func.count(func.distinct(b.child_key)).filter(
                b.has_decision, ~b.reviewed_in_time
            ),
        },
        counts=("numerator", "n", "lacking_decision", "review_overdue"),
        extras=("lacking_decision", "review_overdue"),
        target=Target("falling", "fewer than a year earlier"),
    )
)


# the duty to assist -----------------------------------------------------------------------


def _requests(scope: Shape) -> Any:
    """Requests with a duty to assist as known at the scope's instant, with whether an offer
    was made by the deadline (by when it was made, not when it was registered), whether a
    breach was confirmed and whether the request was closed before its deadline."""
    request = CapacityPlacementRequest
    offer, confirmation = CapacityOffer, CapacityBreachConfirmation
    closure = CapacityPlacementRequestClosure
    timely = (
        select(offer.id)
        .where(
            offer.placement_request_id == request.id,
            offer.offered_at <= request.deadline_at,
            known(offer.recorded_at, scope),
        )
        .exists()
    )
    confirmed = (
        select(confirmation.source)
        .where(
            confirmation.placement_request_id == request.id,
            known(confirmation.recorded_at, scope),
        )
        .exists()
    )
    closed_in_time = (
        select(closure.placement_request_id)
        .where(
            closure.placement_request_id == request.id,
            closure.closed_at <= request.deadline_at,
            known(closure.recorded_at, scope),
        )
        .exists()
    )
    return (
        select(
            request.id,
            request.child_key,
            request.region,
            request.urgency.label("kind"),
            request.urgency,
            request.function,
            request.deadline_at,
            request.need_concluded_at,
            timely.label("offered_in_time"),
            confirmed.label("confirmed"),
            closed_in_time.label("closed_in_time"),
            oslo(request.municipality_number).label("oslo"),
        )
        .where(
            known(request.recorded_at, scope),
            in_region(request.region, scope),
            request.duty_to_assist,
            request.deadline_at.is_not(None),
        )
        .subquery()
    )


def _oslo_day(instant: Any) -> Any:
    return cast(func.timezone("Europe/Oslo", instant), Date)


def _acute_requests(scope: Shape) -> Select[Any]:
    r = _requests(scope)
    return select(r).where(
        r.c.kind == "acute",
        _oslo_day(r.c.need_concluded_at).between(scope.first, scope.last),
        # Counted once decided: an offer came, or the two hours ran out with the request
        # still wanting one.
        or_(r.c.offered_in_time, and_(r.c.deadline_at <= scope.cutoff, ~r.c.closed_in_time)),
    )


register(
    Definition(
        id="cap.acute_offer_2h",
        name="Acute offer within two hours",
        definition="Acute requests whose need was concluded in the period (Oslo dates) with "
        "an offer made within two hours ÷ those requests whose offer came or whose two hours "
        "ran out without one (a request withdrawn within them is left out) (S 1.3.2). When "
        "the offer was made counts, not when it was registered. " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=("function",),
        sources=REQUEST_EVENTS,
        base=_acute_requests,
        measures=lambda b: share(b, b.offered_in_time),
        counts=SHARE_COUNTS,
        target=Target("at_least", "100 % (S 1.3.2)", 1.0),
    )
)


def _foster_home_breaches(scope: Shape) -> Select[Any]:
    """Foster-home requests whose breach was confirmed (by the county governor or Bufetat's
    own assessment), in the period of the Oslo date of the first confirmation."""
    confirmation = FosterCareBreachConfirmation
    first = (
        select(confirmation)
        .where(known(confirmation.recorded_at, scope), in_region(confirmation.region, scope))
        .order_by(
            confirmation.foster_home_request_id,
            confirmation.confirmed_at,
            confirmation.source_sequence,
        )
        .distinct(confirmation.foster_home_request_id)
        .subquery()
    )
    return select(
        first.c.foster_home_request_id.label("id"),
        first.c.child_key,
        first.c.region,
        literal("foster_home", Text).label("kind"),
        cast(null(), Text).label("urgency"),  # an institution's: no foster home has one
        cast(null(), Text).label("function"),
        oslo(first.c.municipality_number).label("oslo"),
    ).where(_oslo_day(first.c.confirmed_at).between(scope.first, scope.last))


def _breaches(scope: Shape) -> Select[Any]:
    r = _requests(scope)
    missed = and_(r.c.deadline_at <= scope.cutoff, ~r.c.offered_in_time, ~r.c.closed_in_time)
    institutions = select(
        r.c.id, r.c.child_key, r.c.region, r.c.kind, r.c.urgency, r.c.function, r.c.oslo
    ).where(
        _oslo_day(r.c.deadline_at).between(scope.first, scope.last),
        or_(missed, r.c.confirmed),
    )
    return select(union_all(institutions, _foster_home_breaches(scope)).subquery())


register(
    Definition(
        id="cap.breaches",
        name="Breaches of the duty to assist (brudd på bistandsplikten)",
        definition="Requests for a place in an institution whose deadline fell in the period "
        "and passed without an offer made by then (an offer registered late but made in time "
        "is none), or whose breach was confirmed (by the county governor or Bufetat's own "
        "assessment); and foster-home requests whose breach was confirmed, in the period of "
        "the Oslo date of the first confirmation. `children`: the unique children among them "
        "(a child in breach in both services counts once). By kind (acute, planned, "
        "foster_home); urgency and function are an institution's: filtering by them leaves "
        "foster homes out. " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.flow_in_period,
        unit=Unit.number,
        dimensions=("kind", "urgency", "function"),
        sources=REQUEST_EVENTS + FOSTER_HOME_BREACH_EVENTS,
        base=_breaches,
        measures=lambda b: {**records(b), "children": unique_children(b)["n"]},
        counts=("numerator", "n", "children"),
        extras=("children",),
        target=Target("zero", "0"),
    )
)
