"""Token key rotation at the issuer: a new key is trusted at once, a retired key stops being
trusted within the keys' maximum age (tokens already verified included), and an issuer
that cannot be reached keeps the known keys rather than refusing every sign-in."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from common.auth import JwksSource, TokenVerifier
from common.errors import Unauthorized

ISSUER, AUDIENCE = "https://login.example", "bufetat-platform"


class Key:
    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def public_jwk(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def token(self, subject: str = "municipality-4601") -> str:
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject,
            "exp": int(time.time()) + 3600,
            "scope": "capacity.read",
        }
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": self.kid})


def publish(path: Path, *keys: Key) -> None:
    path.write_text(json.dumps({"keys": [key.public_jwk() for key in keys]}))


async def refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(Unauthorized) as caught:
        await verifier.verify(token)
    return str(caught.value.detail)


async def test_keys_rotate_at_the_issuer(tmp_path, monkeypatch):
    monkeypatch.setattr("common.auth._CACHE_SECONDS", 0.5)
    jwks = tmp_path / "jwks.json"
    old, new = Key("old"), Key("new")
    publish(jwks, old)
    source = JwksSource(jwks.as_uri(), min_refresh=0.2, max_age=1.0)
    verifier = TokenVerifier(ISSUER, AUDIENCE, source)
    before = old.token()
    assert (await verifier.verify(before)).subject == "municipality-4601"

    # The issuer adds its next key and signs with it: trusted at once (an unknown kid).
    publish(jwks, old, new)
    await asyncio.sleep(0.25)
    assert (await verifier.verify(new.token("region-vest"))).subject == "region-vest"
    assert (await verifier.verify(old.token())).subject == "municipality-4601"

    # The old key is retired: within the keys' age no token of it is trusted any more, not
    # even one verified before.
    publish(jwks, new)
    await asyncio.sleep(1.1)
    assert "unknown key" in await refused(verifier, before)
    assert "unknown key" in await refused(verifier, old.token())
    assert (await verifier.verify(new.token())).subject == "municipality-4601"

    # The issuer cannot be reached: the known key stays trusted, the rest is refused.
    jwks.unlink()
    await asyncio.sleep(1.1)
    assert (await verifier.verify(new.token("region-nord"))).subject == "region-nord"
    stranger = Key("stranger")
    await asyncio.sleep(0.25)
    assert "cannot be fetched" in await refused(verifier, stranger.token())
