"""Every foster-care KPI, and foster-home breaches in cap.breaches, proved on scenarios
computed by hand. foster_care runs beside the gateway and is driven over its HTTP API with
past dates; its events reach the gateway's read models through NATS. Each scenario has its
own region and years, so they share one gateway database without touching each other's
figures: vest 2022–2023 the waiting list, midt and nord 2020–2021 placements, nord
2022–2023 family group conferences, ost 2023 breaches, sør 2023 (and one home in Oslo) the
recruitment funnel."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from reporting_gateway.kpis.catalogue import CATALOGUE

from .kpis import by, kpi

VEST, MIDT, NORD, OST, SOR = "4601", "5001", "1804", "3201", "4204"
OSLO = "0301"


def days_after(start: str, *offsets: int) -> list[str]:
    """Oslo times `offsets` days after `start` (a date), at noon."""
    first = date.fromisoformat(start)
    return [f"{first + timedelta(days=offset)} 12:00" for offset in offsets]


async def kinship_home(fc, municipality_number: str, request_id: UUID, start: str) -> UUID:
    """A kinship home recruited for one child's request, from `start` to approval 40 days on."""
    stages = ("information_meeting", "pre_assessment", "training", "training_completed")
    times = days_after(start, 0, 2, 4, 6, 30, 35, 40)
    return await fc.home(
        municipality_number,
        list(zip((*stages, "home_study", "approved"), times[1:], strict=True)),
        inquiry_at=times[0],
        kind="kinship",
        recruitment_source="child_network",
        kinship_request_id=request_id,
        places=1,
    )


# the waiting list -------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def vest_waiting(foster_care_service) -> datetime:
    """Requests from Bergen (vest), one foster home for them all. Children (desired start →
    requested → how the wait ended), all aged 11 but E (2):
      F  2022-03-01 → 2022-02-01 → placed 2022-04-01; the placement broke down 2022-11-01,
         and Bergen asked again: F' 2022-11-15 → 2022-11-02 → still waiting
      G  2022-03-01 → 2022-02-15 → still waiting
      C  2022-06-01 → 2022-05-01 → withdrawn 2022-12-15 00:30 Oslo time (14 Dec in UTC)
      A  2022-10-01 → 2022-09-15 → placed 2023-03-01 (a wait across the year end)
      B  2022-12-01 → 2022-11-20 → still waiting
      E  2022-12-20 → 2022-12-01 → still waiting
      D  2023-01-10 → 2023-02-01 (asked after the desired start) → placed 2023-02-20
    Returns the instant before A's placement was recorded."""
    fc = foster_care_service
    home = await fc.approved_home(VEST)
    f1 = await fc.request(VEST, "F", "2022-03-01", "2022-02-01 10:00")
    await fc.request(VEST, "G", "2022-03-01", "2022-02-15 10:00")
    c = await fc.request(VEST, "C", "2022-06-01", "2022-05-01 10:00")
    a = await fc.request(VEST, "A", "2022-10-01", "2022-09-15 10:00")
    first = await fc.place(f1, home, "2022-04-01")
    await fc.end(first, "2022-11-01", "breakdown")
    await fc.request(VEST, "F", "2022-11-15", "2022-11-02 10:00")
    await fc.request(VEST, "B", "2022-12-01", "2022-11-20 10:00")
    await fc.request(
        VEST,
        "E",
        "2022-12-20",
        "2022-12-01 10:00",
        birth_date="2020-01-01",
    )
    await fc.withdraw(c, "2022-12-15 00:30")
    d = await fc.request(VEST, "D", "2023-01-10", "2023-02-01 10:00")
    await fc.place(d, home, "2023-02-20")
    await fc.settled()
    before = datetime.now(UTC)
    await fc.place(a, home, "2023-03-01")
    await fc.settled()
    return before


