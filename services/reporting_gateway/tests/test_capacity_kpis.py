"""Every capacity KPI proved on a scenario computed by hand (each test in its own region
and year, so they share one gateway database without touching each other's figures)."""

from __future__ import annotations

from datetime import date

import pytest

from .kpis import kpi


@pytest.fixture(scope="module")
async def vest_2023(scenario):
    """State acute places in vest, March–April 2023 (DST began 26 March):
    contract 1: 2 places 1–31 March; contract 2: 1 place from 16 March, open.
    Budgeted place-days in March: 2 × 31 + 1 × 16 = 78; in April: 30.
    Stays: S1 27 Feb → 4 Mar (3 days in March), S2 10 Mar same day (1), S3 from 20 Mar,
    open (12 in March, 30 in April; a discharge on 25 March recorded only on 10 April),
    S4 31 Mar → 2 Apr (1 in March, 1 in April)."""
    home = await scenario.institution("vest")
    await scenario.contract(
        home,
        function="acute",
        contract_type="state",
        places=2,
        valid_from=date(2023, 3, 1),
        valid_to=date(2023, 3, 31),
    )
    await scenario.contract(
        home, function="acute", contract_type="state", places=1, valid_from=date(2023, 3, 16)
    )
    await scenario.stay(home, date(2023, 2, 27), discharged_on=date(2023, 3, 4))
    await scenario.stay(home, date(2023, 3, 10), discharged_on=date(2023, 3, 10))
    s3 = await scenario.stay(home, date(2023, 3, 20))
    await scenario.stay(home, date(2023, 3, 31), discharged_on=date(2023, 4, 2))
    await scenario.discharge(s3, date(2023, 3, 25), recorded_at=scenario.at("2023-04-10 09:00"))
    return home


async def test_occupancy_counts_place_days_of_stays_and_contracts(gateway, detail, vest_2023):
    march = await kpi(
        gateway, detail, "cap.occupancy", period="2023-03", region="vest", category="state_acute"
    )
    # S3 discharged 25 March: 20–24 March = 5 days.
    assert (march["numerator"], march["denominator"]) == (3 + 1 + 5 + 1, 78)
    assert march["value"] == pytest.approx(10 / 78, abs=1e-6)
    assert march["time_base"] == "day_based"
    assert march["target"]["value"] == 0.8
    assert march["meets_target"] is False
    assert march["n"] == 4
    assert march["data_as_of"].startswith("2023-04-10T09:00")

    april = await kpi(gateway, detail, "cap.occupancy", period="2023-04", region="vest")
    assert (april["numerator"], april["denominator"]) == (1, 30)


async def test_as_known_at_an_instant(gateway, detail, vest_2023):
    """Before S3's discharge was recorded, S3 was open: 12 days in March, 17 in all."""
    then = await kpi(
        gateway,
        detail,
        "cap.occupancy",
        period="2023-03",
        region="vest",
        known_at="2023-04-01T00:00:00+02:00",
    )
    assert (then["numerator"], then["denominator"]) == (17, 78)
    assert then["known_at"].startswith("2023-04-01T00:00:00+02:00")
    revisions = await gateway.get(
        "/v1/kpis/cap.occupancy/revisions",
        params={"period": "2023-03", "region": "vest", "since": "2023-04-01T00:00:00+02:00"},
        headers=detail,
    )
    assert revisions.status_code == 200, revisions.text
    body = revisions.json()
    assert body["then"]["numerator"] == 17
    assert body["now"]["numerator"] == 10
    assert body["events"] == [{"type": "capacity.stay.discharged.v1", "count": 1, "shown_as": None}]


async def test_children_in_institutions(gateway, detail, vest_2023):
    average = await kpi(gateway, detail, "cap.children_average", period="2023-03", region="vest")
    assert (average["numerator"], average["denominator"]) == (10, 31)
    assert average["value"] == pytest.approx(10 / 31, abs=1e-6)
    at_end = await kpi(gateway, detail, "cap.children_at_date", period="2023-03", region="vest")
    assert at_end["on"] == "2023-03-31"
    assert at_end["value"] == 1
    mid = await kpi(
        gateway,
        detail,
        "cap.children_at_date",
        period="2023-03",
        region="vest",
        as_of="2023-03-21",
    )
    assert mid["value"] == 1
    assert mid["last_day"] == "2023-03-21"
    places = await kpi(
        gateway, detail, "cap.places", period="2023-03", region="vest", as_of="2023-03-20"
    )
    assert places["value"] == 3
    april_places = await kpi(gateway, detail, "cap.places", period="2023-04", region="vest")
    assert april_places["value"] == 1


