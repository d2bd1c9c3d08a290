"""Bearer-token checks: RS256 JWTs verified against the issuer's JWKS (issuer, audience,
expiry, scopes), and the caller's `region` / `municipality_number` claims, which scope what
it may see. Every route outside health and metrics depends on `require_scopes`."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar, overload
from urllib.parse import urlparse

import httpx
import jwt
import orjson
from fastapi import Request
from fastapi.security import HTTPBearer
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError

from common.errors import Forbidden, Unauthorized
from common.reference import Region
from common.schemas import unstorable

# `<area>.<verb>`, e.g. `capacity.read`: each service names its own scopes.
SCOPE_PATTERN = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
ALGORITHMS = ["RS256"]
# How long a verified token is trusted without checking it again (at most to its expiry).
_CACHE_SECONDS = 60.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the client, its scopes and the part of the country it may see."""

    subject: str
    client_id: str
    scopes: frozenset[str]
    region: Region | None = None
    municipality_number: str | None = None


class JwksSource:
    """The issuer's public keys, fetched from `https://`, `http://` or `file://` and cached;
    an unknown `kid` triggers a refetch (a new key), at most once per `min_refresh`, and keys
    older than `max_age` are fetched again before use, so a key the issuer retired (or
    revoked) stops being trusted within `max_age`. An issuer away at that moment does not
    stop sign-ins: the keys known are kept and fetched again after `min_refresh`."""

    def __init__(
        self,
        url: str | None = None,
        *,
        keys: dict[str, Any] | None = None,
        min_refresh: float = 30.0,
        max_age: float = 300.0,
    ) -> None:
        self._url = url
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._next_fetch = 0.0  # no fetch before (monotonic)
        self._min_refresh = min_refresh
        self._max_age = max_age
        self._lock = asyncio.Lock()
        if keys is not None:
            self._load(keys)

    def _load(self, jwks: dict[str, Any]) -> None:
        self._keys = {key["kid"]: jwt.PyJWK(key) for key in jwks.get("keys", []) if "kid" in key}

    async def _fetch(self) -> None:
        assert self._url is not None
        parsed = urlparse(self._url)
        if parsed.scheme == "file":
            raw = await asyncio.to_thread(Path(parsed.path).read_bytes)
        else:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(self._url)
                response.raise_for_status()
                raw = response.content
        self._load(orjson.loads(raw))
        self._fetched_at = time.monotonic()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        now = time.monotonic()
        fresh = now - self._fetched_at <= self._max_age
        if self._url is None or (kid in self._keys and (fresh or now < self._next_fetch)):
            return self._keys.get(kid)
        async with self._lock:
            now = time.monotonic()
            stale = now - self._fetched_at > self._max_age
            if now >= self._next_fetch and (kid not in self._keys or stale):
                self._next_fetch = now + self._min_refresh  # never hammer the issuer
                try:
                    await self._fetch()
                except (OSError, httpx.HTTPError, ValueError):
                    if kid not in self._keys:
                        raise
                    log.warning("the issuer's keys could not be fetched; the known keys stay")
        return self._keys.get(kid)


@dataclass
class TokenVerifier:
    issuer: str
    audience: str
    jwks: JwksSource
    leeway: float = 30.0
    _cache: dict[str, tuple[float, Principal]] = field(default_factory=dict)

    async def verify(self, token: str) -> Principal:
        cached = self._cache.get(token)
        if cached is not None and cached[0] > time.time():
            return cached[1]
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, TypeError):
            raise Unauthorized("The bearer token is not a JWT.") from None
        if header.get("alg") not in ALGORITHMS:
            raise Unauthorized("The bearer token is not signed with an accepted algorithm.")
        try:
            key = await self.jwks.key(str(header.get("kid")))
        except (OSError, httpx.HTTPError, ValueError):
            raise Unauthorized("The token issuer's keys cannot be fetched right now.") from None
        if key is None:
            raise Unauthorized("The bearer token is signed by an unknown key.")
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The bearer token has expired.") from None
        except jwt.InvalidAudienceError:
            raise Unauthorized("The bearer token is for another audience.") from None
        except jwt.InvalidIssuerError:
            raise Unauthorized("The bearer token is from another issuer.") from None
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unauthorized(f"The bearer token is not valid: {exc}.") from None
        principal = principal_from_claims(claims)
        if len(self._cache) > 10_000:
            self._cache.clear()
        # Checked again within a minute: a token of a retired key is not trusted to its end.
        self._cache[token] = (min(float(claims["exp"]), time.time() + _CACHE_SECONDS), principal)
        return principal


def _storable(value: str) -> str:
    problem = unstorable(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Claim = Annotated[str, StringConstraints(min_length=1, max_length=256), AfterValidator(_storable)]


class Claims(BaseModel):
    """The claims the platform reads, with the types it needs: a validly signed token whose
    claims have other types is refused (401), never trusted halfway."""

    model_config = ConfigDict(extra="ignore")

    sub: Claim
    client_id: Claim | None = None
    scope: str | list[Claim] = ""
    region: Region | None = None
    municipality_number: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] | None = None