async def test_children_waiting_at_a_date(gateway, detail, vest_waiting):
    params = {"region": "vest"}
    end_2022 = await kpi(gateway, detail, "fc.waiting", period="2022", **params)
    assert (end_2022["value"], end_2022["on"]) == (5, "2022-12-31")  # A, B, E, F', G
    assert end_2022["time_base"] == "at_date"
    assert end_2022["target"]["rule"] == "falling"
    assert end_2022["data_as_of"] is not None
    ages = await kpi(gateway, detail, "fc.waiting", period="2022", breakdown="age_group", **params)
    assert by(ages, "age_group") == {"0_5": 1, "10_17": 4}  # E is 2
    # 14 December: C still waits (withdrawn at 00:30 on the 15th, Oslo time); E not yet.
    on_14 = await kpi(gateway, detail, "fc.waiting", period="2022-12", as_of="2022-12-14", **params)
    assert (on_14["value"], on_14["on"]) == (5, "2022-12-14")  # A, B, C, F', G
    on_15 = await kpi(gateway, detail, "fc.waiting", period="2022-12", as_of="2022-12-15", **params)
    assert on_15["value"] == 4  # A, B, F', G
    # D waited from the day it was asked for, not from its desired start.
    january = await kpi(gateway, detail, "fc.waiting", period="2023-01", **params)
    assert january["value"] == 5
    february = await kpi(
        gateway, detail, "fc.waiting", period="2023-02", as_of="2023-02-10", **params
    )
    assert february["value"] == 6
    # At the end of 2023: B, E, F', G (A and D placed): fewer than a year earlier.
    end_2023 = await kpi(gateway, detail, "fc.waiting", period="2023", **params)
    assert end_2023["value"] == 4
    assert end_2023["meets_target"] is True


async def test_as_known_before_a_placement_was_recorded(gateway, detail, vest_waiting):
    params = {"period": "2023", "region": "vest"}
    known = vest_waiting.isoformat()
    then = await kpi(gateway, detail, "fc.waiting", **params, known_at=known)
    assert then["value"] == 5  # A too
    days = await kpi(gateway, detail, "fc.waiting_days", **params, known_at=known)
    # A to the end of 2023, 456 days, instead of 151 to its placement.
    assert (days["numerator"], days["n"]) == (2044 - 151 + 456, 6)
    revisions = await gateway.get(
        "/v1/kpis/fc.waiting/revisions", params={**params, "since": known}, headers=detail
    )
    assert revisions.status_code == 200, revisions.text
    body = revisions.json()
    assert (body["then"]["value"], body["now"]["value"]) == (5, 4)
    assert body["events"] == [
        {"type": "foster_care.foster_placement.started.v1", "count": 1, "shown_as": None}
    ]


async def test_waiting_time_over_a_period(gateway, detail, vest_waiting):
    """2022, each request waiting on a day of it, its days to the end of its wait or to
    31.12: F 31 (placed 1 April), G 305, C 197 (withdrawn 15 Dec), A 91, F' 46, B 30, E 11.
    2023: A 151 (its whole wait, to the placement on 1 March), G 670, F' 411, B 395, E 376,
    D 41 (placed 20 Feb); C and F's first request ended in 2022."""
    params = {"region": "vest"}
    year = await kpi(gateway, detail, "fc.waiting_days", period="2022", **params)
    assert (year["numerator"], year["denominator"], year["n"]) == (711, 7, 7)
    assert year["value"] == year["mean"] == pytest.approx(711 / 7, abs=1e-6)
    assert year["median"] == 46
    assert year["p90"] == 240.2  # 197 + 0.4 × (305 − 197)
    assert year["count_over_180"] == 2  # G, C
    assert year["unit"] == "average"
    later = await kpi(gateway, detail, "fc.waiting_days", period="2023", **params)
    assert (later["numerator"], later["n"]) == (151 + 670 + 411 + 395 + 376 + 41, 6)
    assert later["mean"] == pytest.approx(2044 / 6, abs=1e-6)
    assert later["median"] == 385.5  # (376 + 395) / 2
    assert later["p90"] == 540.5  # 411 + 0.5 × (670 − 411)
    assert later["count_over_180"] == 4
    # Up to 10 December 2022 (as_of): A 70, B 9, C 192, F' 25, G 284, and F's 31.
    december = await kpi(
        gateway, detail, "fc.waiting_days", period="2022", as_of="2022-12-10", **params
    )
    assert (december["numerator"], december["n"]) == (70 + 9 + 192 + 25 + 284 + 31, 6)


