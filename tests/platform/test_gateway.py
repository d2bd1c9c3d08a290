"""The gateway: the local token issuer and the proxy to the services."""

from __future__ import annotations

import asyncio
import base64
import re

import httpx
import jwt
import pytest

from devstack.services import CAPACITY, GATEWAY
from devstack.testing import ISSUER

from .helpers import institution_body


@pytest.fixture(scope="module")
async def gateway(start_service, scratch_dir, issuer):
    """The gateway with its local issuer on, proxying to a capacity app in this process."""
    capacity = await start_service(CAPACITY)
    gateway = await start_service(
        GATEWAY,
        local_issuer_enabled="true",
        # The same key the test issuer signs with, so capacity trusts the gateway's tokens.
        local_issuer_key_file=scratch_dir / "signing-key.pem",
        auth_jwks_url="",
    )
    # Route the proxy to the in-process capacity app instead of a port.
    gateway.app.state.upstreams["capacity"] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=capacity.app), base_url="http://capacity"
    )
    return gateway


async def get_token(gateway, client_id: str, secret: str | None = None, **form) -> httpx.Response:
    data = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret if secret is not None else f"{client_id}-local",
        **form,
    }
    return await gateway.post("/v1/auth/token", data=data)


async def test_token_for_a_municipality_carries_its_claims(gateway):
    response = await get_token(gateway, "municipality-4601")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    jwks = (await gateway.get("/.well-known/jwks.json")).json()
    key = jwt.PyJWK(jwks["keys"][0])
    claims = jwt.decode(
        body["access_token"],
        key=key,
        algorithms=["RS256"],
        audience="bufetat-platform",
        issuer=ISSUER,
    )
    assert claims["municipality_number"] == "4601"
    assert set(claims["scope"].split()) == {
        "capacity.read",
        "capacity.write",
        "foster_care.read",
        "foster_care.write",
    }


async def test_region_client_and_narrowed_scope(gateway):
    body = (await get_token(gateway, "region-vest", scope="capacity.read")).json()
    assert body["scope"] == "capacity.read"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["region"] == "vest"


async def test_basic_authentication_of_the_client(gateway):
    credentials = base64.b64encode(b"national-admin:national-admin-local").decode()
    response = await gateway.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {credentials}"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_id": "national-admin", "client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "nobody", "client_secret": "nobody-local"}, 401, "invalid_client"),
        ({"client_id": "municipality-4601", "scope": "reports.read"}, 400, "invalid_scope"),
        ({"client_id": "national-admin", "grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
async def test_token_errors(gateway, form, status, error):
    client_id = form.pop("client_id")
    response = await get_token(gateway, client_id, form.pop("client_secret", None), **form)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"] == error


async def test_proxy_checks_the_token_and_forwards(gateway):
    assert (await gateway.get("/api/capacity/v1/institutions")).status_code == 401
    token = (await get_token(gateway, "national-admin")).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
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


async def test_proxy_to_a_service_that_is_down_is_502(gateway, auth):
    token = (await get_token(gateway, "national-admin")).json()["access_token"]
    response = await gateway.get(
        "/api/foster-care/v1/anything", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_problem_through_the_gateway_names_the_gateways_path(gateway):
    token = (await get_token(gateway, "national-admin")).json()["access_token"]
    missing = "/api/capacity/v1/institutions/0190a1a1-0000-7000-8000-000000000000"
    response = await gateway.get(missing, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["instance"] == missing


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


async def test_the_local_issuer_cannot_be_turned_on_outside_the_local_stack(scratch_dir):
    from pydantic import ValidationError

    from reporting_gateway.settings import GatewaySettings

    base = {"database_url": "postgresql://gateway@db/gateway"}
    assert GatewaySettings(**base, environment="local").local_issuer_enabled is False
    assert GatewaySettings(
        **base, environment="local", local_issuer_enabled=True
    ).local_issuer_enabled
    for environment in ("staging", "production"):
        with pytest.raises(ValidationError, match="LOCAL_ISSUER_ENABLED"):
            GatewaySettings(
                **base,
                environment=environment,
                local_issuer_enabled=True,
                auth_jwks_url="https://login.example/jwks",
            )
        with pytest.raises(ValidationError, match="AUTH_JWKS_URL"):
            GatewaySettings(**base, environment=environment)
    # Unset, the environment is production: a forgotten setting fails safe.
    with pytest.raises(ValidationError, match="AUTH_JWKS_URL"):
        GatewaySettings(**base)


async def test_a_connection_the_service_closed_is_retried_for_a_safe_request(start_service, auth):
    """A service may close a kept-alive connection while the gateway sends its next request
    on it (as a server does after a 500): that request fails before any answer. A GET is
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
        writer.close()  # …is never answered

    upstream = await asyncio.start_server(answer_once_then_close, "127.0.0.1", 0)
    port = upstream.sockets[0].getsockname()[1]
    gateway = await start_service(GATEWAY, foster_care_url=f"http://127.0.0.1:{port}")
    headers = auth("national-admin")
    try:
        first = await gateway.get("/api/foster-care/v1/foster-homes", headers=headers)
        second = await gateway.get("/api/foster-care/v1/foster-homes", headers=headers)
    finally:
        upstream.close()
    assert (first.status_code, second.status_code) == (200, 200), second.text