@pytest.fixture(scope="module")
async def nord_2023(scenario):
    """Requests in nord, June 2023 (acute deadline = need + 2 h; planned = end of day):
    R1 acute 1 June, no offer: a breach. R2 acute 2 June 10:00, offered 11:30 but registered
    at 15:00: no breach (as known at 13:00, one). R3 planned, deadline 10 June, offered
    12 June: a breach. R4 planned, offered in time, a breach confirmed by the county
    governor: a breach. R5 acute 20 June, the same child as R1, no offer: a breach. R6 a
    20-year-old (no duty to assist): never. R7 acute, closed before its deadline: none.
    R8 acute, need 1 July 00:30 Oslo time (30 June in UTC), no offer: July's, not June's.
    June: 4 requests in breach (acute 2, planned 2), 3 children."""
    at = scenario.at
    region = "nord"
    r1 = await scenario.placement_request(
        region,
        at("2023-06-01 10:00"),
        at("2023-06-01 12:00"),
        child_key="child-1",
    )
    r2 = await scenario.placement_request(region, at("2023-06-02 10:00"), at("2023-06-02 12:00"))
    await scenario.offer(r2, region, at("2023-06-02 11:30"), recorded_at=at("2023-06-02 15:00"))
    r3 = await scenario.placement_request(
        region,
        at("2023-06-09 10:00"),
        at("2023-06-10 23:59:59"),
        urgency="planned",
    )
    await scenario.offer(r3, region, at("2023-06-12 09:00"), recorded_at=at("2023-06-12 09:01"))
    r4 = await scenario.placement_request(
        region,
        at("2023-06-14 10:00"),
        at("2023-06-15 23:59:59"),
        urgency="planned",
    )
    await scenario.offer(r4, region, at("2023-06-14 12:00"), recorded_at=at("2023-06-14 12:00"))
    await scenario.confirm_breach(r4, region, at("2023-08-01 12:00"))
    await scenario.placement_request(
        region,
        at("2023-06-20 10:00"),
        at("2023-06-20 12:00"),
        child_key="child-1",
    )
    await scenario.placement_request(region, at("2023-06-21 10:00"), None)
    r7 = await scenario.placement_request(region, at("2023-06-25 10:00"), at("2023-06-25 12:00"))
    await scenario.close(r7, region, at("2023-06-25 10:30"))
    await scenario.placement_request(region, at("2023-07-01 00:30"), at("2023-07-01 02:30"))
    return r1


async def test_breaches_of_the_duty_to_assist(gateway, detail, nord_2023):
    june = await kpi(gateway, detail, "cap.breaches", period="2023-06", region="nord")
    assert (june["value"], june["children"]) == (4, 3)
    assert june["time_base"] == "flow_in_period"
    assert june["target"]["rule"] == "zero"
    assert june["meets_target"] is False
    by_kind = await kpi(
        gateway, detail, "cap.breaches", period="2023-06", region="nord", breakdown="kind"
    )
    assert {row["kind"]: (row["value"], row["children"]) for row in by_kind["breakdown"]} == {
        "acute": (2, 1),
        "planned": (2, 2),
    }
    acute = await kpi(
        gateway, detail, "cap.breaches", period="2023-06", region="nord", urgency="acute"
    )
    assert acute["value"] == 2
    july = await kpi(gateway, detail, "cap.breaches", period="2023-07", region="nord")
    assert july["value"] == 1  # R8: an Oslo day, not a UTC one
    # As known at 13:00 on 2 June: R1, and R2, whose offer was not registered yet.
    then = await kpi(
        gateway,
        detail,
        "cap.breaches",
        period="2023-06",
        region="nord",
        known_at="2023-06-02T13:00:00+02:00",
    )
    assert then["value"] == 2
    # Before the county governor's confirmation: R1, R3, R5.
    before = await kpi(
        gateway,
        detail,
        "cap.breaches",
        period="2023-06",
        region="nord",
        known_at="2023-07-31T12:00:00+02:00",
    )
    assert before["value"] == 3


