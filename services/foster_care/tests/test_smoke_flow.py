"""A municipality's whole flow: request → waiting list → proposal → decision → placement."""

from __future__ import annotations


async def test_request_waits_is_proposed_decided_and_placed(api):
    home = await api.approved_home()
    assert home["status"] == "approved"
    assert home["available"]
    request = await api.request(desired_start_date="2024-02-01")
    assert request["status"] == "open"
    waiting = await api.get("/v1/waiting-list", as_of="2024-03-01")
    assert any(item["request_id"] == request["id"] for item in waiting["items"])
    candidates = await api.get(f"/v1/foster-home-requests/{request['id']}/candidates")
    assert home["id"] in [c["foster_home_id"] for c in candidates["items"]]
    placement = await api.placed(request, home, "2024-03-02T10:00:00+01:00", "2024-03-10")
    assert placement["far_from_home"] is False
    later = await api.get("/v1/waiting-list", as_of="2024-03-11")
    assert request["id"] not in [item["request_id"] for item in later["items"]]
    before = await api.get("/v1/waiting-list", as_of="2024-03-09")
    assert request["id"] in [item["request_id"] for item in before["items"]]
