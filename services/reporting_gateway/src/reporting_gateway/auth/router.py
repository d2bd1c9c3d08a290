"""The local OAuth2 client-credentials issuer (local stack only) and its public keys."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from common.errors import problem_response, problem_responses
from reporting_gateway.auth.issuer import LocalIssuer, TokenRequestError

router = APIRouter(tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = Field(examples=["Bearer"])
    expires_in: int = Field(examples=[3600])
    scope: str = Field(examples=["capacity.read capacity.write"])


def _issuer(request: Request) -> LocalIssuer:
    issuer: LocalIssuer = request.app.state.local_issuer
    return issuer


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


def _token_error(error: TokenRequestError) -> Response:
    headers = {"Cache-Control": "no-store"}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="token"'
    return problem_response(
        error.status,
        slug=f"oauth-{error.error.replace('_', '-')}",
        detail=error.description,
        headers=headers,
        extra={"error": error.error, "error_description": error.description},
    )


@router.post(
    "/v1/auth/token",
    summary="Get an access token (OAuth2 client credentials)",
    response_model=TokenResponse,
    responses=problem_responses(400, 401),
    description="Form-encoded `grant_type=client_credentials`, `client_id`, `client_secret` "
    "(or HTTP Basic), optional `scope` (space separated, a subset of the client's scopes).",
)
async def issue_token(
    request: Request,
    grant_type: str | None = Form(None, examples=["client_credentials"]),
    client_id: str | None = Form(None, examples=["municipality-4601"]),
    client_secret: str | None = Form(None, examples=["municipality-4601-local"]),
    scope: str | None = Form(None, examples=["capacity.read capacity.write"]),
) -> Response:
    try:
        if grant_type is None:
            raise TokenRequestError("invalid_request", "grant_type is required.")
        if grant_type != "client_credentials":
            raise TokenRequestError(
                "unsupported_grant_type", "Only grant_type=client_credentials is supported."
            )
        basic = _basic_credentials(request)
        if basic is not None:
            client_id, client_secret = basic
        if not client_id or client_secret is None:
            raise TokenRequestError(
                "invalid_client", "client_id and client_secret are required.", 401
            )
        body: dict[str, Any] = _issuer(request).issue(client_id, client_secret, scope)
    except TokenRequestError as error:
        return _token_error(error)
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@router.get("/.well-known/jwks.json", summary="The local issuer's public signing keys")
async def jwks(request: Request) -> dict[str, Any]:
    return _issuer(request).jwks
