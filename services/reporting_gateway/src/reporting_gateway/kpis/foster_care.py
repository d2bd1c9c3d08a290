"""The foster-care KPIs (`fc.*` in KPIS.md): each a definition and its base rows over the
read models of foster_care's stream, as known at the scope's `known_at`.

Days are Oslo calendar days. A child waits for a foster home from the day after the desired
start date of the municipality's request (the directorate counts from the desired start
date, S 1.5.1), once the request was made, until the day the child moves into a home or the
request is withdrawn: a request is *waiting on date D* when its desired start date is
before D, it was requested on or before D (the Oslo date of `requested_at`), no placement
of it started on or before D and it was not withdrawn on or before D (the Oslo date of
`withdrawn_at`); its days waiting on D are D − the desired start date.

Child-level figures count in the region of the request (the placing municipality's); the
recruitment funnel in the foster home's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
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
    HALF_YEAR_DAYS,
    SHARE_COUNTS,
    WAITING_COUNTS,
    WAITING_EXTRAS,
    in_region,
    known,
    oslo_flag,
    records,
    share,
    unique_children,
    waiting_times,
)
from reporting_gateway.projections.models import (
    FosterCareConferenceVersion,
    FosterCareHome,
    FosterCareHomeStage,
    FosterCarePlacement,
    FosterCarePlacementEnd,
    FosterCareRequest,
    FosterCareRequestWithdrawal,
)

MONTH_DAYS = 30
STAGES = (
    "inquiry",
    "information_meeting",
    "pre_assessment",
    "training",
    "training_completed",
    "home_study",
    "approved",
    "withdrawn",
)
WITHDRAWAL_REASONS = ("family_withdrew", "assessed_unsuitable", "request_ended", "other")

_EVENT = "foster_care.foster_home_request."
REQUEST_EVENTS = (_EVENT + "received.v1", _EVENT + "withdrawn.v1")
STARTED_EVENTS = ("foster_care.foster_placement.started.v1",)
ENDED_EVENTS = (*STARTED_EVENTS, "foster_care.foster_placement.ended.v1")
WAITING_EVENTS = REQUEST_EVENTS + STARTED_EVENTS
CONFERENCE_EVENTS = (
    _EVENT + "received.v1",
    _EVENT + "family_group_conference_offered.v1",
    _EVENT + "family_group_conference_held.v1",
)
HOME_EVENTS = (
    "foster_care.foster_home.registered.v1",
    "foster_care.foster_home.stage_changed.v1",
)
EXCLUDE_OSLO_CHILDREN = "exclude_oslo leaves out children from Oslo (municipality 0301)."
EXCLUDE_OSLO_HOMES = "exclude_oslo leaves out foster homes in Oslo (municipality 0301)."
WAITING = (
    "A request is waiting on date D when its desired start date is before D, it was "
    "requested on or before D (Oslo date), no placement of it started on or before D and it "
    "was not withdrawn on or before D (Oslo date); its days waiting on D: D − the desired "
    "start date. Region: the request's (the placing municipality's). "
)
CHILD_DIMENSIONS = ("age_group",)
PLACEMENT_DIMENSIONS = ("kind", "age_group")


def _age_group(age_years: Any) -> ColumnElement[Any]:
    """The child's age in years as the groups the directorate reports by (kindergarten age,
    school age before 10, older children, young adults in aftercare)."""
    return case(
        (age_years.is_(None), null()),
        (age_years < 6, "0_5"),
        (age_years < 10, "6_9"),
        (age_years < 18, "10_17"),
        else_="18_plus",
    )


# requests and the waiting list --------------------------------------------------------------


def _requests(scope: Shape) -> Any:
    """Requests as known at the scope's instant, each with the day its wait ended (`ended_on`:
    the first placement's start or the withdrawal, whichever came first; null while neither
    is known)."""
    request, placement = FosterCareRequest, FosterCarePlacement
    withdrawal = FosterCareRequestWithdrawal
    placed_on = (
        select(func.min(placement.start_date))
        .where(placement.foster_home_request_id == request.id, known(placement.recorded_at, scope))
        .scalar_subquery()
    )
    withdrawn_on = (
        select(withdrawal.withdrawn_on)
        .where(
            withdrawal.foster_home_request_id == request.id,
            known(withdrawal.recorded_at, scope),
        )
        .scalar_subquery()
    )
    return (
        select(
            request.id,
            request.child_key,
            request.region,
            request.age_years,
            _age_group(request.age_years).label("age_group"),
            request.desired_start_date,
            request.requested_on,
            func.least(placed_on, withdrawn_on).label("ended_on"),  # LEAST skips nulls
            oslo_flag(request.municipality_number).label("oslo"),
        )
        .where(known(request.recorded_at, scope), in_region(request.region, scope))
        .subquery()
    )


def _waiting_on(r: Any, day: Any) -> ColumnElement[bool]:
    return and_(
        r.c.desired_start_date < day,
        r.c.requested_on <= day,
        or_(r.c.ended_on.is_(None), r.c.ended_on > day),
    )


def _waiting(scope: Shape) -> Select[Any]:
    """The requests waiting at the end of the scope's date, with their days waiting."""
    r = _requests(scope)
    return select(
        r.c.id,
        r.c.child_key,
        r.c.region,
        r.c.age_group,
        r.c.oslo,
        cast(scope.on - r.c.desired_start_date, Integer).label("days"),
    ).where(_waiting_on(r, scope.on))