async def test_acute_offer_within_two_hours(gateway, detail, nord_2023):
    june = await kpi(gateway, detail, "cap.acute_offer_2h", period="2023-06", region="nord")
    # R1, R2, R5 (R7 was closed in time, R6 has no duty to assist).
    assert (june["numerator"], june["denominator"]) == (1, 3)
    assert june["target"]["value"] == 1.0
    assert june["meets_target"] is False


@pytest.fixture(scope="module")
async def ost_2022(scenario):
    """Stays in ost, January–February 2022:
    E1 acute 1 Jan → 12 Feb (42 days, planned), child a; E2 acute 5 Jan → 17 Feb (43 days,
    unintended), child b; E3 acute 10 Feb same day, child c from Oslo; E4 care, single
    purchase, aged 11, 1 → 20 Feb (unintended), child d; E5 care, framework, from 15 Feb,
    open, child a again."""
    home = await scenario.institution("ost", municipality_number="3201")
    await scenario.stay(home, date(2022, 1, 1), child_key="a", discharged_on=date(2022, 2, 12))
    await scenario.stay(
        home,
        date(2022, 1, 5),
        child_key="b",
        discharged_on=date(2022, 2, 17),
        end_reason="unintended",
    )
    await scenario.stay(
        home,
        date(2022, 2, 10),
        child_key="c",
        municipality_number="0301",
        discharged_on=date(2022, 2, 10),
    )
    await scenario.stay(
        home,
        date(2022, 2, 1),
        function="care",
        contract_type="single_purchase",
        child_key="d",
        age_years=11,
        discharged_on=date(2022, 2, 20),
        end_reason="unintended",
    )
    await scenario.stay(
        home, date(2022, 2, 15), function="care", contract_type="framework", child_key="a"
    )
    return home


async def test_stays_ended_started_and_children_counted_once(gateway, detail, ost_2022):
    params = {"period": "2022-02", "region": "ost"}
    six_weeks = await kpi(gateway, detail, "cap.acute_stay_6w", **params)
    assert (six_weeks["numerator"], six_weeks["denominator"]) == (2, 3)  # E1, E3 of E1–E3
    assert six_weeks["meets_target"] is False
    unintended = await kpi(gateway, detail, "cap.unintended_endings", **params)
    assert (unintended["numerator"], unintended["denominator"]) == (2, 4)
    single = await kpi(gateway, detail, "cap.single_purchase_share", **params)
    assert (single["numerator"], single["denominator"]) == (1, 3)  # E4 of E3, E4, E5
    new = await kpi(gateway, detail, "cap.new_stays", **params)
    assert new["value"] == 3
    january = await kpi(gateway, detail, "cap.new_stays", period="2022-01", region="ost")
    assert january["value"] == 2
    unique = await kpi(gateway, detail, "cap.children_unique", **params, breakdown="function")
    assert unique["value"] == 4  # a, b, c, d
    per_function = {row["function"]: row["value"] for row in unique["breakdown"]}
    assert per_function == {"acute": 3, "care": 2}  # 5: per-type counts do not add up
    without_oslo = await kpi(gateway, detail, "cap.children_unique", **params, exclude_oslo=True)
    assert without_oslo["value"] == 3
    under_13 = await kpi(gateway, detail, "cap.under_13", **params)
    assert under_13["value"] == 1
    year = await kpi(gateway, detail, "cap.children_unique", period="2022", region="ost")
    assert year["value"] == 4


async def test_falling_targets_compare_with_a_year_earlier(gateway, detail, scenario, ost_2022):
    """February 2021 in ost: one stay, ended unintended (1 of 1); no child under 13."""
    params = {"period": "2022-02", "region": "ost"}
    assert (await kpi(gateway, detail, "cap.unintended_endings", **params))["meets_target"] is None
    await scenario.stay(
        ost_2022,
        date(2021, 2, 1),
        discharged_on=date(2021, 2, 3),
        end_reason="unintended",
    )
    unintended = await kpi(gateway, detail, "cap.unintended_endings", **params)
    assert unintended["value"] == 0.5
    assert unintended["target"]["rule"] == "falling"
    assert unintended["meets_target"] is True  # 0.5 < 1.0
    under_13 = await kpi(gateway, detail, "cap.under_13", **params)
    assert under_13["value"] == 1
    assert under_13["meets_target"] is False  # 1, against none a year earlier


