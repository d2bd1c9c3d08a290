"""Every family-counselling KPI proved on scenarios computed by hand: family_counselling's
events written by hand with the times they were recorded (times are Oslo wall-clock
times). Each scenario has its own regions and years, so they share one gateway database
without touching each other's figures: vest 2023–2024 (and sør 2025) waiting times and
cases opened, midt 2024 (and one office in Oslo) appointments, nord and ost 2022–2023
closed mediations."""

from __future__ import annotations

import pytest

from reporting_gateway.kpis.catalogue import CATALOGUE

from .kpis import by, kpi

FV = {
    "fv.cases_opened",
    "fv.sessions_attended",
    "fv.rescheduled_share",
    "fv.waiting_days",
    "fv.violence_mediation",
    "fv.violence_high_conflict",
    "fv.child_heard",
    "fv.agreements",
}


# waiting time and cases opened --------------------------------------------------------------


@pytest.fixture(scope="module")
async def vest(family_counselling_events):
    """Cases at two offices in vest (Bergen, state; Askøy, church), by episode: referral →
    first attended session (Oslo times):
      W7 clinical     2023-06-01 09:00 → 2024-01-10: 223 days (31.12.2023: 213 waiting)
      W2 clinical     2023-12-28 10:00 → 2024-01-03: 6 (across the year end; 31.12: 3)
      W4 mediation    2024-01-05 09:00 → 2024-01-15: 10; closed 2024-02-01 and reopened on
                      a new referral 2024-03-01 10:00 → 2024-03-21: 20 (that session's
                      outcome recorded only on 2024-05-10), another session 28 March
      W5 clinical     2024-02-01 09:00 → closed 2024-02-20 without a session
      W8 supervised   2024-02-05 10:00 → 2024-02-12: 7 (the church office)
      W1 mediation    2024-03-30 23:30 → a no-show 2024-04-01, then 2024-04-02 10:00: 3
                      (Oslo dates across the change to summer time: 2 days 9½ hours)
      W3 clinical     2024-04-10 12:00 → a no-show 2024-04-20, still waiting
      W9 court case   2024-05-01 00:30 (30 April in UTC: May's in Oslo)
    and in sør (Kristiansand) W10 clinical 2025-06-01 10:00 → attended 20 June, then an
    earlier session, 10 June, recorded on 25 June (also flagged the first): 9 days."""
    fv = family_counselling_events
    bergen = await fv.office("vest", "4601")
    askoy = await fv.office("vest", "4627", ownership="church")
    w7 = await fv.case(bergen, "clinical", "2023-06-01 09:00")
    await fv.outcome(w7, "2024-01-10 10:00", "attended", first_attended=True)
    w2 = await fv.case(bergen, "clinical", "2023-12-28 10:00")
    await fv.outcome(w2, "2024-01-03 09:00", "attended", first_attended=True)
    w4 = await fv.case(bergen, "mediation", "2024-01-05 09:00", children_ages=[5])
    await fv.outcome(w4, "2024-01-15 10:00", "attended", first_attended=True)
    await fv.close(w4, "2024-02-01 12:00", track="B", agreement=True, child_heard="not_applicable")
    w4 = await fv.reopen(w4, "2024-03-01 10:00")
    await fv.outcome(
        w4, "2024-03-21 10:00", "attended", first_attended=True, recorded_at="2024-05-10 09:00"
    )
    await fv.outcome(w4, "2024-03-28 10:00", "attended")
    w5 = await fv.case(bergen, "clinical", "2024-02-01 09:00")
    await fv.close(w5, "2024-02-20 12:00")
    w8 = await fv.case(askoy, "supervised_contact", "2024-02-05 10:00")
    await fv.outcome(w8, "2024-02-12 10:00", "attended", first_attended=True)
    w1 = await fv.case(bergen, "mediation", "2024-03-30 23:30")
    await fv.outcome(w1, "2024-04-01 10:00", "no_show")
    await fv.outcome(w1, "2024-04-02 10:00", "attended", first_attended=True)
    w3 = await fv.case(bergen, "clinical", "2024-04-10 12:00")
    await fv.outcome(w3, "2024-04-20 10:00", "no_show")
    await fv.case(bergen, "court_case", "2024-05-01 00:30")
    kristiansand = await fv.office("sor", "4204")
    w10 = await fv.case(kristiansand, "clinical", "2025-06-01 10:00")
    await fv.outcome(w10, "2025-06-20 10:00", "attended", first_attended=True)
    await fv.outcome(
        w10, "2025-06-10 10:00", "attended", first_attended=True, recorded_at="2025-06-25 12:00"
    )