async def test_the_half_year_share_rests_on_children_waiting_over_30_days(
    gateway, detail, vest_waiting
):
    params = {"region": "vest"}
    # 31.12.2022: A 91, F' 46, G 305 over 30 days (B's 30 and E's 11 are not); G over 180.
    year = await kpi(gateway, detail, "fc.waiting_half_year_share", period="2022", **params)
    assert (year["numerator"], year["denominator"]) == (1, 3)
    assert year["value"] == pytest.approx(1 / 3, abs=1e-6)
    # 10.12.2022: A 70, C 192, G 284 over 30 days (F' 25, B 9 not); C and G over 180.
    earlier = await kpi(
        gateway,
        detail,
        "fc.waiting_half_year_share",
        period="2022-12",
        as_of="2022-12-10",
        **params,
    )
    assert (earlier["numerator"], earlier["denominator"]) == (2, 3)


async def test_requests_and_a_child_asked_for_again(gateway, detail, vest_waiting):
    params = {"region": "vest"}
    requests = await kpi(gateway, detail, "fc.requests", period="2022", **params)
    assert (requests["value"], requests["children"]) == (7, 6)  # F twice
    assert requests["time_base"] == "flow_in_period"
    later = await kpi(gateway, detail, "fc.requests", period="2023", **params)
    assert later["value"] == 1  # D
    broke_down = await kpi(gateway, detail, "fc.breakdowns", period="2022", **params)
    assert (broke_down["numerator"], broke_down["denominator"]) == (1, 1)  # F's placement


async def test_small_counts_are_hidden_for_a_region(gateway, auth, vest_waiting):
    region = auth("region-vest", scope="reports.read")
    waiting = await kpi(gateway, region, "fc.waiting", period="2023", region="vest")
    assert (waiting["value"], waiting["shown_as"]) == (None, "<5")  # 4 children
    assert waiting["meets_target"] is None
    days = await kpi(gateway, region, "fc.waiting_days", period="2022", region="vest")
    assert days["mean"] is days["median"] is days["count_over_180"] is None  # 2 over 180
    requests = await kpi(
        gateway, region, "fc.requests", period="2022", region="vest", breakdown="age_group"
    )
    assert (requests["value"], requests["children"]) == (7, 6)
    rows = {row["age_group"]: row for row in requests["breakdown"]}
    assert rows["0_5"]["value"] is None
    assert "fewer than 5" in rows["0_5"]["suppression_reason"]
    assert rows["10_17"]["value"] is None  # or 7 − 6 would give E away
    assert "recovered" in rows["10_17"]["suppression_reason"]
    other = await gateway.get(
        "/v1/kpis/fc.waiting", params={"period": "2023", "region": "nord"}, headers=region
    )
    assert other.status_code == 403


# placements -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def placements(foster_care_service):
    """Children of Trondheim (midt) and Bodø (nord), born 2011, in an ordinary home in each
    region (H-midt, H-nord) or a kinship home recruited for them:
      2020 midt: m0 H-midt 1 Jun → 1 Dec, breakdown.
      2021 midt: m1 H-midt 1 Feb → 1 Jun, breakdown; m2 kinship 1 Mar → 1 Sep, planned;
                 m3 H-nord (far from home) 1 Apr → 1 Oct, breakdown; m4 H-midt from 1 May.
      2021 nord: n1 H-nord 15 Feb → 1 Jul, moved; n2 kinship from 15 Mar;
                 n3 H-midt (far from home) 15 May → 1 Aug, breakdown."""
    fc = foster_care_service
    h_midt, h_nord = await fc.approved_home(MIDT), await fc.approved_home(NORD)

    async def child(municipality: str, ref: str, desired: str, home: UUID | None, start: str):
        requested = (date.fromisoformat(desired) - timedelta(days=14)).isoformat()
        request = await fc.request(municipality, ref, desired, f"{requested} 10:00")
        if home is None:  # a kinship home, recruited for this child
            home = await kinship_home(fc, municipality, request, requested)
            return await fc.place(request, home, start, kinship=True)
        return await fc.place(request, home, start)

    m0 = await child(MIDT, "m0", "2020-05-01", h_midt, "2020-06-01")
    await fc.end(m0, "2020-12-01", "breakdown")
    m1 = await child(MIDT, "m1", "2021-01-15", h_midt, "2021-02-01")
    m2 = await child(MIDT, "m2", "2021-01-20", None, "2021-03-01")
    m3 = await child(MIDT, "m3", "2021-03-15", h_nord, "2021-04-01")
    await child(MIDT, "m4", "2021-04-15", h_midt, "2021-05-01")
    n1 = await child(NORD, "n1", "2021-02-01", h_nord, "2021-02-15")
    await child(NORD, "n2", "2021-02-01", None, "2021-03-15")
    n3 = await child(NORD, "n3", "2021-05-01", h_midt, "2021-05-15")
    for placement, end_date, reason in (
        (m1, "2021-06-01", "breakdown"),
        (m2, "2021-09-01", "planned"),
        (m3, "2021-10-01", "breakdown"),
        (n1, "2021-07-01", "moved"),
        (n3, "2021-08-01", "breakdown"),
    ):
        await fc.end(placement, end_date, reason)
    await fc.settled()


