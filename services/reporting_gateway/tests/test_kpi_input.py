"""Questions the KPI endpoints cannot answer get a clear problem naming the parameter and
the rule, never a 500."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"
BASE = {"period": "2023", "region": "vest"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": None}, "period"),
        ({"period": "2023-00"}, "period"),
        ({"period": "2023-T4"}, "period"),
        ({"period": "0000"}, "period"),
        ({"period": "9999"}, "period"),
        ({"period": "2999"}, "period"),  # has not begun
        ({"period": "2023\x00"}, "period"),
        ({"region": "oslo"}, "region"),
        ({"as_of": "2022-12-31"}, "as_of"),  # before the period
        ({"as_of": "9999-12-31"}, "as_of"),
        ({"as_of": "2023-02-29"}, "as_of"),
        ({"known_at": "0001-01-01T00:00:00+14:00"}, "known_at"),
        ({"known_at": "9999-12-31T23:59:59-14:00"}, "known_at"),
        ({"known_at": "2199-01-01T00:00:00Z"}, "known_at"),  # the future is not known
        ({"known_at": "2023-03-01T10:00:00"}, "known_at"),  # no offset
        ({"ownership": "private"}, "ownership"),
        ({"kind": "acute"}, "kind"),  # cap.occupancy is not counted by kind
        ({"breakdown": "kind"}, "breakdown"),
        ({"breakdown": "colour"}, "breakdown"),
        ({"exclude_oslo": "maybe"}, "exclude_oslo"),
        ({"unknown": "1"}, "unknown"),
    ],
)
async def test_a_question_that_cannot_be_answered(gateway, detail, params, field):
    query = {key: value for key, value in {**BASE, **params}.items() if value is not None}
    response = await gateway.get("/v1/kpis/cap.occupancy", params=query, headers=detail)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert field in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize("kpi_id", ["cap.nothing", "cap.occupancy%00", "x" * 64, "%00"])
async def test_an_unknown_kpi(gateway, detail, kpi_id):
    response = await gateway.get(f"/v1/kpis/{kpi_id}", params=BASE, headers=detail)
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("kpi_id", ["cap.unintended_endings", "cap.living_alone", "cap.breaches"])
async def test_the_first_year_there_is(gateway, detail, kpi_id):
    """A "falling" target compares with the year before, which 1900 does not have."""
    response = await gateway.get(f"/v1/kpis/{kpi_id}", params={"period": "1900"}, headers=detail)
    assert response.status_code == 200, response.text
    assert response.json()["meets_target"] is not False  # nothing counted: none fell short


async def test_scopes_and_regions(gateway, auth):
    no_token = await gateway.get("/v1/kpis/cap.occupancy", params=BASE)
    assert no_token.status_code == 401
    capacity_only = auth("national-admin", scope="capacity.read")
    assert (await gateway.get("/v1/kpis", headers=capacity_only)).status_code == 403
    vest = auth("region-vest")
    own = await gateway.get("/v1/kpis/cap.occupancy", params={"period": "2023"}, headers=vest)
    assert own.status_code == 200
    assert own.json()["region"] == "vest"
    other = await gateway.get(
        "/v1/kpis/cap.occupancy", params={"period": "2023", "region": "nord"}, headers=vest
    )
    assert other.status_code == 403
    municipality = auth("municipality-4601")
    assert (await gateway.get("/v1/kpis", headers=municipality)).status_code == 403


async def test_the_catalogue_lists_every_kpi(gateway, detail):
    response = await gateway.get("/v1/kpis", headers=detail)
    assert response.status_code == 200
    items = {item["id"]: item for item in response.json()["items"]}
    expected = {
        "cap.places", "cap.occupancy", "cap.children_average", "cap.children_unique",
        "cap.children_at_date", "cap.day_price", "cap.single_purchase_share",
        "cap.acute_offer_2h", "cap.acute_stay_6w", "cap.breaches", "cap.unintended_endings",
        "cap.living_alone", "cap.under_13", "cap.new_stays",
        "fc.waiting", "fc.waiting_days", "fc.waiting_half_year_share", "fc.requests",
        "fc.recruitment_funnel", "fc.kinship_share", "fc.breakdowns",
        "fc.family_group_conferences", "fc.placed_far_from_home",
        "fv.cases_opened", "fv.sessions_attended", "fv.rescheduled_share", "fv.waiting_days",
        "fv.violence_mediation", "fv.violence_high_conflict", "fv.child_heard",
        "fv.agreements",
    }  # fmt: skip
    assert set(items) == expected
    occupancy = items["cap.occupancy"]
    assert occupancy["time_base"] == "day_based"
    assert occupancy["targets_by"]["category"]["state_acute"]["value"] == 0.8
    assert all(item["definition"] and item["name"] for item in items.values())