async def test_waiting_time_by_case_type(gateway, detail, vest):
    """2024-T1: W7 223, W2 6, W4 10 and 20 (two episodes), W8 7, W1 3, W3 20 (still waiting
    on 30 April: the no-show did not end it); W5 closed unseen, W9 not yet referred.
    Sorted 3, 6, 7, 10, 20, 20, 223: median 10, p90 20 + 0.4 × (223 − 20) = 101.2."""
    t1 = await kpi(
        gateway, detail, "fv.waiting_days", period="2024-T1", region="vest", breakdown="case_type"
    )
    assert (t1["numerator"], t1["denominator"], t1["n"]) == (289, 7, 7)
    assert t1["value"] == t1["mean"] == pytest.approx(289 / 7, abs=1e-6)
    assert (t1["median"], t1["p90"], t1["count_over_180"]) == (10, 101.2, 1)
    assert (t1["unit"], t1["time_base"]) == ("average", "unique_in_period")
    # clinical 6, 20, 223: p90 20 + 0.8 × 203; mediation 3, 10, 20: p90 10 + 0.8 × 10.
    assert by(t1, "case_type", "numerator", "n", "mean", "median", "p90") == {
        "clinical": (249, 3, 83, 20, 182.4),
        "mediation": (33, 3, 11, 10, 18),
        "supervised_contact": (7, 1, 7, 7, 7),
    }
    church = await kpi(
        gateway, detail, "fv.waiting_days", period="2024-T1", region="vest", ownership="church"
    )
    assert (church["numerator"], church["n"]) == (7, 1)  # W8


async def test_waiting_days_are_oslo_dates(gateway, detail, vest):
    # April: W1's 3 days from 30 March 23:30 (across the change to summer time) to 2 April;
    # W3 still waiting on 30 April, 20 days, its no-show on 20 April not the end of it.
    april = await kpi(
        gateway, detail, "fv.waiting_days", period="2024-04", region="vest", breakdown="case_type"
    )
    assert by(april, "case_type", "numerator", "n") == {"mediation": (3, 1), "clinical": (20, 1)}


async def test_a_wait_across_the_year_end_counts_in_both_years(gateway, detail, vest):
    # 31.12.2023: W7 213 days, W2 3 waiting; in 2024 (above) 223 and 6, to their sessions.
    year = await kpi(gateway, detail, "fv.waiting_days", period="2023", region="vest")
    assert (year["numerator"], year["n"], year["median"]) == (216, 2, 108)
    assert (year["p90"], year["count_over_180"]) == (192, 1)  # 3 + 0.9 × 210


async def test_a_reopened_case_waits_again_from_its_new_referral(gateway, detail, vest):
    # March: W4's second episode 1 → 21 March, 20 days (not from January's referral); W1
    # waiting on 31 March, 1 day. W4's first episode ended in January.
    march = await kpi(gateway, detail, "fv.waiting_days", period="2024-03", region="vest")
    assert (march["numerator"], march["n"]) == (21, 2)