register(
    Definition(
        id="fc.waiting",
        name="Children waiting for a foster home",
        definition="Unique children with a foster-home request waiting at the end of the date "
        "(2024: 331 at 31.12). " + WAITING + "The target: fewer than a year earlier "
        "(S 1.5.1). " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.at_date,
        unit=Unit.number,
        dimensions=CHILD_DIMENSIONS,
        sources=WAITING_EVENTS,
        base=_waiting,
        measures=unique_children,
        target=Target("falling", "fewer than a year earlier (S 1.5.1)"),
    )
)


def _waiting_over_a_month(scope: Shape) -> Select[Any]:
    w = _waiting(scope).subquery()
    return select(w).where(w.c.days > MONTH_DAYS)


register(
    Definition(
        id="fc.waiting_half_year_share",
        name="Share waiting more than half a year",
        definition="Of the unique children waiting at the end of the date more than 30 days "
        "past the desired start date, those waiting more than 180 days (the directorate's "
        "denominator: not every waiting child). " + WAITING + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.at_date,
        unit=Unit.rate,
        dimensions=CHILD_DIMENSIONS,
        sources=WAITING_EVENTS,
        base=_waiting_over_a_month,
        measures=lambda b: {
            "numerator": func.count(func.distinct(b.child_key)).filter(b.days > HALF_YEAR_DAYS),
            "denominator": func.count(func.distinct(b.child_key)),
            "n": func.count(func.distinct(b.child_key)),
        },
        counts=SHARE_COUNTS,
    )
)


def _waits(scope: Shape) -> Select[Any]:
    """Every request waiting on at least one day of the period, with its days: to the day
    its wait ended if that is in the period, else to the period's last day."""
    r = _requests(scope)
    began = func.greatest(r.c.desired_start_date + 1, r.c.requested_on)  # first day waiting
    ended = r.c.ended_on
    until = func.least(func.coalesce(ended, scope.last), scope.last)
    return select(
        r.c.id,
        r.c.child_key,
        r.c.region,
        r.c.age_group,
        r.c.oslo,
        cast(until - r.c.desired_start_date, Integer).label("days"),
    ).where(
        began <= scope.last,
        or_(ended.is_(None), and_(ended > scope.first, ended > began)),
    )


register(
    Definition(
        id="fc.waiting_days",
        name="Waiting time",
        definition="Every request waiting on at least one day of the period; its days: from "
        "the desired start date to the day its wait ended (the placement's start or the "
        "withdrawal) if that is in the period, else to the period's last day (or as_of). A "
        "wait across a year end counts in both years: in the first with its days to 31.12, "
        "in the second with its days to the placement. value = mean (2024: 249); median "
        "(184), p90 and count_over_180 (requests over 180 days; 2024: 159) beside it; n = "
        "requests. " + WAITING + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.unique_in_period,
        unit=Unit.average,
        dimensions=CHILD_DIMENSIONS,
        sources=WAITING_EVENTS,
        base=_waits,
        measures=waiting_times,
        counts=WAITING_COUNTS,
        extras=WAITING_EXTRAS,
    )
)


def _requests_received(scope: Shape) -> Select[Any]:
    r = _requests(scope)
    return select(r).where(r.c.requested_on.between(scope.first, scope.last))


register(
    Definition(
        id="fc.requests",
        name="Foster-home requests from municipalities",
        definition="Requests received in the period (the Oslo date of requested_at; about "
        "1 100–1 200 a year); `children`: the unique children among them. Region: the "
        "request's. " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.flow_in_period,
        unit=Unit.number,
        dimensions=CHILD_DIMENSIONS,
        sources=REQUEST_EVENTS[:1],
        base=_requests_received,
        measures=lambda b: {**records(b), "children": unique_children(b)["n"]},
        counts=("numerator", "n", "children"),
        extras=("children",),
    )
)


