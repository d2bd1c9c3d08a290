"""The family-counselling KPIs (`fv.*` in KPIS.md): each a definition and its base rows over
the read models of family_counselling's stream, as known at the scope's `known_at`.

Days are Oslo calendar days: an instant counts on its date in Oslo, so a change to or from
summer time never moves a day. Every figure counts in the region of the office (the events'
`region`); `exclude_oslo` leaves out offices in Oslo (municipality 0301), and `ownership` is
the office's (state or church-run).

A case waits once per episode: from the Oslo date its referral was received (the case
opened, or reopened on a new referral) to the Oslo date of the episode's first attended
session (a no-show does not end the wait). Each closing ends one episode and counts in the
period of its Oslo date: a case reopened and closed again is counted at both closings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Numeric, Select, Text, and_, case, cast, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from reporting_gateway.kpis.catalogue import Definition, Shape, Target, TimeBase, Unit, register
from reporting_gateway.kpis.measures import (
    SHARE_COUNTS,
    WAITING_COUNTS,
    WAITING_EXTRAS,
    in_region,
    known,
    one_of,
    oslo_flag,
    records,
    share,
    waiting_times,
)
from reporting_gateway.projections.models import (
    FamilyCounsellingClosure,
    FamilyCounsellingEpisode,
    FamilyCounsellingOffice,
    FamilyCounsellingOutcome,
)

HIGH_CONFLICT = ("C", "C!")

_EVENT = "family_counselling."
OPENED_EVENTS = (_EVENT + "case.opened.v1",)
OUTCOME_EVENTS = (_EVENT + "appointment.outcome_recorded.v1",)
CLOSED_EVENTS = (_EVENT + "case.closed.v1",)
WAITING_EVENTS = (*OPENED_EVENTS, _EVENT + "case.reopened.v1", *OUTCOME_EVENTS, *CLOSED_EVENTS)

SCOPE = (
    "Region: the office's; ownership: the office's (state, church); office: the office's id "
    "(a breakdown by office names each office, `office_name`); exclude_oslo leaves out "
    "offices in Oslo (municipality 0301). Days are Oslo calendar days. "
)
CLOSINGS = (
    "Each closing counts in the period of its Oslo date (closed_at), with the case's final "
    "track and findings as the closing stated them: a case reopened and closed again counts "
    "at each closing. "
)
CASE_DIMENSIONS = ("case_type", "ownership", "office")
CLOSING_DIMENSIONS = ("track", "ownership", "office")
LABELS = {"office": "office_name"}


def _office(office_id: Any, scope: Shape) -> ColumnElement[bool]:
    """The join to the record's office, as known at the scope's instant."""
    office = FamilyCounsellingOffice
    return and_(office.id == office_id, known(office.recorded_at, scope))


def _office_columns(office_id: Any) -> tuple[Any, Any]:
    """The record's office as a dimension: its id as text (filters are bound as text), and
    its name from the joined office (null while the office is not known)."""
    return cast(office_id, Text).label("office"), FamilyCounsellingOffice.name.label("office_name")


# cases opened -------------------------------------------------------------------------------


def _cases_opened(scope: Shape) -> Select[Any]:
    """Cases opened with a referral received in the period (their first episode only: a
    reopening is not a new case)."""
    episode, office = FamilyCounsellingEpisode, FamilyCounsellingOffice
    return (
        select(
            episode.case_id.label("id"),
            episode.region,
            episode.case_type,
            office.ownership,
            *_office_columns(episode.office_id),
            oslo_flag(episode.municipality_number).label("oslo"),
        )
        .select_from(episode)
        .outerjoin(office, _office(episode.office_id, scope))
        .where(
            known(episode.recorded_at, scope),
            in_region(episode.region, scope),
            episode.reopened_at.is_(None),
            episode.referral_on.between(scope.first, scope.last),
        )
    )


register(
    Definition(
        id="fv.cases_opened",
        name="Cases opened",
        definition="Cases opened (case.opened) whose referral was received in the period (the "
        "Oslo date of referral_received_at), by case type: clinical, mediation, "
        "supervised_contact, court_case (2024: 33 211 / 17 338 / 23 / 1; total 50 632). A "
        "reopening is not a new case. " + SCOPE,
        time_base=TimeBase.flow_in_period,
        unit=Unit.number,
        dimensions=CASE_DIMENSIONS,
        labels=LABELS,
        sources=OPENED_EVENTS,
        base=_cases_opened,
        measures=records,
    )
)


# appointments -------------------------------------------------------------------------------


def _outcomes(scope: Shape) -> Select[Any]:
    """Appointments scheduled in the period (the Oslo date of scheduled_at) whose outcome is
    recorded."""
    outcome, office = FamilyCounsellingOutcome, FamilyCounsellingOffice
    return (
        select(
            outcome.appointment_id.label("id"),
            outcome.region,
            outcome.case_type,
            office.ownership,
            *_office_columns(outcome.office_id),
            outcome.outcome,
            oslo_flag(office.municipality_number).label("oslo"),
        )
        .select_from(outcome)
        .outerjoin(office, _office(outcome.office_id, scope))
        .where(
            known(outcome.recorded_at, scope),
            in_region(outcome.region, scope),
            outcome.scheduled_on.between(scope.first, scope.last),
        )
    )


def _attended(scope: Shape) -> Select[Any]:
    o = _outcomes(scope).subquery()
    return select(o).where(o.c.outcome == "attended")


register(
    Definition(
        id="fv.sessions_attended",
        name="Sessions attended",
        definition="Appointments scheduled in the period (the Oslo date of scheduled_at) with "
        "the outcome attended (2024: 152 579). " + SCOPE,
        time_base=TimeBase.flow_in_period,
        unit=Unit.number,
        dimensions=CASE_DIMENSIONS,
        labels=LABELS,
        sources=OUTCOME_EVENTS,
        base=_attended,
        measures=records,
    )
)


def _rescheduled_measures(b: Any) -> dict[str, Any]:
    appointments = func.count(b.id)
    no_show = appointments.filter(b.outcome == "no_show")
    return {
        **share(b, b.outcome == "rescheduled_by_client"),
        "no_show": no_show,
        "no_show_share": func.round(cast(no_show, Numeric) / func.nullif(appointments, 0), 6),
    }


register(
    Definition(
        id="fv.rescheduled_share",
        name="Rescheduled or missed",
        definition="Appointments scheduled in the period (the Oslo date of scheduled_at) "
        "rescheduled by the client ÷ appointments scheduled in the period with an outcome "
        "(attended, no_show, rescheduled by the client or by the office; 2024: 17 %); "
        "`no_show`: those the client did not come to, and `no_show_share` their share of the "
        "same appointments. The target: lower than the same period a year earlier. " + SCOPE,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=CASE_DIMENSIONS,
        labels=LABELS,
        sources=OUTCOME_EVENTS,
        base=_outcomes,
        measures=_rescheduled_measures,
        counts=(*SHARE_COUNTS, "no_show"),
        extras=("no_show", "no_show_share"),
        target=Target("falling", "falling: below the same period a year earlier"),
    )
)


# waiting time -------------------------------------------------------------------------------


def _waits(scope: Shape) -> Select[Any]:
    """Every case episode whose first attended session fell in the period, with its days
    from the referral to that session; and every episode still waiting at the end of the
    period's last day (no first attended session and not closed by then), with its days
    to that day."""
    episode, office = FamilyCounsellingEpisode, FamilyCounsellingOffice
    outcome, closure = FamilyCounsellingOutcome, FamilyCounsellingClosure
    served_on = (
        select(func.min(outcome.scheduled_on))
        .where(
            outcome.case_id == episode.case_id,
            outcome.referral_received_at == episode.referral_received_at,
            outcome.first_attended,
            known(outcome.recorded_at, scope),
        )
        .scalar_subquery()
    )
    closed_on = (
        select(func.min(closure.closed_on))
        .where(
            closure.case_id == episode.case_id,
            closure.referral_received_at == episode.referral_received_at,
            known(closure.recorded_at, scope),
        )
        .scalar_subquery()
    )
    e = (
        select(
            episode.case_id.label("id"),
            episode.region,
            episode.case_type,
            office.ownership,
            *_office_columns(episode.office_id),
            oslo_flag(episode.municipality_number).label("oslo"),
            episode.referral_on,
            served_on.label("served_on"),
            closed_on.label("closed_on"),
        )
        .select_from(episode)
        .outerjoin(office, _office(episode.office_id, scope))
        .where(
            known(episode.recorded_at, scope),
            in_region(episode.region, scope),
            episode.referral_on <= scope.last,
        )
        .subquery()
    )
    served = e.c.served_on.between(scope.first, scope.last)
    waiting = and_(
        or_(e.c.served_on.is_(None), e.c.served_on > scope.last),
        or_(e.c.closed_on.is_(None), e.c.closed_on > scope.last),
    )
    until = case((served, e.c.served_on), else_=scope.last)
    return select(
        e.c.id,
        e.c.region,
        e.c.case_type,
        e.c.ownership,
        e.c.office,
        e.c.office_name,
        e.c.oslo,
        cast(until - e.c.referral_on, Integer).label("days"),
    ).where(or_(served, waiting))


register(
    Definition(
        id="fv.waiting_days",
        name="Waiting time",
        definition="Days from the referral received (the Oslo date of referral_received_at) "
        "to the first attended session (the Oslo date it was scheduled for; the earliest "
        "session flagged first_attended), per case episode: a reopened case waits again from "
        "its new referral, and a no-show does not end a wait. Counted: the episodes whose "
        "first attended session fell in the period, "
        "and the episodes still waiting at the end of the period's last day (or as_of), with "
        "their days to that day; an episode closed without an attended session is no longer "
        "waiting. A wait across a year end counts in both years: in the first to 31.12, in "
        "the second to the session. value = mean; median, p90 and count_over_180 (episodes "
        "over 180 days) beside it; n = episodes. By case type. The directorate's aim: short "
        "waits, cases with children first. " + SCOPE,
        time_base=TimeBase.unique_in_period,
        unit=Unit.average,
        dimensions=CASE_DIMENSIONS,
        labels=LABELS,
        sources=WAITING_EVENTS,
        base=_waits,
        measures=waiting_times,
        counts=WAITING_COUNTS,
        extras=WAITING_EXTRAS,
    )
)


# closings -----------------------------------------------------------------------------------


def _closings(scope: Shape, *conditions: Any) -> Select[Any]:
    """Case episodes closed in the period (the Oslo date of closed_at) meeting
    `conditions`."""
    closure, office = FamilyCounsellingClosure, FamilyCounsellingOffice
    return (
        select(
            closure.case_id.label("id"),
            closure.region,
            closure.case_type,
            closure.track,
            office.ownership,
            *_office_columns(closure.office_id),
            oslo_flag(closure.municipality_number).label("oslo"),
            closure.violence_registered,
            closure.agreement_reached,
            closure.child_heard,
        )
        .select_from(closure)
        .outerjoin(office, _office(closure.office_id, scope))
        .where(
            known(closure.recorded_at, scope),
            in_region(closure.region, scope),
            closure.closed_on.between(scope.first, scope.last),
            *conditions,
        )
    )


_MEDIATION = FamilyCounsellingClosure.case_type == "mediation"


def _mediations_closed(scope: Shape) -> Select[Any]:
    return _closings(scope, _MEDIATION)


def _high_conflict_closed(scope: Shape) -> Select[Any]:
    return _closings(scope, one_of(FamilyCounsellingClosure.track, HIGH_CONFLICT))


def _mediations_with_a_child_over_7(scope: Shape) -> Select[Any]:
    closure = FamilyCounsellingClosure
    return _closings(
        scope,
        _MEDIATION,
        closure.has_child_over_7,
        one_of(closure.child_heard, ("heard", "not_heard")),  # never not_applicable
    )


register(
    Definition(
        id="fv.violence_mediation",
        name="Violence uncovered in mediation",
        definition="Mediations closed in the period with violence registered ÷ mediations "
        "closed in the period (2024: 2 292 ÷ 15 097 = 15.1 %). " + CLOSINGS + SCOPE,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=CLOSING_DIMENSIONS,
        labels=LABELS,
        sources=CLOSED_EVENTS,
        base=_mediations_closed,
        measures=lambda b: share(b, b.violence_registered),
        counts=SHARE_COUNTS,
    )
)

register(
    Definition(
        id="fv.violence_high_conflict",
        name="Violence in high-conflict tracks",
        definition="Cases closed in the period in the final track C or C! with violence "
        "registered ÷ cases closed in the period in track C or C! (2024: 1 961 ÷ 5 262 = "
        "37 %). " + CLOSINGS + SCOPE,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=CLOSING_DIMENSIONS,
        labels=LABELS,
        sources=CLOSED_EVENTS,
        base=_high_conflict_closed,
        measures=lambda b: share(b, b.violence_registered),
        counts=SHARE_COUNTS,
    )
)

register(
    Definition(
        id="fv.child_heard",
        name="Children heard in mediation",
        definition="Mediations closed in the period with a child over 7 in which the child "
        "was heard ÷ mediations closed in the period with a child over 7 (a mediation "
        "without a child over 7, child_heard not_applicable, is in neither). The target: "
        "higher than the same period a year earlier. " + CLOSINGS + SCOPE,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=CLOSING_DIMENSIONS,
        labels=LABELS,
        sources=CLOSED_EVENTS,
        base=_mediations_with_a_child_over_7,
        measures=lambda b: share(b, b.child_heard == "heard"),
        counts=SHARE_COUNTS,
        target=Target("rising", "rising: above the same period a year earlier"),
    )
)

register(
    Definition(
        id="fv.agreements",
        name="Mediation agreements",
        definition="Mediations closed in the period with an agreement reached ÷ mediations "
        "closed in the period. " + CLOSINGS + SCOPE,
        time_base=TimeBase.flow_in_period,
        unit=Unit.rate,
        dimensions=CLOSING_DIMENSIONS,
        labels=LABELS,
        sources=CLOSED_EVENTS,
        base=_mediations_closed,
        measures=lambda b: share(b, b.agreement_reached),
        counts=SHARE_COUNTS,
    )
)