async def test_the_earliest_first_session_ends_the_wait(gateway, detail, vest):
    # W10: the session of 10 June, recorded after the one of 20 June, ended the wait.
    june = await kpi(gateway, detail, "fv.waiting_days", period="2025-06", region="sor")
    assert (june["numerator"], june["n"]) == (9, 1)
    then = await kpi(
        gateway,
        detail,
        "fv.waiting_days",
        period="2025-06",
        region="sor",
        known_at="2025-06-24T12:00:00+02:00",
    )
    assert (then["numerator"], then["n"]) == (19, 1)


async def test_still_waiting_is_counted_to_the_date_asked(gateway, detail, vest):
    # To 10 February: W2 6, W4 10, W7 223 (seen in January); W5 9 and W8 5, waiting then.
    early = await kpi(
        gateway, detail, "fv.waiting_days", period="2024-T1", region="vest", as_of="2024-02-10"
    )
    assert (early["numerator"], early["n"], early["last_day"]) == (253, 5, "2024-02-10")
    # To 25 April, clinical: W2 6, W7 223, W3 15 waiting.
    late = await kpi(
        gateway,
        detail,
        "fv.waiting_days",
        period="2024-T1",
        region="vest",
        as_of="2024-04-25",
        case_type="clinical",
    )
    assert (late["numerator"], late["n"]) == (244, 3)


async def test_waiting_time_as_known_at_an_instant(gateway, detail, vest):
    """Before W4's first session of its second episode was recorded (10 May), that episode
    was still waiting on 30 April: 60 days, not 20."""
    since = "2024-05-01T00:00:00+02:00"
    params = {"period": "2024-T1", "region": "vest"}
    then = await kpi(gateway, detail, "fv.waiting_days", known_at=since, **params)
    assert (then["numerator"], then["n"]) == (289 - 20 + 60, 7)
    assert then["known_at"].startswith("2024-05-01T00:00:00+02:00")
    now = await kpi(gateway, detail, "fv.waiting_days", **params)
    assert now["data_as_of"].startswith("2024-05-10T09:00")
    revisions = await gateway.get(
        "/v1/kpis/fv.waiting_days/revisions", params={**params, "since": since}, headers=detail
    )
    assert revisions.status_code == 200, revisions.text
    body = revisions.json()
    assert (body["then"]["numerator"], body["now"]["numerator"]) == (329, 289)
    assert body["events"] == [
        {"type": "family_counselling.appointment.outcome_recorded.v1", "count": 1, "shown_as": None}
    ]


async def test_cases_opened(gateway, detail, vest):
    t1 = await kpi(
        gateway, detail, "fv.cases_opened", period="2024-T1", region="vest", breakdown="case_type"
    )
    # W4, W5, W8, W1, W3; W4's reopening is not a new case.
    assert (t1["value"], t1["n"], t1["time_base"]) == (5, 5, "flow_in_period")
    assert by(t1, "case_type") == {"clinical": 2, "mediation": 2, "supervised_contact": 1}
    t2 = await kpi(gateway, detail, "fv.cases_opened", period="2024-T2", region="vest")
    assert t2["value"] == 1  # W9: its referral on 1 May in Oslo
    year = await kpi(gateway, detail, "fv.cases_opened", period="2024", region="vest")
    assert year["value"] == 6
    earlier = await kpi(gateway, detail, "fv.cases_opened", period="2023", region="vest")
    assert earlier["value"] == 2  # W7, W2
    owned = await kpi(
        gateway, detail, "fv.cases_opened", period="2024-T1", region="vest", breakdown="ownership"
    )
    assert by(owned, "ownership") == {"church": 1, "state": 4}


