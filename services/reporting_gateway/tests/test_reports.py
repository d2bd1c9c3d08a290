"""Reports: monthly (occupancy for the three target categories, day price against budget),
tertial and annual (the whole catalogue), as JSON, CSV and XLSX; deviations beside the
values below target; submitted reports frozen and read beside today's figures."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from reporting_gateway.kpis.catalogue import CATALOGUE

MARCH = {"kind": "monthly", "period": "2022-03"}


@pytest.fixture(scope="module")
async def vest_march(scenario):
    """Vest, March 2022 (31 days). State acute: 2 places, one child all month → 31 / 62 =
    50 % (target 80 %: short). State care: 1 place, one child all month → 100 % (target
    83 %: met). Private with purchase guarantee: 1 place, nobody → 0 % (target 100 %:
    short). A framework stay at NOK 20 000 for the whole month."""
    state = await scenario.institution("vest")
    private = await scenario.institution("vest", ownership="ideal")
    for home, function, contract_type, places in (
        (state, "acute", "state", 2),
        (state, "care", "state", 1),
        (private, "care", "purchase_guarantee", 1),
    ):
        await scenario.contract(
            home,
            function=function,
            contract_type=contract_type,
            places=places,
            valid_from=date(2022, 1, 1),
        )
    await scenario.stay(state, date(2022, 2, 20), function="acute")
    await scenario.stay(state, date(2022, 2, 20), function="care")
    await scenario.stay(
        private,
        date(2022, 2, 20),
        function="care",
        contract_type="framework",
        day_price_nok="20000.00",
    )
    return state


def rows_of(report: dict, section: str) -> dict:
    rows = next(s for s in report["sections"] if s["id"] == section)["rows"]
    return {(row["kpi"], row["region"], row["category"]): row for row in rows}


async def test_the_monthly_report_and_its_deviations(gateway, detail, vest_march):
    response = await gateway.get(
        "/v1/reports/monthly/2022-03", params={"region": "vest"}, headers=detail
    )
    assert response.status_code == 200, response.text
    report = response.json()
    occupancy = rows_of(report, "occupancy")
    acute = occupancy[("cap.occupancy", "vest", "state_acute")]
    assert (acute["numerator"], acute["denominator"], acute["meets_target"]) == (31, 62, False)
    care = occupancy[("cap.occupancy", "vest", "state_care_treatment")]
    assert (care["value"], care["meets_target"]) == (1.0, True)
    guaranteed = occupancy[("cap.occupancy", "vest", "purchase_guarantee")]
    assert (guaranteed["value"], guaranteed["meets_target"]) == (0.0, False)
    price = rows_of(report, "day_price")[("cap.day_price", "vest", None)]
    assert price["value"] == 20_000
    lacking = {(m["kpi"], m["category"]) for m in report["lacking_deviations"]}
    assert lacking == {("cap.occupancy", "state_acute"), ("cap.occupancy", "purchase_guarantee")}

    deviation = await gateway.post(
        "/v1/deviations",
        json={
            "kpi": "cap.occupancy",
            "period": "2022-03",
            "region": "vest",
            "category": "state_acute",
            "justification": "Én avdeling stengt for oppussing.",
            "measures": "Åpner igjen 1. april.",
        },
        headers=detail,
    )
    assert deviation.status_code == 201, deviation.text
    assert (await gateway.get(deviation.headers["location"], headers=detail)).status_code == 200
    report = (
        await gateway.get("/v1/reports/monthly/2022-03", params={"region": "vest"}, headers=detail)
    ).json()
    acute = rows_of(report, "occupancy")[("cap.occupancy", "vest", "state_acute")]
    assert acute["deviation"]["justification"] == "Én avdeling stengt for oppussing."
    assert acute["lacks_deviation"] is False
    assert [m["category"] for m in report["lacking_deviations"]] == ["purchase_guarantee"]


async def test_a_deviation_as_the_contract_names_it_holds_for_each_category(
    gateway, detail, vest_march
):
    """API.md names kpi, period, region, justification and measures: no category."""
    response = await gateway.post(
        "/v1/deviations",
        json={
            "kpi": "cap.occupancy",
            "period": "2022-03",
            "region": "vest",
            "justification": "Færre akuttbehov enn ventet.",
            "measures": "Plassene vurderes omdisponert.",
        },
        headers=detail,
    )
    assert response.status_code == 201, response.text
    assert response.json()["category"] is None
    report = (
        await gateway.get("/v1/reports/monthly/2022-03", params={"region": "vest"}, headers=detail)
    ).json()
    assert report["lacking_deviations"] == []
    guaranteed = rows_of(report, "occupancy")[("cap.occupancy", "vest", "purchase_guarantee")]
    assert guaranteed["deviation"]["measures"] == "Plassene vurderes omdisponert."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kpi": "cap.nothing"}, "kpi"),
        ({"kpi": "cap.new_stays"}, "kpi"),  # no target to fall short of
        ({"kpi": "cap.breaches", "category": "state_acute"}, "category"),  # one target
        ({"category": "garden_shed"}, "category"),
        ({"period": "2022-13"}, "period"),
        ({"justification": "a\x00b"}, "justification"),
    ],
)
async def test_a_deviation_must_name_a_target_it_falls_short_of(gateway, detail, body, field):
    complete = {
        "kpi": "cap.occupancy",
        "period": "2022-03",
        "region": "vest",
        "category": "state_acute",
        "justification": "Begrunnelse.",
        "measures": "Tiltak.",
    }
    response = await gateway.post("/v1/deviations", json={**complete, **body}, headers=detail)
    assert response.status_code == 422, response.text
    assert field in {error["field"] for error in response.json()["errors"]}


async def test_a_region_records_deviations_for_itself_only(gateway, auth):
    response = await gateway.post(
        "/v1/deviations",
        json={
            "kpi": "cap.breaches",
            "period": "2022-03",
            "region": "nord",
            "justification": "x",
            "measures": "y",
        },
        headers=auth("region-vest"),
    )
    assert response.status_code == 403, response.text
    other = await gateway.get(
        "/v1/reports/monthly/2022-03", params={"region": "nord"}, headers=auth("region-vest")
    )
    assert other.status_code == 403


async def test_csv_and_xlsx(gateway, detail, vest_march):
    response = await gateway.get(
        "/v1/reports/monthly/2022-03",
        params={"region": "vest"},
        headers={**detail, "Accept": "text/csv"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    acute = next(r for r in rows if r["category"] == "state_acute")
    assert (acute["numerator"], acute["denominator"], acute["value"]) == ("31", "62", "0.5")

    response = await gateway.get(
        "/v1/reports/monthly/2022-03.xlsx", params={"region": "vest"}, headers=detail
    )
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Report"
    assert len(book.sheetnames) == 3
    sheet = book.worksheets[1]
    header = [cell.value for cell in sheet[1]]
    lines = [
        dict(zip(header, (cell.value for cell in row), strict=True))
        for row in sheet.iter_rows(min_row=2)
    ]
    acute_line = next(line for line in lines if line["Category"] == "state_acute")
    assert acute_line["Value"] == 0.5
    assert acute_line["Numerator"] == 31
    assert acute_line["Target value"] == 0.8
    assert acute_line["Meets target"] is False
    value_cell = next(row for row in sheet.iter_rows(min_row=2) if row[3].value == "state_acute")[4]
    assert value_cell.number_format == "0.0%"
    assert value_cell.fill.fgColor.rgb.endswith("F8D7DA")


async def test_a_submitted_report_stays_as_it_was(gateway, detail, scenario, vest_march):
    submitted = await gateway.post(
        "/v1/reports/monthly/2022-03/submissions", params={"region": "vest"}, headers=detail
    )
    assert submitted.status_code == 201, submitted.text
    # A stay in March recorded after the submission: today's figure changes.
    await scenario.stay(
        vest_march, date(2022, 3, 17), function="acute", recorded_at=datetime.now(UTC)
    )
    listed = await gateway.get(
        "/v1/reports/monthly/2022-03/submissions", params={"region": "vest"}, headers=detail
    )
    assert [item["id"] for item in listed.json()["items"]] == [submitted.json()["id"]]
    detail_response = await gateway.get(submitted.headers["location"], headers=detail)
    assert detail_response.status_code == 200, detail_response.text
    body = detail_response.json()
    key = ("cap.occupancy", "vest", "state_acute")
    assert rows_of(body["submitted"], "occupancy")[key]["numerator"] == 31
    assert rows_of(body["today"], "occupancy")[key]["numerator"] == 31 + 15
    revision = next(r for r in body["revisions"] if r["category"] == "state_acute")
    assert revision["submitted"] == 0.5
    assert revision["today"] == pytest.approx(46 / 62, abs=1e-6)
    assert revision["events"] == {"capacity.stay.admitted.v1": 1}


async def test_a_national_report_hides_small_counts_beyond_recovery(gateway, reader, vest_march):
    response = await gateway.get("/v1/reports/monthly/2022-03", headers=reader)
    assert response.status_code == 200, response.text
    report = response.json()
    for section in report["sections"]:
        groups: dict = {}
        for row in section["rows"]:
            groups.setdefault((row["kpi"], row["category"]), []).append(row)
        for rows in groups.values():
            national = next(row for row in rows if row["region"] is None)
            regions = [row for row in rows if row["region"] is not None]
            assert len(regions) == 5
            hidden = [row for row in regions if row["shown_as"] == "<5"]
            if national["n"] is not None and hidden:
                assert len(hidden) >= 2, (national, regions)
    occupancy = rows_of(report, "occupancy")
    assert occupancy[("cap.occupancy", "vest", "state_acute")]["value"] is None  # n = 1 or 2


async def test_the_tertial_and_annual_reports_hold_the_whole_catalogue(gateway, detail):
    for kind, period in (("tertial", "2022-T1"), ("annual", "2022")):
        response = await gateway.get(
            f"/v1/reports/{kind}/{period}", params={"region": "vest"}, headers=detail
        )
        assert response.status_code == 200, response.text
        kpis = {row["kpi"] for s in response.json()["sections"] for row in s["rows"]}
        assert kpis == set(CATALOGUE)
    wrong = await gateway.get("/v1/reports/tertial/2022-03", headers=detail)
    assert wrong.status_code == 422