# the recruitment funnel ---------------------------------------------------------------------


def _stage_entries(scope: Shape) -> Select[Any]:
    """Each foster home's entry into a stage in the period: registering is entering
    `inquiry`, a stage change entering its `to_stage`."""
    home, stage = FosterCareHome, FosterCareHomeStage
    registered = select(
        home.id.label("foster_home_id"),
        home.region,
        home.kind,
        home.recruitment_source,
        literal("inquiry", Text).label("stage"),
        cast(null(), Text).label("withdrawal_reason"),
        oslo_flag(home.municipality_number).label("oslo"),
    ).where(
        known(home.recorded_at, scope),
        in_region(home.region, scope),
        home.inquiry_on.between(scope.first, scope.last),
    )
    entered = select(
        stage.foster_home_id,
        stage.region,
        stage.kind,
        stage.recruitment_source,
        stage.to_stage.label("stage"),
        stage.withdrawal_reason,
        oslo_flag(stage.municipality_number).label("oslo"),
    ).where(
        known(stage.recorded_at, scope),
        in_region(stage.region, scope),
        stage.entered_on.between(scope.first, scope.last),
    )
    return select(union_all(registered, entered).subquery())


def _funnel_measures(b: Any) -> dict[str, Any]:
    def homes(condition: Any = None) -> Any:
        count = func.count(func.distinct(b.foster_home_id))
        return count if condition is None else count.filter(condition)

    return {
        "numerator": homes(b.stage == "training_completed"),
        "n": homes(),
        **{stage: homes(b.stage == stage) for stage in STAGES},
        **{
            f"withdrawn_{reason}": homes(
                and_(b.stage == "withdrawn", b.withdrawal_reason == reason)
            )
            for reason in WITHDRAWAL_REASONS
        },
    }


FUNNEL_EXTRAS = (*STAGES, *(f"withdrawn_{reason}" for reason in WITHDRAWAL_REASONS))

register(
    Definition(
        id="fc.recruitment_funnel",
        name="Recruitment funnel",
        definition="Foster homes entering each stage in the period (Oslo dates): inquiry (the "
        "home registered), information_meeting, pre_assessment, training (basic training "
        "begun), training_completed, home_study, approved; withdrawn (drop-outs) by reason "
        "(withdrawn_family_withdrew, withdrawn_assessed_unsuitable, withdrawn_request_ended, "
        "withdrawn_other). value = homes that completed basic training in the period (2024: "
        "391); n = homes entering any stage. Region: the foster home's. " + EXCLUDE_OSLO_HOMES,
        time_base=TimeBase.flow_in_period,
        unit=Unit.number,
        dimensions=("kind", "recruitment_source"),
        sources=HOME_EVENTS,
        base=_stage_entries,
        measures=_funnel_measures,
        counts=("numerator", "n", *FUNNEL_EXTRAS),  # families, as private as children
        extras=FUNNEL_EXTRAS,
    )
)


# placements ---------------------------------------------------------------------------------


def _placements(scope: Shape) -> Any:
    """Placements as known at the scope's instant, with their end only where it was recorded
    by then and happened by the last day."""
    placement, end = FosterCarePlacement, FosterCarePlacementEnd
    end_date = case((end.end_date <= scope.last, end.end_date))
    return (
        select(
            placement.id,
            placement.child_key,
            placement.region,
            placement.kind,
            _age_group(placement.age_years).label("age_group"),
            placement.far_from_home,
            placement.start_date,
            end_date.label("end_date"),
            case((end_date.is_not(None), end.reason)).label("end_reason"),
            oslo_flag(placement.municipality_number).label("oslo"),
        )
        .select_from(placement)
        .outerjoin(end, and_(end.placement_id == placement.id, known(end.recorded_at, scope)))
        .where(
            known(placement.recorded_at, scope),
            in_region(placement.region, scope),
            placement.start_date <= scope.last,
        )
        .subquery()
    )


def _placements_started(scope: Shape) -> Select[Any]:
    p = _placements(scope)
    return select(p).where(p.c.start_date.between(scope.first, scope.last))


def _placements_ended(scope: Shape) -> Select[Any]:
    p = _placements(scope)
    return select(p).where(p.c.end_date.between(scope.first, scope.last))


PLACEMENTS = "Region: the placing municipality's. "

