"""The local OAuth2 client-credentials issuer (RFC 6749 §4.4), for the local stack only.

Clients and their scopes are listed in a TOML file under `deploy/`; secrets are kept there
only as SHA-256 digests. It lives in the gateway's package, off unless `make run` turns it
on, and refuses to start in staging or production (`GatewaySettings`); production trusts
an external issuer's JWKS and runs none of this.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from common.auth import SCOPE_PATTERN
from common.reference import Region


@dataclass(frozen=True)
class Client:
    client_id: str
    secret_sha256: str
    scopes: frozenset[str]
    region: Region | None = None
    municipality_number: str | None = None

    def secret_matches(self, secret: str) -> bool:
        digest = hashlib.sha256(secret.encode()).hexdigest()
        return hmac.compare_digest(digest, self.secret_sha256)


class TokenRequestError(Exception):
    """An RFC 6749 §5.2 error: `error` code and a description."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def load_clients(path: Path) -> dict[str, Client]:
    raw = tomllib.loads(path.read_text())
    clients = {}
    for entry in raw.get("client", []):
        scopes = frozenset(entry["scopes"])
        malformed = sorted(scope for scope in scopes if not SCOPE_PATTERN.match(scope))
        if malformed:
            raise ValueError(
                f"{path}: client {entry['client_id']} has malformed scopes {malformed}"
            )
        clients[entry["client_id"]] = Client(
            client_id=entry["client_id"],
            secret_sha256=entry["secret_sha256"],
            scopes=scopes,
            region=Region(entry["region"]) if entry.get("region") else None,
            municipality_number=entry.get("municipality_number"),
        )
    return clients


def generate_signing_key(path: Path) -> None:
    """Write a new RSA private key (PEM) unless one is there."""
    if path.exists():
        return
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


class LocalIssuer:
    def __init__(
        self,
        private_key_pem: bytes,
        issuer: str,
        audience: str,
        clients: dict[str, Client],
        lifetime_seconds: int = 3600,
    ) -> None:
        private_key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise ValueError("the local issuer signs with RS256 and needs an RSA key")
        self._private_key = private_key
        public_jwk: dict[str, Any] = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        self.kid = hashlib.sha256(str(public_jwk["n"]).encode()).hexdigest()[:16]
        self.jwks: dict[str, Any] = {
            "keys": [{**public_jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]
        }
        self.issuer = issuer
        self.audience = audience
        self.clients = clients
        self.lifetime_seconds = lifetime_seconds

    @classmethod
    def from_files(
        cls, key_file: Path, clients_file: Path, issuer: str, audience: str
    ) -> LocalIssuer:
        return cls(key_file.read_bytes(), issuer, audience, load_clients(clients_file))

    def issue(self, client_id: str, client_secret: str, scope: str | None = None) -> dict[str, Any]:
        """Check the client's credentials and answer the token response."""
        client = self.clients.get(client_id)
        if client is None or not client.secret_matches(client_secret):
            raise TokenRequestError("invalid_client", "Unknown client or wrong secret.", 401)
        requested = frozenset(scope.split()) if scope else client.scopes
        not_granted = requested - client.scopes
        if not_granted:
            raise TokenRequestError(
                "invalid_scope", f"Client {client_id} may not have {' '.join(sorted(not_granted))}."
            )
        token = self.mint(
            client_id,
            requested,
            region=client.region,
            municipality_number=client.municipality_number,
        )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.lifetime_seconds,
            "scope": " ".join(sorted(requested)),
        }

    def mint(
        self,
        subject: str,
        scopes: frozenset[str] | set[str],
        *,
        region: str | None = None,
        municipality_number: str | None = None,
        lifetime_seconds: int | None = None,
        audience: str | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject,
            "client_id": subject,
            "aud": audience or self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + (lifetime_seconds or self.lifetime_seconds),
            "scope": " ".join(sorted(scopes)),
        }
        if region:
            claims["region"] = str(region)
        if municipality_number:
            claims["municipality_number"] = municipality_number
        return self.sign(claims)

    def sign(self, claims: dict[str, Any]) -> str:
        """A token with exactly these claims (checked by no one: the tests send odd ones),
        signed with this issuer's key."""
        payload = json.dumps(claims, separators=(",", ":")).encode()
        token: str = jwt.api_jws.encode(
            payload, self._private_key, algorithm="RS256", headers={"kid": self.kid}
        )
        return token