@pytest.fixture(scope="module")
async def midt_2023(scenario):
    """Children living alone in midt on 30 September 2023 (more than six weeks: admitted on
    or before 19 August): L1 from 1 Aug with a decision in force; L2 from 1 Jul without one;
    L3 from 10 Aug, its review due 15 Sep (reviewed on 3 Oct, recorded then); L4 from 10 Sep
    (too recent); L5 1 Jun → 1 Sep (gone)."""
    home = await scenario.institution("midt", municipality_number="5001")
    alone = {"lives_alone": True, "function": "care"}
    l1 = await scenario.stay(home, date(2023, 8, 1), **alone)
    await scenario.single_child_decision(
        l1,
        decided_on=date(2023, 8, 1),
        valid_until=date(2023, 12, 31),
        next_review_on=date(2023, 10, 15),
    )
    await scenario.stay(home, date(2023, 7, 1), **alone)
    l3 = await scenario.stay(home, date(2023, 8, 10), **alone)
    decision = await scenario.single_child_decision(
        l3,
        decided_on=date(2023, 8, 10),
        valid_until=date(2023, 12, 31),
        next_review_on=date(2023, 9, 15),
    )
    await scenario.single_child_decision(
        l3,
        decision_id=decision,
        decided_on=date(2023, 8, 10),
        valid_until=date(2023, 12, 31),
        next_review_on=date(2023, 12, 1),
        reviewed_on=date(2023, 10, 3),
    )
    await scenario.stay(home, date(2023, 9, 10), **alone)
    await scenario.stay(home, date(2023, 6, 1), discharged_on=date(2023, 9, 1), **alone)
    return home


async def test_children_living_alone(gateway, detail, midt_2023):
    params = {"period": "2023-09", "region": "midt"}
    now = await kpi(gateway, detail, "cap.living_alone", **params)
    assert (now["value"], now["lacking_decision"], now["review_overdue"]) == (3, 1, 0)
    assert now["time_base"] == "at_date"
    assert now["on"] == "2023-09-30"
    then = await kpi(
        gateway, detail, "cap.living_alone", **params, known_at="2023-10-01T12:00:00+02:00"
    )
    assert (then["value"], then["lacking_decision"], then["review_overdue"]) == (3, 1, 1)


@pytest.fixture(scope="module")
async def sor_2023(scenario):
    """Private stays in sør, May 2023: P1 framework at NOK 20 000 for 10 days; P2 single
    purchase at NOK 30 000 for 5 days; a state stay (not counted)."""
    private = await scenario.institution("sor", ownership="commercial", municipality_number="4204")
    state = await scenario.institution("sor", municipality_number="4204")
    await scenario.stay(
        private,
        date(2023, 5, 1),
        function="care",
        contract_type="framework",
        day_price_nok="20000.00",
        discharged_on=date(2023, 5, 11),
    )
    await scenario.stay(
        private,
        date(2023, 5, 20),
        function="care",
        contract_type="single_purchase",
        day_price_nok="30000.00",
        discharged_on=date(2023, 5, 25),
    )
    await scenario.stay(state, date(2023, 5, 1), function="care", day_price_nok="99999.00")
    return private


async def test_day_price_against_the_budget(gateway, detail, sor_2023):
    params = {"period": "2023-05", "region": "sor"}
    price = await kpi(gateway, detail, "cap.day_price", **params, breakdown="contract_type")
    assert (price["numerator"], price["denominator"]) == (350_000, 15)
    assert price["value"] == pytest.approx(350_000 / 15, abs=1e-6)
    assert {row["contract_type"]: row["value"] for row in price["breakdown"]} == {
        "framework": 20_000,
        "single_purchase": 30_000,
    }
    assert price["target"] is None  # no budget recorded yet
    budget = await gateway.put(
        "/v1/day-price-budgets/2023/sor", json={"day_price_nok": 25_000}, headers=detail
    )
    assert budget.status_code == 200, budget.text
    price = await kpi(gateway, detail, "cap.day_price", **params)
    assert price["target"]["value"] == 25_000
    assert price["meets_target"] is True
