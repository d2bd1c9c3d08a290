"""The gateway's proxy (the caller's token forwarded; 502 and 504 problems naming the
service) and the platform's one OpenAPI document at the gateway's `/openapi.json`."""

from __future__ import annotations

import asyncio
import re
import socket
import struct
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from common.clock import OSLO
from devstack.ports import free_port
from devstack.services import CAPACITY, GATEWAY
from devstack.testing import ServedService, eventually

from .helpers import institution_body

PROBLEM = "application/problem+json"


def nowhere() -> str:
    """A URL nothing listens on: a service that is down."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
async def capacity(environment):
    served = ServedService(CAPACITY, await environment.settings_env(CAPACITY)).start()
    yield served
    served.stop()


@pytest.fixture(scope="module")
async def gateway(start_service, capacity, scratch_dir, issuer):
    """The gateway, its local issuer on, before a served capacity; foster_care and
    family_counselling are down."""
    return await start_service(
        GATEWAY,
        capacity_url=capacity.url,
        foster_care_url=nowhere(),
        family_counselling_url=nowhere(),
        local_issuer_enabled="true",
        # The same key the test issuer signs with, so capacity trusts the gateway's tokens.
        local_issuer_key_file=scratch_dir / "signing-key.pem",
        auth_jwks_url="",
    )


def assert_names_the_service(response: httpx.Response, status: int, service: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["service"] == service
    assert service in problem["detail"]
    assert problem["instance"] == response.request.url.path


# The proxy


async def test_proxy_checks_the_token_and_forwards(gateway):
    assert (await gateway.get("/api/capacity/v1/institutions")).status_code == 401
    token = await gateway.post(
        "/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "national-admin",
            "client_secret": "national-admin-local",
        },
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    created = await gateway.post(
        "/api/capacity/v1/institutions", json=institution_body(), headers=headers
    )
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    assert location == f"/api/capacity/v1/institutions/{created.json()['id']}"
    read = await gateway.get(location, headers=headers)
    assert read.status_code == 200
    assert read.json() == created.json()
    openapi = await gateway.get("/api/capacity/openapi.json")
    assert openapi.status_code == 200
    assert openapi.json()["info"]["title"] == "capacity"


async def test_the_service_judges_the_callers_own_token(gateway, auth):
    """A municipality's token passes the gateway (it is valid) and reaches capacity, which
    refuses it what only agencies may do: the service saw the caller, not the gateway."""
    response = await gateway.post(
        "/api/capacity/v1/institutions",
        json=institution_body(),
        headers=auth("municipality-4601"),
    )
    assert response.status_code == 403, response.text
    assert "municipality" in response.json()["detail"]


async def test_a_problem_through_the_gateway_names_the_gateways_path(gateway, auth):
    missing = "/api/capacity/v1/institutions/0190a1a1-0000-7000-8000-000000000000"
    response = await gateway.get(missing, headers=auth("national-admin"))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["instance"] == missing


async def test_proxy_to_a_service_that_is_down_is_502(gateway, auth):
    response = await gateway.get("/api/foster-care/v1/anything", headers=auth("national-admin"))
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert_names_the_service(response, 502, "foster_care")


async def test_a_service_that_does_not_answer_in_time_is_504(start_service, auth):
    """A service that takes the connection and the request but never answers: 504 after the
    read timeout, and the connect timeout is a separate, shorter one."""
    release = asyncio.Event()

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await release.wait()
        writer.close()

    upstream = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = upstream.sockets[0].getsockname()[1]
    gateway = await start_service(
        GATEWAY,
        capacity_url=nowhere(),
        foster_care_url=nowhere(),
        family_counselling_url=f"http://127.0.0.1:{port}",
        proxy_timeout_seconds=0.5,
        proxy_connect_timeout_seconds=0.2,
    )
    timeout = gateway.app.state.upstreams["family-counselling"].timeout
    assert (timeout.connect, timeout.read, timeout.write) == (0.2, 0.5, 0.5)
    try:
        started = time.monotonic()
        response = await gateway.get(
            "/api/family-counselling/v1/offices", headers=auth("national-admin")
        )
        waited = time.monotonic() - started
    finally:
        release.set()
        upstream.close()
    assert_names_the_service(response, 504, "family_counselling")
    assert 0.45 <= waited < 5


async def test_a_connection_that_cannot_be_made_in_time_is_502_not_504(gateway, auth):
    """A connect timeout means the service is not there (nothing was sent), not that it is
    slow."""

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    clients = gateway.app.state.upstreams
    real = clients["foster-care"]
    clients["foster-care"] = httpx.AsyncClient(
        transport=httpx.MockTransport(unreachable), base_url="http://foster-care"
    )
    try:
        response = await gateway.get(
            "/api/foster-care/v1/foster-homes", headers=auth("national-admin")
        )
    finally:
        await clients["foster-care"].aclose()
        clients["foster-care"] = real
    assert_names_the_service(response, 502, "foster_care")


@pytest.mark.parametrize("ending", ["closed", "reset"])
@pytest.mark.parametrize("method", ["GET", "POST with an Idempotency-Key"])
async def test_a_connection_the_service_closed_is_retried_for_a_safe_request(
    start_service, auth, ending, method
):
    """A service may close a kept-alive connection while the gateway sends its next request
    on it (as a server does after a 500, or at its keep-alive timeout): that request fails
    before any answer, as a closed connection or a reset. A request that may be repeated is
    sent again, on a new connection."""

    async def answer_once_then_close(reader, writer) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = b'{"items": []}'
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")  # the next request on this connection…
        if ending == "reset":  # …is met with a reset (a linger of 0 sends RST, not FIN)
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        else:
            writer.close()  # …is never answered

    upstream = await asyncio.start_server(answer_once_then_close, "127.0.0.1", 0)
    port = upstream.sockets[0].getsockname()[1]
    gateway = await start_service(GATEWAY, foster_care_url=f"http://127.0.0.1:{port}")
    headers = auth("national-admin")
    path = "/api/foster-care/v1/foster-homes"
    try:
        first = await gateway.get(path, headers=headers)
        if method == "GET":
            second = await gateway.get(path, headers=headers)
        else:
            keyed = {**headers, "Idempotency-Key": f"retry-{ending}"}
            second = await gateway.post(path, headers=keyed, content=b"{}")
    finally:
        upstream.close()
    assert (first.status_code, second.status_code) == (200, 200), second.text


# The platform's OpenAPI


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def resolve(spec: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = spec
    for token in ref[2:].split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def operations(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}:
                yield operation


def assert_whole(spec: dict[str, Any]) -> None:
    """Valid OpenAPI 3.1, every reference resolves inside it, no operationId twice."""
    assert spec["openapi"].startswith("3.1")
    validate(spec)
    for ref in references(spec):
        resolve(spec, ref)
    ids = Counter(operation["operationId"] for operation in operations(spec))
    assert not [id_ for id_, count in ids.items() if count > 1]


async def test_one_openapi_for_the_whole_platform(gateway):
    response = await gateway.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert_whole(spec)
    paths = spec["paths"]
    assert {"/v1/freshness", "/healthz"} <= set(paths)  # the gateway's own
    create = paths["/api/capacity/v1/institutions"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body == "#/components/schemas/capacity.InstitutionIn"
    assert "municipality_number" in resolve(spec, body)["properties"]
    assert create["tags"] == ["capacity: institutions"]
    assert create["operationId"].startswith("capacity_")
    assert create["security"] == [{"HTTPBearer": []}]  # the services' schemes are the gateway's
    assert set(spec["components"]["securitySchemes"]) == {"HTTPBearer"}
    assert {"502", "504"} <= set(create["responses"])
    # Capacity's own schemas are namespaced; the platform's Problem is one.
    schemas = spec["components"]["schemas"]
    assert "InstitutionOut" not in schemas
    assert "capacity.InstitutionOut" in schemas
    assert "Problem" in schemas
    assert "capacity.Problem" not in schemas
    groups = {group["name"]: group["tags"] for group in spec["x-tagGroups"]}
    assert "capacity: institutions" in groups["capacity"]
    assert "freshness" in groups["reporting_gateway"]
    # Capacity's real paths replace its catch-all; the services that are down keep theirs,
    # and the document says they are missing.
    assert "/api/capacity/{path}" not in paths
    assert "/api/foster-care/{path}" in paths
    assert spec["x-unavailable-services"] == ["foster_care", "family_counselling"]
    assert "foster_care could not be reached" in spec["info"]["description"]


async def test_a_service_that_stops_is_served_from_its_last_good_copy(
    environment, start_service, auth
):
    capacity = ServedService(CAPACITY, await environment.settings_env(CAPACITY)).start()
    gateway = await start_service(
        GATEWAY,
        capacity_url=capacity.url,
        foster_care_url=nowhere(),
        family_counselling_url=nowhere(),
        openapi_cache_seconds=0,
    )
    try:
        before = (await gateway.get("/openapi.json")).json()
        assert "capacity" not in before["x-unavailable-services"]
    finally:
        capacity.stop()
    response = await gateway.get("/openapi.json")
    assert response.status_code == 200
    after = response.json()
    assert_whole(after)
    assert after["x-unavailable-services"][0] == "capacity"
    assert "capacity could not be reached" in after["info"]["description"]
    assert "last good copy" in after["info"]["description"]
    institutions = "/api/capacity/v1/institutions"
    assert after["paths"][institutions] == before["paths"][institutions]
    proxied = await gateway.get(institutions, headers=auth("national-admin"))
    assert_names_the_service(proxied, 502, "capacity")


async def test_the_docs_work_offline(gateway):
    page = await gateway.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
    assert assets
    assert not [asset for asset in assets if "://" in asset], assets  # no CDN
    for asset in assets:
        assert (await gateway.get(asset)).status_code == 200, asset
    redoc = await gateway.get("/redoc")
    assert "://" not in "".join(re.findall(r"""src=['"]([^'"]+)['"]""", redoc.text))
    # Both show the platform's merged document.
    assert re.search(r"""url: ['"]/openapi\.json['"]""", page.text)
    assert 'spec-url="/openapi.json"' in redoc.text
    assert "/api/capacity/v1/institutions" in (await gateway.get("/openapi.json")).json()["paths"]


