"""The KPI rules: which scope a question asks for, what it may see, the value, the target
and whether it is met, and small counts hidden for callers without `reports.detail`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from common import clock
from common.auth import Principal, ensure_agency, scoped_filters
from common.errors import InvalidInput, NotFound
from common.reference import Region
from common.uow import UnitOfWork
from reporting_gateway.kpis import capacity as _capacity  # noqa: F401  (registers cap.*)
from reporting_gateway.kpis import family_counselling as _fv  # noqa: F401  (registers fv.*)
from reporting_gateway.kpis import foster_care as _foster_care  # noqa: F401  (registers fc.*)
from reporting_gateway.kpis.catalogue import (
    CATALOGUE,
    TIME_BASES,
    YEARLY_RULES,
    Definition,
    Scope,
    Target,
    TimeBase,
    Unit,
)
from reporting_gateway.kpis.periods import FIRST_YEAR, Period
from reporting_gateway.kpis.repository import KpiRepository, Row
from reporting_gateway.kpis.schemas import (
    FILTERS,
    BudgetIn,
    BudgetOut,
    Catalogue,
    DefinitionOut,
    EventCount,
    Figures,
    KpiAnswer,
    KpiQuery,
    Revision,
    RevisionQuery,
    TargetOut,
)
from reporting_gateway.kpis.suppression import SHOWN_AS, Cell, is_small, protect

DETAIL_SCOPE = "reports.detail"
MEASURES = ("value", "numerator", "denominator", "n")


def list_definitions() -> Catalogue:
    return Catalogue(items=[_definition_out(d) for d in CATALOGUE.values()])


def get_definition(kpi_id: str) -> Definition:
    definition = CATALOGUE.get(kpi_id)
    if definition is None:
        raise NotFound(f"No KPI {kpi_id!r} in the catalogue (GET /v1/kpis lists them).")
    return definition


def may_see_detail(principal: Principal) -> bool:
    return DETAIL_SCOPE in principal.scopes


def region_asked(principal: Principal, region: Region | None) -> Region | None:
    """The region a question may ask for: a token limited to a region reads that region's
    figures only (national ones included others')."""
    ensure_agency(principal, "read the directorate's figures")
    scoped, _ = scoped_filters(principal, region, None, "figures")
    return scoped


async def get_kpi(uow: UnitOfWork, principal: Principal, kpi_id: str, query: KpiQuery) -> KpiAnswer:
    definition = get_definition(kpi_id)
    region = region_asked(principal, query.region)
    period = Period.parse(query.period)
    scope = scope_of(definition, query, region, period)
    answer = await compute(KpiRepository(uow), definition, scope, period, query)
    if not may_see_detail(principal):
        hide_small_counts(definition, answer, answer.breakdown or [])
    return answer


async def get_revision(
    uow: UnitOfWork, principal: Principal, kpi_id: str, query: RevisionQuery
) -> Revision:
    definition = get_definition(kpi_id)
    region = region_asked(principal, query.region)
    now = query.known_at or clock.now()
    if query.since > now:
        raise InvalidInput("since", "must be before now (or before known_at)")
    repository = KpiRepository(uow)
    period = Period.parse(query.period)
    later = scope_of(definition, query, region, period)
    earlier_query = query.model_copy(update={"known_at": query.since})
    earlier = scope_of(definition, earlier_query, region, period)
    then = await compute(repository, definition, earlier, period, earlier_query)
    today = await compute(repository, definition, later, period, query)
    counts = await repository.count_events_since(definition, later, query.since)
    events = [EventCount(type=type_, count=count) for type_, count in counts.items()]
    if not may_see_detail(principal):
        hide_small_counts(definition, then, then.breakdown or [])
        hide_small_counts(definition, today, today.breakdown or [])
        for event in events:
            if is_small(event.count):
                event.count, event.shown_as = None, SHOWN_AS
    return Revision(
        kpi=definition.id,
        period=period.text,
        region=region,
        since=query.since,
        then=then,
        now=today,
        events=events,
    )


async def set_day_price_budget(
    uow: UnitOfWork, principal: Principal, year: int, region: Region, body: BudgetIn
) -> BudgetOut:
    region_asked(principal, region)
    row = await KpiRepository(uow).add_day_price_budget(
        year, region, body.day_price_nok, principal.client_id
    )
    return BudgetOut(
        year=row.year,
        region=Region(row.region),
        day_price_nok=float(row.day_price_nok),
        recorded_at=row.recorded_at,
    )


# the scope ---------------------------------------------------------------------------------


def scope_of(
    definition: Definition, query: KpiQuery, region: Region | None, period: Period
) -> Scope:
    """The days and the instant a question asks about, checked."""
    now = clock.now()
    if query.known_at is not None and query.known_at > now + clock.CLOCK_SKEW:
        raise InvalidInput("known_at", "must not be in the future: what is not known yet")
    known_at = query.known_at
    today = clock.oslo_date(known_at or now)
    if period.first > today:
        raise InvalidInput("period", f"{period.text} has not begun by {today.isoformat()}")
    if query.as_of is not None and query.as_of < period.first:
        raise InvalidInput("as_of", f"must not be before the period begins ({period.first})")
    last = min(period.last, query.as_of or today, today)
    filters = {
        name: str(value) for name in FILTERS if (value := getattr(query, name)) is not None
    }  # as text, an office's id too: the base rows carry each dimension as text
    for name in filters:
        if name not in definition.dimensions:
            raise InvalidInput(name, _not_a_dimension(definition, name))
    if query.breakdown not in (None, "region", *definition.dimensions):
        raise InvalidInput("breakdown", _not_a_dimension(definition, str(query.breakdown)))
    cutoff = min(clock.end_of_day_in_oslo(last), known_at or now)
    return Scope(
        first=period.first,
        last=last,
        on=last,
        cutoff=cutoff,
        region=region,
        exclude_oslo=query.exclude_oslo,
        filters=filters,
        known_at=known_at,
    )


def _not_a_dimension(definition: Definition, name: str) -> str:
    dimensions = ", ".join(("region", *definition.dimensions))
    return f"{definition.id} is not counted by {name}; its dimensions: {dimensions}"


# the answer --------------------------------------------------------------------------------


async def compute(
    repository: KpiRepository,
    definition: Definition,
    scope: Scope,
    period: Period,
    query: KpiQuery,
) -> KpiAnswer:
    """The figures as counted, before any are hidden."""
    total, parts = await repository.aggregate(definition, scope, query.breakdown)
    budget = await _budget_target(repository, definition, scope, period)
    target = _target_of(definition, scope.filters, budget)
    figures = _figures(definition, scope, total, target)
    if target is not None and target.yearly:
        earlier = await _a_year_earlier(repository, definition, scope)
        figures["meets_target"] = target.met(figures["value"], earlier)
    breakdown = None
    if query.breakdown is not None:
        breakdown = []
        for part in parts:
            filters = {**scope.filters, query.breakdown: part.group or ""}
            cell = _figures(definition, scope, part, _target_of(definition, filters, budget))
            if cell["target"] is not None and cell["target"].rule in YEARLY_RULES:
                cell["meets_target"] = None  # compared for the total only
            named: dict[str, str | None] = {query.breakdown: part.group}
            if query.breakdown in definition.labels:
                named[f"{query.breakdown}_name"] = part.label
            breakdown.append(Figures(**named, **cell))
    return KpiAnswer(
        kpi=definition.id,
        name=definition.name,
        period=period.text,
        region=scope.region,
        time_base=definition.time_base,
        unit=definition.unit,
        first_day=scope.first,
        last_day=scope.last,
        on=scope.on if definition.time_base == TimeBase.at_date else None,
        known_at=scope.known_at,
        exclude_oslo=scope.exclude_oslo,
        filters=dict(scope.filters),
        data_as_of=await repository.get_newest_event_time(definition, scope),
        breakdown=breakdown,
        **figures,
    )


def _figures(
    definition: Definition, scope: Scope, row: Row, target: Target | None
) -> dict[str, Any]:
    measures = dict(row.measures)
    numerator = measures.pop("numerator")
    denominator = measures.pop("denominator", None)
    n = measures.pop("n")
    if definition.unit == Unit.average and denominator is None:
        denominator = (scope.last - scope.first).days + 1  # days in the period counted
    value: float | None
    if definition.unit == Unit.number:
        value = numerator
    else:
        value = round(numerator / denominator, 6) if denominator else None
    return {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "n": n,
        "target": _target_out(target),
        "meets_target": target.met(value) if target is not None else None,
        **{name: measures[name] for name in definition.extras},
    }


def _target_of(
    definition: Definition, filters: Mapping[str, str], budget: Target | None
) -> Target | None:
    for dimension, targets in definition.targets.items():
        if dimension in filters:
            return targets.get(filters[dimension])
    if definition.targets:
        return None  # set per category: none for several together
    return budget if definition.budgeted else definition.target


async def _budget_target(
    repository: KpiRepository, definition: Definition, scope: Scope, period: Period
) -> Target | None:
    if not definition.budgeted or scope.region is None:
        return None
    budget = await repository.get_day_price_budget(period.year, scope.region, scope.known_at)
    if budget is None:
        return None
    return Target(
        "at_most",
        f"at most region {scope.region}'s budgeted day price for {period.year} (S 1.1.4)",
        float(budget),
    )


async def _a_year_earlier(
    repository: KpiRepository, definition: Definition, scope: Scope
) -> float | None:
    if scope.first.year <= FIRST_YEAR:
        return None  # nothing is counted before then
    earlier = replace(
        scope,
        first=_a_year_before(scope.first),
        last=_a_year_before(scope.last),
        on=_a_year_before(scope.on),
        cutoff=min(scope.cutoff, clock.end_of_day_in_oslo(_a_year_before(scope.last))),
    )
    total, _ = await repository.aggregate(definition, earlier, None)
    value: float | None = _figures(definition, earlier, total, None)["value"]
    return value


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _target_out(target: Target | None) -> TargetOut | None:
    if target is None:
        return None
    return TargetOut(rule=target.rule, value=target.value, text=target.text)


def _definition_out(definition: Definition) -> DefinitionOut:
    return DefinitionOut(
        id=definition.id,
        name=definition.name,
        definition=definition.definition,
        time_base=definition.time_base,
        time_base_means=TIME_BASES[definition.time_base],
        unit=definition.unit,
        dimensions=["region", *definition.dimensions],
        target=_target_out(definition.target)
        if not definition.budgeted
        else TargetOut(
            rule="at_most", value=None, text="at most the region's budgeted day price (S 1.1.4)"
        ),
        targets_by={
            dimension: {value: t for value, target in targets.items() if (t := _target_out(target))}
            for dimension, targets in definition.targets.items()
        },
    )


# small counts ------------------------------------------------------------------------------


def hide_small_counts(definition: Definition, total: Figures, parts: Sequence[Figures]) -> None:
    """Hide counts of 1–4 and whatever would recover them, in `total` and its `parts` (a
    breakdown, or the regions of a national report)."""
    names = definition.counts
    if not names:
        return
    root = Cell({name: _count(total, name) for name in names})
    root.parts = [Cell({name: _count(part, name) for name in names}) for part in parts]
    protect(root)
    for figures, cell in ((total, root), *zip(parts, root.parts, strict=True)):
        if cell.hidden:
            _hide(definition, figures, cell.reason or "")


def _count(figures: Figures, name: str) -> int | None:
    value = getattr(figures, name, None)
    if value is None and figures.model_extra:
        value = figures.model_extra.get(name)
    return None if value is None else int(value)


def _hide(definition: Definition, figures: Figures, reason: str) -> None:
    for name in MEASURES:
        setattr(figures, name, None)
    for name in definition.extras:
        setattr(figures, name, None)
    figures.meets_target = None
    figures.shown_as = SHOWN_AS
    figures.suppression_reason = reason