async def test_small_counts_are_hidden_for_a_region(gateway, auth, vest):
    region = auth("region-vest", scope="reports.read")
    opened = await kpi(
        gateway, region, "fv.cases_opened", period="2024-T1", region="vest", breakdown="case_type"
    )
    assert opened["value"] == 5  # 2 + 2 + 1 hidden: none of them can be recovered
    assert {row["shown_as"] for row in opened["breakdown"]} == {"<5"}
    assert {row["value"] for row in opened["breakdown"]} == {None}
    waiting = await kpi(gateway, region, "fv.waiting_days", period="2024-T1", region="vest")
    assert waiting["shown_as"] == "<5"  # one episode over 180 days
    assert waiting["value"] is waiting["mean"] is waiting["median"] is waiting["p90"] is None
    earlier = await kpi(gateway, region, "fv.cases_opened", period="2023", region="vest")
    assert (earlier["value"], earlier["shown_as"]) == (None, "<5")


async def test_the_reports_hold_the_family_counselling_figures(gateway, detail, vest):
    response = await gateway.get(
        "/v1/reports/tertial/2024-T1", params={"region": "vest"}, headers=detail
    )
    assert response.status_code == 200, response.text
    section = next(s for s in response.json()["sections"] if s["id"] == "fv")
    assert section["title"] == "Family counselling"
    rows = {row["kpi"]: row for row in section["rows"]}
    assert set(rows) == FV
    assert rows["fv.cases_opened"]["value"] == 5
    assert rows["fv.waiting_days"]["mean"] == pytest.approx(289 / 7, abs=1e-6)
    assert rows["fv.agreements"]["numerator"] == 1  # W4's first episode


# appointments -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def appointments(family_counselling_events):
    """Appointments in midt (Trondheim), by outcome, 2024:
      C1 clinical   attended 2 and 16 May, rescheduled by the client 3 June, no-show 10 June
      C2 mediation  rescheduled by the office 6 May, attended 13 May, rescheduled by the
                    client 1 July, attended 31 August 23:30 and 1 September 00:30 (31 August
                    in UTC: T3's in Oslo)
    and in Oslo (ost) one rescheduled by the client 20 May."""
    fv = family_counselling_events
    trondheim = await fv.office("midt", "5001")
    c1 = await fv.case(trondheim, "clinical", "2024-04-20 10:00")
    await fv.outcome(c1, "2024-05-02 10:00", "attended", first_attended=True)
    await fv.outcome(c1, "2024-05-16 10:00", "attended")
    await fv.outcome(c1, "2024-06-03 10:00", "rescheduled_by_client")
    await fv.outcome(c1, "2024-06-10 10:00", "no_show")
    c2 = await fv.case(trondheim, "mediation", "2024-04-25 10:00")
    await fv.outcome(c2, "2024-05-06 10:00", "rescheduled_by_office")
    await fv.outcome(c2, "2024-05-13 10:00", "attended", first_attended=True)
    await fv.outcome(c2, "2024-07-01 10:00", "rescheduled_by_client")
    await fv.outcome(c2, "2024-08-31 23:30", "attended")
    await fv.outcome(c2, "2024-09-01 00:30", "attended")
    oslo = await fv.office("ost", "0301")
    o3 = await fv.case(oslo, "clinical", "2024-05-01 10:00")
    await fv.outcome(o3, "2024-05-20 10:00", "rescheduled_by_client")


async def test_sessions_attended(gateway, detail, appointments):
    t2 = await kpi(
        gateway,
        detail,
        "fv.sessions_attended",
        period="2024-T2",
        region="midt",
        breakdown="case_type",
    )
    assert t2["value"] == 4
    assert by(t2, "case_type") == {"clinical": 2, "mediation": 2}
    t3 = await kpi(gateway, detail, "fv.sessions_attended", period="2024-T3", region="midt")
    assert t3["value"] == 1  # 1 September 00:30