def test_two_services_components_never_collide():
    """Two services with a `Thing` each, and a `Problem` equal to the gateway's in text but
    referring to a `FieldError` that is not: each keeps its own."""
    from reporting_gateway.proxy.openapi import Part, merge

    bearer = {"type": "http", "scheme": "bearer"}
    field_error = {"type": "object", "properties": {"field": {"type": "string"}}}
    problem = {
        "type": "object",
        "properties": {
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}
        },
    }

    def problem_answer() -> dict[str, Any]:
        schema = {"$ref": "#/components/schemas/Problem"}
        return {"description": "Error", "content": {PROBLEM: {"schema": schema}}}

    own = {
        "openapi": "3.1.0",
        "info": {"title": "reporting_gateway", "version": "1"},
        "paths": {
            "/v1/own": {
                "get": {"operationId": "b_list_things", "responses": {"400": problem_answer()}}
            }
        },
        "components": {
            "schemas": {"Problem": problem, "FieldError": field_error},
            "securitySchemes": {"HTTPBearer": bearer},
        },
    }

    def service(thing: dict[str, Any], field: dict[str, Any]) -> Part:
        thing_ref = {"$ref": "#/components/schemas/Thing"}
        document = {
            "openapi": "3.1.0",
            "info": {"title": "x", "version": "1"},
            "paths": {
                "/v1/things": {
                    "get": {
                        "operationId": "list_things",
                        "tags": ["things"],
                        "security": [{"Token": []}],
                        "responses": {
                            "200": {
                                "description": "OK",
                                "content": {"application/json": {"schema": thing_ref}},
                            },
                            "404": problem_answer(),
                        },
                    }
                }
            },
            "components": {
                "schemas": {
                    "Thing": thing,
                    "Either": {
                        "oneOf": [thing_ref],
                        "discriminator": {"propertyName": "kind", "mapping": {"t": "Thing"}},
                    },
                    "Problem": problem,
                    "FieldError": field,
                },
                "securitySchemes": {"Token": bearer},
            },
        }
        return Part(document, datetime.now(UTC))

    merged = merge(
        own,
        {
            "a": service({"type": "string"}, field_error),
            "b": service({"type": "integer"}, {"type": "string"}),
        },
        unavailable=[],
    )
    assert_whole(merged)
    schemas = merged["components"]["schemas"]
    assert schemas["a.Thing"] == {"type": "string"}
    assert schemas["b.Thing"] == {"type": "integer"}
    # a's Problem and FieldError are the gateway's; b's FieldError differs, so its Problem
    # (the same text, another meaning) is b's own.
    assert {"a.Problem", "a.FieldError"}.isdisjoint(schemas)
    assert schemas["b.Problem"]["properties"]["errors"]["items"] == {
        "$ref": "#/components/schemas/b.FieldError"
    }
    assert schemas["b.Either"]["discriminator"]["mapping"] == {"t": "#/components/schemas/b.Thing"}
    things = merged["paths"]["/api/b/v1/things"]["get"]
    assert things["security"] == [{"HTTPBearer": []}]
    assert things["tags"] == ["b: things"]
    # The gateway's own operationId stays; the service's that would repeat it does not.
    assert merged["paths"]["/v1/own"]["get"]["operationId"] == "b_list_things"
    assert things["operationId"] == "b_list_things_2"
    assert set(merged["components"]["securitySchemes"]) == {"HTTPBearer"}
    assert merged["x-unavailable-services"] == []