async def test_kinship_share(gateway, detail, placements):
    midt = await kpi(gateway, detail, "fc.kinship_share", period="2021", region="midt")
    assert (midt["numerator"], midt["denominator"]) == (1, 4)  # m2 of m1–m4
    assert midt["target"]["rule"] == "rising"
    assert midt["meets_target"] is True  # 1/4 against 0/1 in 2020
    national = await kpi(gateway, detail, "fc.kinship_share", period="2021", breakdown="region")
    assert (national["numerator"], national["denominator"]) == (2, 7)
    assert by(national, "region", "numerator", "denominator") == {
        "midt": (1, 4),
        "nord": (1, 3),
    }


async def test_breakdowns(gateway, detail, placements):
    midt = await kpi(gateway, detail, "fc.breakdowns", period="2021", region="midt")
    assert (midt["numerator"], midt["denominator"]) == (2, 3)  # m1, m3 of m1–m3
    assert midt["meets_target"] is True  # 2/3 against 1/1 in 2020
    national = await kpi(gateway, detail, "fc.breakdowns", period="2021", breakdown="region")
    assert (national["numerator"], national["denominator"]) == (3, 5)
    assert by(national, "region", "numerator", "denominator") == {
        "midt": (2, 3),
        "nord": (1, 2),  # n3 of n1, n3
    }
    kinds = await kpi(gateway, detail, "fc.breakdowns", period="2021", breakdown="kind")
    assert by(kinds, "kind", "numerator", "denominator") == {
        "kinship": (0, 1),
        "ordinary": (3, 4),
    }
    first_half = await kpi(gateway, detail, "fc.breakdowns", period="2021", as_of="2021-06-30")
    assert (first_half["numerator"], first_half["denominator"]) == (1, 1)  # m1


async def test_placed_far_from_home(gateway, detail, placements):
    midt = await kpi(gateway, detail, "fc.placed_far_from_home", period="2021", region="midt")
    assert (midt["numerator"], midt["denominator"]) == (1, 4)  # m3 in nord
    assert midt["meets_target"] is False  # 1/4 against 0/1 in 2020
    national = await kpi(
        gateway, detail, "fc.placed_far_from_home", period="2021", breakdown="region"
    )
    assert by(national, "region", "numerator", "denominator") == {
        "midt": (1, 4),
        "nord": (1, 3),  # n3 in midt
    }


async def test_the_reports_hold_the_foster_care_figures(gateway, detail, placements):
    response = await gateway.get(
        "/v1/reports/annual/2021", params={"region": "midt"}, headers=detail
    )
    assert response.status_code == 200, response.text
    section = next(s for s in response.json()["sections"] if s["id"] == "fc")
    assert section["title"] == "Foster care"
    rows = {row["kpi"]: row for row in section["rows"]}
    assert set(rows) == {kpi_id for kpi_id in CATALOGUE if kpi_id.startswith("fc.")}
    assert rows["fc.kinship_share"]["value"] == 0.25
    assert rows["fc.breakdowns"]["numerator"] == 2
    assert rows["fc.waiting_days"]["mean"] is not None
    tertial = await gateway.get(
        "/v1/reports/tertial/2021-T2", params={"region": "midt"}, headers=detail
    )
    rows = {row["kpi"]: row for s in tertial.json()["sections"] for row in s["rows"]}
    assert (rows["fc.breakdowns"]["numerator"], rows["fc.breakdowns"]["denominator"]) == (1, 1)


