"""A write in capacity produces an event the gateway applies exactly once into its own
database, under the trace id of the original HTTP request."""

from __future__ import annotations

from devstack.services import CAPACITY, GATEWAY
from devstack.testing import eventually, fetch, stream_info

from .helpers import institution_body, traceparent


async def test_write_reaches_the_gateway_once_under_one_trace(
    start_service, environment, auth, nats_url
):
    capacity = await start_service(CAPACITY)
    gateway = await start_service(GATEWAY)
    header, trace_id = traceparent()

    response = await capacity.post(
        "/v1/institutions",
        json=institution_body(),
        headers={**auth("national-admin"), "traceparent": header},
    )
    assert response.status_code == 201, response.text
    institution_id = response.json()["id"]
    assert response.headers["location"] == f"/v1/institutions/{institution_id}"

    gateway_db = await environment.database(GATEWAY)

    async def applied():
        rows = await fetch(gateway_db, "SELECT id FROM capacity_institution")
        assert [str(row["id"]) for row in rows] == [institution_id]
        return rows

    await eventually(applied)
    inbox = await fetch(gateway_db, "SELECT type, trace_id, stream FROM inbox")
    assert [(row["type"], row["trace_id"]) for row in inbox] == [
        ("capacity.institution.registered.v1", trace_id)
    ]
    capacity_db = await environment.database(CAPACITY)
    outbox = await fetch(capacity_db, "SELECT payload, sent_at FROM outbox")
    assert len(outbox) == 1
    assert outbox[0]["sent_at"] is not None
    assert trace_id in bytes(outbox[0]["payload"]).decode()  # the CloudEvent's traceparent
    info = await stream_info(nats_url, f"{environment.namespace.upper()}_CAPACITY")
    assert info.state.messages == 1
    freshness = await gateway.get("/v1/freshness", headers=auth("dashboard-vest"))
    assert freshness.status_code == 200, freshness.text
    streams = {item["stream"]: item for item in freshness.json()["items"]}
    stream = streams[f"{environment.namespace.upper()}_CAPACITY"]
    assert (stream["last_applied_sequence"], stream["behind"]) == (1, 0)
    assert stream["last_event_time"].endswith(("+01:00", "+02:00"))  # answered in Oslo time
    metrics = (await gateway.get("/metrics")).text
    labels = '{consumer="reporting_gateway-capacity",service="reporting_gateway"}'
    assert f"consumer_applied_total{labels}" in metrics
    assert f"consumer_lag{labels} 0.0" in metrics
