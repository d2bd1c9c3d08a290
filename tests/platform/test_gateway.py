"""The gateway's local token issuer (the proxy and the platform's OpenAPI:
test_gateway_proxy.py)."""

from __future__ import annotations

import base64

import httpx
import jwt
import pytest

from devstack.services import GATEWAY
from devstack.testing import ISSUER


@pytest.fixture(scope="module")
async def gateway(start_service, scratch_dir, issuer):
    """The gateway with its local issuer on."""
    return await start_service(
        GATEWAY,
        local_issuer_enabled="true",
        # The same key the test issuer signs with, so the services trust the gateway's tokens.
        local_issuer_key_file=scratch_dir / "signing-key.pem",
        auth_jwks_url="",
    )


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
    # Unset, the environment is production: a forgotten setting fails safe, and the error
    # that stops the start names the setting without printing the others (a password).
    secret = {"database_url": "postgresql://gateway:s3cret-pw@db/gateway"}
    with pytest.raises(ValidationError, match="AUTH_JWKS_URL") as refused:
        GatewaySettings(**secret)
    assert "s3cret-pw" not in str(refused.value)