# family group conferences -----------------------------------------------------------------


@pytest.fixture(scope="module")
async def conferences(foster_care_service):
    """Children of Bodø (nord) offered family group conferences:
    p  offered 2022-02-01, held 2022-03-01, not to recruit a home; offered again
       2023-01-15, held 2023-02-01, to recruit one (not p's first conference)
    q  offered 2022-11-15, held 2023-01-20 (recorded later), to recruit a home
    r  offered 2022-06-15, held 2022-07-01, to recruit a home; the request withdrawn and
       another made in 2023: offered 2023-03-10, held 2023-04-01 (not r's first)
    s  offered 2023-02-01, not held
    t  offered 2023-02-10 and held 2023-03-01, to recruit a home."""
    fc = foster_care_service
    p = await fc.request(NORD, "p", "2022-02-01", "2022-01-10 10:00")
    await fc.conference(p, "2022-02-01", held_on="2022-03-01", aims_to_recruit_home=False)
    q = await fc.request(NORD, "q", "2022-06-01", "2022-05-01 10:00")
    q_conference = await fc.conference(q, "2022-11-15")
    r = await fc.request(NORD, "r", "2022-07-01", "2022-06-01 10:00")
    await fc.conference(r, "2022-06-15", held_on="2022-07-01")
    await fc.withdraw(r, "2022-09-01 12:00", reason="kinship_solution")
    await fc.conference_held(q, q_conference, "2023-01-20")
    await fc.conference(p, "2023-01-15", held_on="2023-02-01")
    s = await fc.request(NORD, "s", "2023-02-01", "2023-01-05 10:00")
    await fc.conference(s, "2023-02-01")
    t = await fc.request(NORD, "t", "2023-02-01", "2023-01-06 10:00")
    await fc.conference(t, "2023-02-10", held_on="2023-03-01")
    r2 = await fc.request(NORD, "r", "2023-03-15", "2023-03-01 10:00")
    await fc.conference(r2, "2023-03-10", held_on="2023-04-01")
    await fc.settled()


async def test_family_group_conferences(gateway, detail, conferences):
    params = {"region": "nord"}
    earlier = await kpi(gateway, detail, "fc.family_group_conferences", period="2022", **params)
    # Offered: p, q, r; a first conference held to recruit a home: r's (p's was not to).
    assert (earlier["value"], earlier["first_aimed_at_recruiting"], earlier["n"]) == (3, 1, 3)
    year = await kpi(gateway, detail, "fc.family_group_conferences", period="2023", **params)
    # Offered: p, r (its new request), s, t; first held and to recruit: q, t (p's and r's
    # first conferences were held in 2022).
    assert (year["value"], year["first_aimed_at_recruiting"], year["n"]) == (4, 2, 5)
    assert year["target"]["rule"] == "rising"
    assert year["meets_target"] is True  # 4 against 3
    january = await kpi(gateway, detail, "fc.family_group_conferences", period="2023-01", **params)
    assert (january["value"], january["first_aimed_at_recruiting"]) == (1, 1)  # p; q


# breaches of the duty to assist -----------------------------------------------------------