async def test_rescheduled_share_and_no_shows(gateway, detail, appointments):
    # T2 in midt: 8 appointments with an outcome (a 1 September one is T3's); rescheduled by
    # the client 2 (by the office does not count), one no-show.
    t2 = await kpi(
        gateway,
        detail,
        "fv.rescheduled_share",
        period="2024-T2",
        region="midt",
        breakdown="case_type",
    )
    assert (t2["numerator"], t2["denominator"], t2["value"]) == (2, 8, 0.25)
    assert (t2["no_show"], t2["no_show_share"]) == (1, 0.125)
    assert t2["target"]["rule"] == "falling"
    assert by(t2, "case_type", "numerator", "denominator", "no_show") == {
        "clinical": (1, 4, 1),
        "mediation": (1, 4, 0),
    }
    national = await kpi(gateway, detail, "fv.rescheduled_share", period="2024-T2")
    assert (national["numerator"], national["denominator"]) == (3, 9)
    # Oslo's office (known from its registration, not the appointment's event) left out.
    without_oslo = await kpi(
        gateway, detail, "fv.rescheduled_share", period="2024-T2", exclude_oslo=True
    )
    assert (without_oslo["numerator"], without_oslo["denominator"]) == (2, 8)


# closed mediations ------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def closings(family_counselling_events):
    """Cases closed in nord (Bodø, state; Narvik, church) and ost (Oslo; Bærum), 2022:
    mediation, the children's ages → final track, violence, agreement, child heard:
      M1  5    → A,  —,        agreement, not applicable
      M2  9    → B,  violence, —,         heard
      M3  12   → C,  violence, —,         not heard
      M4  8    → C!, violence, —,         heard
      M5  10   → C,  —,        agreement, heard
      M6  10   → C!, violence, —,         heard; closed 1 January 2023 00:30 (2022 in UTC)
      M7  14   → B,  —,        —,         not heard; reopened, closed again: C, violence,
                                          agreement, heard (both closings count)
      M8  3    → A,  —,        agreement, not applicable (Narvik, church)
      K1  a clinical case closed with violence registered (no track)
      O1  11   → C,  violence, —,         heard (Oslo)
      O2  4    → A,  —,        agreement, not applicable (Bærum)"""
    fv = family_counselling_events
    bodo = await fv.office("nord", "1804")
    narvik = await fv.office("nord", "1806", ownership="church")
    oslo = await fv.office("ost", "0301")
    baerum = await fv.office("ost", "3201")
    for office, ages, closed, track, violence, agreement, heard in (
        (bodo, [5], "2022-03-01", "A", False, True, "not_applicable"),
        (bodo, [9], "2022-03-02", "B", True, False, "heard"),
        (bodo, [12], "2022-04-01", "C", True, False, "not_heard"),
        (bodo, [8], "2022-05-01", "C!", True, False, "heard"),
        (bodo, [10], "2022-06-01", "C", False, True, "heard"),
        (narvik, [3], "2022-07-01", "A", False, True, "not_applicable"),
        (oslo, [11], "2022-08-01", "C", True, False, "heard"),
        (baerum, [4], "2022-08-02", "A", False, True, "not_applicable"),
    ):
        case = await fv.case(office, "mediation", "2022-01-10 10:00", children_ages=ages)
        await fv.close(
            case,
            f"{closed} 12:00",
            track=track,
            violence=violence,
            agreement=agreement,
            child_heard=heard,
        )
    m6 = await fv.case(bodo, "mediation", "2022-11-01 10:00", children_ages=[10])
    await fv.close(
        m6, "2023-01-01 00:30", track="C!", violence=True, agreement=False, child_heard="heard"
    )
    m7 = await fv.case(bodo, "mediation", "2022-01-20 10:00", children_ages=[14])
    await fv.close(m7, "2022-03-01 14:00", track="B", agreement=False, child_heard="not_heard")
    m7 = await fv.reopen(m7, "2022-04-01 10:00")
    await fv.close(
        m7, "2022-06-01 14:00", track="C", violence=True, agreement=True, child_heard="heard"
    )
    k1 = await fv.case(bodo, "clinical", "2022-02-01 10:00")
    await fv.close(k1, "2022-07-02 12:00", violence=True)