register(
    Definition(
        id="fc.kinship_share",
        name="Kinship share",
        definition="Placements started in the period in a kinship home (family and close "
        "network) ÷ placements started in the period; the target: higher than the same "
        "period a year earlier. " + PLACEMENTS + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=CHILD_DIMENSIONS,
        sources=STARTED_EVENTS,
        base=_placements_started,
        measures=lambda b: share(b, b.kind == "kinship"),
        counts=SHARE_COUNTS,
        target=Target("rising", "rising: above the same period a year earlier"),
    )
)

register(
    Definition(
        id="fc.breakdowns",
        name="Placement breakdowns",
        definition="Placements ended in the period with reason breakdown ÷ placements ended "
        "in the period; by the foster home's kind; the target: lower than the same period a "
        "year earlier. " + PLACEMENTS + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=PLACEMENT_DIMENSIONS,
        sources=ENDED_EVENTS,
        base=_placements_ended,
        measures=lambda b: share(b, b.end_reason == "breakdown"),
        counts=SHARE_COUNTS,
        target=Target("falling", "falling: below the same period a year earlier"),
    )
)

register(
    Definition(
        id="fc.placed_far_from_home",
        name="Placed far from home",
        definition="Placements started in the period in a home outside the placing "
        "municipality's region ÷ placements started in the period (the young people's "
        "demand: do not move children far); the target: lower than the same period a year "
        "earlier. " + PLACEMENTS + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=PLACEMENT_DIMENSIONS,
        sources=STARTED_EVENTS,
        base=_placements_started,
        measures=lambda b: share(b, b.far_from_home),
        counts=SHARE_COUNTS,
        target=Target("falling", "falling: below the same period a year earlier"),
    )
)


# family group conferences -------------------------------------------------------------------


def _conferences(scope: Shape) -> Select[Any]:
    """Children offered a family group conference in the period, and children whose first
    held conference (over all their conferences, by the day held) was held in the period
    and aimed at recruiting a foster home."""
    version, request = FosterCareConferenceVersion, FosterCareRequest
    # Each conference as its newest version recorded by the scope's instant states it
    # (offered, or held). Every region's: a child's first conference may be in another.
    c = (
        select(version)
        .where(known(version.recorded_at, scope))
        .order_by(version.conference_id, version.source_sequence.desc())
        .distinct(version.conference_id)
        .subquery()
    )
    age = (
        select(request.age_years)
        .where(request.id == c.c.foster_home_request_id, known(request.recorded_at, scope))
        .scalar_subquery()
    )
    rank = func.row_number().over(
        partition_by=c.c.child_key,
        # The held first; on a tie, one that aimed at recruiting counts as the first.
        order_by=(
            c.c.held_on.asc().nulls_last(),
            c.c.aims_to_recruit_home.desc(),
            c.c.conference_id,
        ),
    )
    ranked = select(c, _age_group(age).label("age_group"), rank.label("rank")).subquery()
    offered = ranked.c.offered_on.between(scope.first, scope.last)
    first = and_(
        ranked.c.rank == 1,
        ranked.c.held_on.between(scope.first, scope.last),
        ranked.c.aims_to_recruit_home,
    )
    return select(
        ranked.c.conference_id.label("id"),
        ranked.c.child_key,
        ranked.c.region,
        ranked.c.age_group,
        oslo_flag(ranked.c.municipality_number).label("oslo"),
        offered.label("offered"),
        first.label("first_recruiting"),
    ).where(in_region(ranked.c.region, scope), or_(offered, first))


register(
    Definition(
        id="fc.family_group_conferences",
        name="Family group conferences (familieråd)",
        definition="Unique children offered a family group conference in the period (offered "
        "on); `first_aimed_at_recruiting`: unique children whose first held conference (the "
        "first of all their conferences by the day held, across requests) was held in the "
        "period and aimed at recruiting a foster home (S 1.5.2); n = the unique children in "
        "either. The target: more than the same period a year earlier. Region: the "
        "request's. " + EXCLUDE_OSLO_CHILDREN,
        time_base=TimeBase.flow_in_period,
        unit=Unit.number,
        dimensions=CHILD_DIMENSIONS,
        sources=CONFERENCE_EVENTS,
        base=_conferences,
        measures=lambda b: {
            "numerator": func.count(func.distinct(b.child_key)).filter(b.offered),
            "n": func.count(func.distinct(b.child_key)),
            "first_aimed_at_recruiting": func.count(func.distinct(b.child_key)).filter(
                b.first_recruiting
            ),
        },
        counts=("numerator", "n", "first_aimed_at_recruiting"),
        extras=("first_aimed_at_recruiting",),
        target=Target("rising", "more than the same period a year earlier (S 1.5.2)"),
    )
)