def principal_from_claims(raw: dict[str, Any]) -> Principal:
    try:
        claims = Claims.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"]) or "claims"
        raise Unauthorized(
            f"The bearer token's {name} claim is not valid: {error['msg']}."
        ) from None
    scopes = claims.scope.split() if isinstance(claims.scope, str) else claims.scope
    return Principal(
        subject=claims.sub,
        client_id=claims.client_id or claims.sub,
        scopes=frozenset(scopes),
        region=claims.region,
        municipality_number=claims.municipality_number,
    )


async def authenticate(request: Request) -> Principal:
    """The verified caller of this request (verified once, then kept on the request)."""
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        return principal  # type: ignore[no-any-return]
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("This endpoint needs a bearer token (Authorization: Bearer …).")
    verifier: TokenVerifier = request.app.state.platform.verifier
    principal = await verifier.verify(token.strip())
    request.state.principal = principal
    return principal


C = TypeVar("C")


def _the_principal(_request: Request, principal: Principal) -> Principal:
    return principal


class ScopedBearer(HTTPBearer, Generic[C]):
    """Dependency: a valid bearer token carrying every one of `scopes` (documented in the
    OpenAPI as the bearer scheme); it answers what `answer` makes of the request and its
    verified caller (the caller itself by default). One dependency for all a route needs,
    not a chain: FastAPI's cost per dependency is a good part of a small request's."""

    def __init__(self, scopes: tuple[str, ...], answer: Callable[[Request, Principal], C]) -> None:
        super().__init__(
            auto_error=False,
            scheme_name="HTTPBearer",
            description="A token from POST /v1/auth/token.",
        )
        self.scopes = scopes
        self._answer = answer

    async def __call__(self, request: Request) -> C:  # type: ignore[override]
        principal = await authenticate(request)
        missing = [scope for scope in self.scopes if scope not in principal.scopes]
        if missing:
            raise Forbidden(f"The token lacks the scope {' '.join(missing)}.")
        uow = getattr(request.state, "uow", None)
        if uow is not None:
            uow.actor = principal
        return self._answer(request, principal)


@overload
def require_scopes(*scopes: str) -> ScopedBearer[Principal]: ...


@overload
def require_scopes(*scopes: str, answer: Callable[[Request, Principal], C]) -> ScopedBearer[C]: ...


def require_scopes(
    *scopes: str, answer: Callable[[Request, Principal], Any] = _the_principal
) -> ScopedBearer[Any]:
    """Dependency: a valid token carrying every one of `scopes`; see `ScopedBearer`."""
    malformed = [scope for scope in scopes if not SCOPE_PATTERN.match(scope)]
    if malformed:
        raise ValueError(f"scopes {malformed} are not <area>.<verb>")
    return ScopedBearer(scopes, answer)


def ensure_may_see_region(principal: Principal, region: Region | str, what: str) -> None:
    """403 (not 404: the caller may know the id exists) when the token's region differs;
    the answer says nothing more about the record."""
    if principal.region is not None and principal.region != region:
        raise Forbidden(f"Your token is limited to region {principal.region}; this {what} is not.")


def ensure_agency(principal: Principal, action: str) -> None:
    """Only Bufetat/Bufdir clients (not a municipality's) may do `action`."""
    if principal.municipality_number is not None:
        raise Forbidden(f"A municipality's token may not {action}.")


def may_see_record(principal: Principal, *, region: Region | str, municipality_number: str) -> bool:
    """Whether a child-level record of this region and municipality is the caller's to see."""
    return principal.municipality_number in (None, municipality_number) and principal.region in (
        None,
        region,
    )


def ensure_may_see_record(
    principal: Principal, *, region: Region | str, municipality_number: str, what: str
) -> None:
    """A child-level record belongs to a municipality and a region; a token limited to another
    one gets 403 (not 404: it is told it may not, not that nothing is there)."""
    if principal.municipality_number not in (None, municipality_number):
        raise Forbidden(
            f"Your token is for municipality {principal.municipality_number}; this {what} is not."
        )
    ensure_may_see_region(principal, region, what)


def scoped_filters(
    principal: Principal, region: Region | None, municipality_number: str | None, what: str
) -> tuple[Region | None, str | None]:
    """The region and municipality filters of a list, narrowed to what the token may see;
    asking for more is 403."""
    if principal.municipality_number is not None:
        if municipality_number not in (None, principal.municipality_number):
            raise Forbidden(f"A municipality's token lists only its own {what}.")
        municipality_number = principal.municipality_number
    if principal.region is not None:
        if region not in (None, principal.region):
            raise Forbidden(f"Your token is limited to region {principal.region}.")
        region = principal.region
    return region, municipality_number