async def test_violence_in_mediation(gateway, detail, closings):
    # nord 2022: 8 closings of mediations (M7 twice; M6 is 2023's, K1 no mediation), with
    # violence M2, M3, M4 and M7's second.
    nord = await kpi(
        gateway,
        detail,
        "fv.violence_mediation",
        period="2022",
        region="nord",
        breakdown="track",
    )
    assert (nord["numerator"], nord["denominator"], nord["value"]) == (4, 8, 0.5)
    assert by(nord, "track", "numerator", "denominator") == {
        "A": (0, 2),
        "B": (1, 2),
        "C": (2, 3),
        "C!": (1, 1),
    }
    later = await kpi(gateway, detail, "fv.violence_mediation", period="2023", region="nord")
    assert (later["numerator"], later["denominator"]) == (1, 1)  # M6, on 1 January in Oslo
    national = await kpi(
        gateway, detail, "fv.violence_mediation", period="2022", breakdown="region"
    )
    assert (national["numerator"], national["denominator"]) == (5, 10)
    assert by(national, "region", "numerator", "denominator") == {"nord": (4, 8), "ost": (1, 2)}
    without_oslo = await kpi(
        gateway, detail, "fv.violence_mediation", period="2022", exclude_oslo=True
    )
    assert (without_oslo["numerator"], without_oslo["denominator"]) == (4, 9)


async def test_violence_in_the_high_conflict_tracks(gateway, detail, closings):
    # C and C!: M3 (violence), M4 (violence), M5, M7's second (violence); not K1's violence.
    nord = await kpi(
        gateway,
        detail,
        "fv.violence_high_conflict",
        period="2022",
        region="nord",
        breakdown="track",
    )
    assert (nord["numerator"], nord["denominator"], nord["value"]) == (3, 4, 0.75)
    assert by(nord, "track", "numerator", "denominator") == {"C": (2, 3), "C!": (1, 1)}


async def test_children_heard_only_where_a_child_is_over_7(gateway, detail, closings):
    # With a child over 7: M2, M4, M5, M7's second heard; M3, M7's first not; M1 and M8
    # (not applicable) in neither.
    nord = await kpi(gateway, detail, "fv.child_heard", period="2022", region="nord")
    assert (nord["numerator"], nord["denominator"]) == (4, 6)
    assert nord["value"] == pytest.approx(4 / 6, abs=1e-6)
    assert nord["target"]["rule"] == "rising"


async def test_agreements(gateway, detail, closings):
    # M1, M5, M7's second, M8 (the church office's).
    nord = await kpi(
        gateway, detail, "fv.agreements", period="2022", region="nord", breakdown="ownership"
    )
    assert (nord["numerator"], nord["denominator"], nord["value"]) == (4, 8, 0.5)
    assert by(nord, "ownership", "numerator", "denominator") == {
        "church": (1, 1),
        "state": (3, 7),
    }
    report = await gateway.get("/v1/reports/annual/2022", params={"region": "nord"}, headers=detail)
    assert report.status_code == 200, report.text
    rows = {row["kpi"]: row for s in report.json()["sections"] for row in s["rows"]}
    assert rows["fv.violence_mediation"]["value"] == 0.5


async def test_every_family_counselling_kpi_is_in_the_catalogue(gateway, detail):
    response = await gateway.get("/v1/kpis", headers=detail)
    items = {item["id"]: item for item in response.json()["items"]}
    assert {kpi_id for kpi_id in items if kpi_id.startswith("fv.")} == FV
    assert {kpi_id for kpi_id in CATALOGUE if kpi_id.startswith("fv.")} == FV
    assert items["fv.waiting_days"]["dimensions"] == ["region", "case_type", "ownership", "office"]
    assert items["fv.agreements"]["dimensions"] == ["region", "track", "ownership", "office"]
    assert items["fv.child_heard"]["target"]["rule"] == "rising"
    await kpi(gateway, detail, "fv.waiting_days", 422, period="2024", track="C")
    await kpi(gateway, detail, "fv.agreements", 422, period="2024", case_type="clinical")