@pytest.fixture(scope="module")
async def breaches(foster_care_service, scenario) -> datetime:
    """Ost, February 2023. Foster-home requests: x-1 from Bærum, a breach confirmed by the
    county governor on 5 March, and then (recorded later) by Bufetat on 20 February: the
    first confirmation counts, in February; x-2 from Oslo, confirmed 25 February; x-3 none.
    Institutions (capacity's events): an acute request for x-1 (the same child: Bærum's
    x-1) with no offer by its deadline on 10 February; a planned request of another child,
    its deadline 15 February passed without an offer. February: 4 requests, 3 children.
    Returns the instant before Bufetat's confirmation of x-1 was recorded."""
    fc, at = foster_care_service, scenario.at
    x1 = await fc.request(OST, "x-1", "2023-01-20", "2023-01-10 10:00")
    x2 = await fc.request(OSLO, "x-2", "2023-01-25", "2023-01-15 10:00")
    await fc.request(OST, "x-3", "2023-01-25", "2023-01-16 10:00")
    await fc.confirm_breach(x1, "county_governor", "2023-03-05 10:00")
    await scenario.placement_request(
        "ost",
        at("2023-02-10 10:00"),
        at("2023-02-10 12:00"),
        child_key=fc.child_key(OST, "x-1"),
        municipality_number=OST,
    )
    await scenario.placement_request(
        "ost",
        at("2023-02-14 10:00"),
        at("2023-02-15 23:59:59"),
        urgency="planned",
        municipality_number=OST,
    )
    await fc.settled()
    before = datetime.now(UTC)
    await fc.confirm_breach(x1, "self_assessed", "2023-02-20 10:00")
    await fc.confirm_breach(x2, "self_assessed", "2023-02-25 10:00")
    await fc.settled()
    return before


async def test_foster_home_breaches_join_cap_breaches(gateway, detail, breaches):
    params = {"period": "2023-02", "region": "ost"}
    february = await kpi(gateway, detail, "cap.breaches", **params)
    assert (february["value"], february["children"]) == (4, 3)  # x-1 in both services once
    kinds = await kpi(gateway, detail, "cap.breaches", **params, breakdown="kind")
    assert by(kinds, "kind", "value", "children") == {
        "acute": (1, 1),
        "foster_home": (2, 2),
        "planned": (1, 1),
    }
    foster_homes = await kpi(gateway, detail, "cap.breaches", **params, kind="foster_home")
    assert (foster_homes["value"], foster_homes["children"]) == (2, 2)
    acute = await kpi(gateway, detail, "cap.breaches", **params, urgency="acute")
    assert acute["value"] == 1  # foster homes have no urgency
    care = await kpi(gateway, detail, "cap.breaches", **params, function="care")
    assert care["value"] == 1  # the planned request
    without_oslo = await kpi(gateway, detail, "cap.breaches", **params, exclude_oslo=True)
    assert (without_oslo["value"], without_oslo["children"]) == (3, 2)
    march = await kpi(gateway, detail, "cap.breaches", period="2023-03", region="ost")
    assert march["value"] == 0
    # Before Bufetat's confirmations: x-1's only confirmation was in March.
    known = breaches.isoformat()
    then = await kpi(gateway, detail, "cap.breaches", **params, known_at=known)
    assert (then["value"], then["children"]) == (2, 2)
    then_march = await kpi(
        gateway, detail, "cap.breaches", period="2023-03", region="ost", known_at=known
    )
    assert then_march["value"] == 1


# the recruitment funnel -------------------------------------------------------------------


