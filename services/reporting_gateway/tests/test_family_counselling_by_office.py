"""The family-counselling KPIs by office: a filter and a breakdown by the office's id, each
row naming its office (the name from family_counselling's office.registered event, kept by
the gateway: a dashboard reader may not call family_counselling). Figures computed by hand
from events written by hand (Oslo wall-clock times)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .conftest import at
from .kpis import by, kpi

BERGEN = "Familievernkontoret i Bergen"
ASKOY = "Kirkens familievern Askøy"
OSLO = "Familievernkontoret i Oslo"


async def _office(fv, name: str, region: str, municipality_number: str, **fields: Any) -> dict:
    office = {
        "office_id": uuid.uuid4(),
        "name": name,
        "region": region,
        "municipality_number": municipality_number,
        "ownership": fields.get("ownership", "state"),
        "therapist_hours_per_week": 300,
    }
    await fv.publish("office.registered", office, at("2020-01-01 08:00"))
    return office


@pytest.fixture(scope="module")
async def offices(family_counselling_events) -> dict[str, str]:
    """2024-T1 (January–April), referral → first attended session, in days:
      Bergen (vest, state)   B1 clinical  10 Jan → 20 Jan: 10
                             B2 mediation  1 Feb → 15 Feb: 14; closed 20 April, agreement
                             B3 clinical   1 Mar → still waiting on 30 April: 60
                             B4 clinical  10 Mar → a no-show 20 Mar, then 9 April: 30
                             B5 mediation  1 Apr →  3 Apr: 2
      Askøy (vest, church)   A1 supervised contact 5 Jan → 12 Jan: 7
      Oslo (øst, state)      O1 clinical   1 Feb →  3 Feb: 2
    Returns the offices' ids by name."""
    fv = family_counselling_events
    bergen = await _office(fv, BERGEN, "vest", "4601")
    askoy = await _office(fv, ASKOY, "vest", "4627", ownership="church")
    oslo = await _office(fv, OSLO, "ost", "0301")
    waits = [
        (bergen, "clinical", "2024-01-10", ["2024-01-20"]),
        (bergen, "mediation", "2024-02-01", ["2024-02-15"]),
        (bergen, "clinical", "2024-03-01", []),
        (bergen, "clinical", "2024-03-10", ["2024-03-20 no_show", "2024-04-09"]),
        (bergen, "mediation", "2024-04-01", ["2024-04-03"]),
        (askoy, "supervised_contact", "2024-01-05", ["2024-01-12"]),
        (oslo, "clinical", "2024-02-01", ["2024-02-03"]),
    ]
    for office, case_type, referral, sessions in waits:
        case = await fv.case(office, case_type, f"{referral} 09:00")
        for session in sessions:
            day, _, outcome = session.partition(" ")
            attended = not outcome
            await fv.outcome(case, f"{day} 10:00", outcome or "attended", first_attended=attended)
        if referral == "2024-02-01" and office is bergen:
            await fv.close(case, "2024-04-20 12:00", track="A", agreement=True, child_heard="heard")
    return {office["name"]: str(office["office_id"]) for office in (bergen, askoy, oslo)}


async def test_cases_opened_by_office_name_each_office(gateway, detail, offices):
    answer = await kpi(
        gateway, detail, "fv.cases_opened", period="2024-T1", region="vest", breakdown="office"
    )
    assert answer["value"] == 6
    assert by(answer, "office", "office_name", "value") == {
        offices[BERGEN]: (BERGEN, 5),
        offices[ASKOY]: (ASKOY, 1),
    }
    national = await kpi(gateway, detail, "fv.cases_opened", period="2024-T1", breakdown="office")
    assert by(national, "office", "office_name") == {
        offices[BERGEN]: BERGEN,
        offices[ASKOY]: ASKOY,
        offices[OSLO]: OSLO,
    }
    # Ordered by name: what a reader looks for.
    names = [row["office_name"] for row in national["breakdown"]]
    assert names == sorted(names)


async def test_waiting_time_by_office(gateway, detail, offices):
    """Bergen: 2, 10, 14, 30 and 60 (still waiting): mean 23.2, median 14, p90 30 + 0.6 ×
    30 = 48. Askøy: 7."""
    answer = await kpi(
        gateway, detail, "fv.waiting_days", period="2024-T1", region="vest", breakdown="office"
    )
    assert (answer["numerator"], answer["n"]) == (123, 6)
    rows = by(answer, "office", "numerator", "n", "mean", "median", "p90", "count_over_180")
    assert rows == {
        offices[BERGEN]: (116, 5, 23.2, 14, 48, 0),
        offices[ASKOY]: (7, 1, 7, 7, 7, 0),
    }


async def test_a_filter_by_office(gateway, detail, offices):
    bergen = await kpi(
        gateway,
        detail,
        "fv.cases_opened",
        period="2024-T1",
        office=offices[BERGEN],
        breakdown="case_type",
    )
    assert bergen["filters"] == {"office": offices[BERGEN]}
    assert by(bergen, "case_type") == {"clinical": 3, "mediation": 2}
    assert "office_name" not in bergen["breakdown"][0]  # only a breakdown by office names one
    attended = await kpi(
        gateway, detail, "fv.sessions_attended", period="2024-T1", office=offices[BERGEN]
    )
    assert attended["value"] == 4  # B1, B2, B4 (its no-show not), B5
    agreements = await kpi(
        gateway, detail, "fv.agreements", period="2024", region="vest", breakdown="office"
    )
    assert by(agreements, "office", "office_name", "numerator", "denominator") == {
        offices[BERGEN]: (BERGEN, 1, 1)
    }


async def test_small_counts_hide_the_figures_never_the_office(gateway, reader, offices):
    """Askøy's one case is hidden, and Bergen's five with it (or 6 − 5 gives it away); both
    rows still name their office."""
    answer = await kpi(
        gateway, reader, "fv.cases_opened", period="2024-T1", region="vest", breakdown="office"
    )
    assert answer["value"] == 6
    assert by(answer, "office", "office_name", "value", "shown_as") == {
        offices[BERGEN]: (BERGEN, None, "<5"),
        offices[ASKOY]: (ASKOY, None, "<5"),
    }


async def test_office_is_a_dimension_of_family_counselling_only(gateway, detail, offices):
    await kpi(gateway, detail, "fv.cases_opened", 422, period="2024", office="not-an-id")
    problem = await kpi(
        gateway, detail, "cap.occupancy", 422, period="2024", office=offices[BERGEN]
    )
    assert "not counted by office" in str(problem)
    await kpi(gateway, detail, "fc.waiting", 422, period="2024", breakdown="office")
    catalogue = (await gateway.get("/v1/kpis", headers=detail)).json()["items"]
    dimensions = {item["id"]: item["dimensions"] for item in catalogue}
    assert all("office" in dimensions[kpi_id] for kpi_id in dimensions if kpi_id[:3] == "fv.")