async def test_kpis_and_reports_are_served_while_a_service_is_down(
    environment, start_service, auth
):
    headers = auth("national-admin")
    capacity = ServedService(CAPACITY, await environment.settings_env(CAPACITY)).start()
    gateway = await start_service(
        GATEWAY,
        capacity_url=capacity.url,
        foster_care_url=nowhere(),
        family_counselling_url=nowhere(),
    )
    year = datetime.now(UTC).astimezone(OSLO).year
    try:
        created = await gateway.post(
            "/api/capacity/v1/institutions",
            json=institution_body(municipality_number="4601"),
            headers=headers,
        )
        assert created.status_code == 201, created.text
        contract = await gateway.post(
            f"/api/capacity/v1/institutions/{created.json()['id']}/place-contracts",
            json={
                "function": "acute",
                "contract_type": "state",
                "budgeted_places": 7,
                "valid_from": f"{year}-01-01",
                "valid_to": None,
                "day_price_nok": "15200.00",
            },
            headers=headers,
        )
        assert contract.status_code == 201, contract.text

        async def applied() -> None:
            places = await gateway.get(
                "/v1/kpis/cap.places", params={"period": str(year)}, headers=headers
            )
            assert places.json()["value"] == 7

        await eventually(applied)
    finally:
        capacity.stop()
    assert_names_the_service(
        await gateway.get("/api/capacity/v1/institutions", headers=headers), 502, "capacity"
    )
    places = await gateway.get("/v1/kpis/cap.places", params={"period": str(year)}, headers=headers)
    assert places.status_code == 200
    assert places.json()["value"] == 7
    report = await gateway.get(f"/v1/reports/annual/{year}.xlsx", headers=headers)
    assert report.status_code == 200, report.text
    assert (await gateway.get("/v1/freshness", headers=headers)).status_code == 200