@pytest.fixture(scope="module")
async def funnel(foster_care_service):
    """Foster homes of Kristiansand (sør), 2023:
      F1 ordinary, campaign: inquiry 10 Jan, information meeting 1 Feb, pre-assessment
         15 Feb, training 1 Mar, training completed 1 May, home study 10 May, approved 1 Aug
      F2 ordinary, local association: inquiry 20 Jan, information meeting 1 Feb,
         pre-assessment 1 Mar, training 1 Apr, home study 1 May (during the training),
         training completed 1 Jun, withdrawn 1 Jul (the family withdrew)
      F3 emergency, campaign: inquiry 1 Nov 2022, information meeting 1 Dec 2022,
         pre-assessment 5 Jan, training 1 Feb, training completed 1 Apr
      F4 ordinary, campaign: inquiry 1 Mar, withdrawn 15 Mar (assessed unsuitable)
    and O1 in Oslo: inquiry 1 Feb, … training completed 15 May 2023."""
    fc = foster_care_service
    await fc.home(
        SOR,
        [
            ("information_meeting", "2023-02-01 18:00"),
            ("pre_assessment", "2023-02-15 10:00"),
            ("training", "2023-03-01 09:00"),
            ("training_completed", "2023-05-01 15:00"),
            ("home_study", "2023-05-10 10:00"),
            ("approved", "2023-08-01 10:00"),
        ],
        inquiry_at="2023-01-10 12:00",
    )
    await fc.home(
        SOR,
        [
            ("information_meeting", "2023-02-01 18:00"),
            ("pre_assessment", "2023-03-01 10:00"),
            ("training", "2023-04-01 09:00"),
            ("home_study", "2023-05-01 10:00"),
            ("training_completed", "2023-06-01 15:00"),
            ("withdrawn", "2023-07-01 10:00"),
        ],
        inquiry_at="2023-01-20 12:00",
        recruitment_source="local_association",
        programme="PRIDE",
    )
    await fc.home(
        SOR,
        [
            ("information_meeting", "2022-12-01 18:00"),
            ("pre_assessment", "2023-01-05 10:00"),
            ("training", "2023-02-01 09:00"),
            ("training_completed", "2023-04-01 15:00"),
        ],
        inquiry_at="2022-11-01 12:00",
        kind="emergency",
    )
    await fc.home(
        SOR,
        [("withdrawn", "2023-03-15 10:00")],
        inquiry_at="2023-03-01 12:00",
        reason="assessed_unsuitable",
    )
    await fc.home(
        OSLO,
        [
            ("information_meeting", "2023-02-20 18:00"),
            ("pre_assessment", "2023-03-01 10:00"),
            ("training", "2023-03-10 09:00"),
            ("training_completed", "2023-05-15 15:00"),
        ],
        inquiry_at="2023-02-01 12:00",
    )
    await fc.settled()


async def test_the_recruitment_funnel(gateway, detail, funnel):
    year = await kpi(gateway, detail, "fc.recruitment_funnel", period="2023", region="sor")
    assert (year["value"], year["n"]) == (3, 4)  # F1–F3 trained; F1–F4 in the funnel
    stages = {stage: year[stage] for stage in ("inquiry", "information_meeting")}
    assert stages == {"inquiry": 3, "information_meeting": 2}  # F3's were in 2022
    assert (year["pre_assessment"], year["training"], year["training_completed"]) == (3, 3, 3)
    assert (year["home_study"], year["approved"], year["withdrawn"]) == (2, 1, 2)
    assert (year["withdrawn_family_withdrew"], year["withdrawn_assessed_unsuitable"]) == (1, 1)
    assert (year["withdrawn_request_ended"], year["withdrawn_other"]) == (0, 0)
    kinds = await kpi(
        gateway, detail, "fc.recruitment_funnel", period="2023", region="sor", breakdown="kind"
    )
    assert by(kinds, "kind", "value", "inquiry") == {"emergency": (1, 0), "ordinary": (2, 3)}
    local = await kpi(
        gateway,
        detail,
        "fc.recruitment_funnel",
        period="2023",
        region="sor",
        recruitment_source="local_association",
    )
    assert (local["value"], local["withdrawn"]) == (1, 1)  # F2
    national = await kpi(gateway, detail, "fc.recruitment_funnel", period="2023")
    assert national["value"] == 4  # and O1
    without_oslo = await kpi(
        gateway, detail, "fc.recruitment_funnel", period="2023", exclude_oslo=True
    )
    assert without_oslo["value"] == 3
    spring = await kpi(gateway, detail, "fc.recruitment_funnel", period="2023-T1", region="sor")
    assert (spring["value"], spring["approved"], spring["withdrawn"]) == (1, 0, 1)  # F3; F4


async def test_every_foster_care_kpi_is_in_the_catalogue(gateway, detail):
    response = await gateway.get("/v1/kpis", headers=detail)
    items = {item["id"]: item for item in response.json()["items"]}
    assert {
        "fc.waiting",
        "fc.waiting_days",
        "fc.waiting_half_year_share",
        "fc.requests",
        "fc.recruitment_funnel",
        "fc.kinship_share",
        "fc.breakdowns",
        "fc.family_group_conferences",
        "fc.placed_far_from_home",
    } <= set(items)
    assert "foster_home" in items["cap.breaches"]["definition"]
    await kpi(gateway, detail, "fc.waiting", 422, period="2023", urgency="acute")
