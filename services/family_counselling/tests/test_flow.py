"""An office's whole flow: a mediation case, its appointment and outcome, closing, the
certificate and checking it."""

from __future__ import annotations

from datetime import date


async def test_case_appointment_outcome_close_certificate_check(api):
    office = await api.office()
    case = await api.case(office["id"])
    assert case["priority"]["group"] == 1
    assert case["priority"]["reason"].startswith("Mandatory mediation (separation)")
    refused = await api.post(f"/v1/cases/{case['id']}/mediation-certificate", status=409)
    assert "attended mediation session" in refused["detail"]
    appointment = await api.appointment(case["id"], "2024-03-12T10:00:00+01:00")
    await api.outcome(appointment["id"], "attended", "2024-03-12T11:00:00+01:00")
    again = await api.post(
        f"/v1/appointments/{appointment['id']}/outcome",
        {"outcome": "no_show", "recorded_at": "2024-03-12T11:00:00+01:00"},
        409,
    )
    assert "already" in again["detail"]
    read = await api.get(f"/v1/cases/{case['id']}")
    assert read["days_waiting"] == 8
    closed = await api.post(
        f"/v1/cases/{case['id']}/close",
        {
            "closed_at": "2024-04-01T12:00:00+02:00",
            "track": "B",
            "violence_registered": False,
            "agreement_reached": True,
            "child_heard": True,
            "concern_report_sent": False,
        },
        200,
    )
    assert closed["child_heard"] == "heard"
    certificate = await api.post(f"/v1/cases/{case['id']}/mediation-certificate")
    assert certificate["first_mediation_on"] == "2024-03-12"
    assert certificate["valid_until"] == "2024-09-12"
    check = await api.get(f"/v1/mediation-certificates/{certificate['certificate_number']}")
    assert check["status"] == ("valid" if date.today() <= date(2024, 9, 12) else "expired")
    assert set(check) == {
        "certificate_number",
        "status",
        "issued_on",
        "first_mediation_on",
        "valid_until",
    }
    missing = await api.client.get(
        "/v1/mediation-certificates/MK-2222-2222-2222", headers=api.headers
    )
    assert missing.status_code == 404
