"""The demo's HTTP client: the platform's public API with a client-credentials token, as an
integrating system calls it.

Every POST carries an Idempotency-Key derived from the seed and what the call stands for,
so a load that was interrupted can simply be run again: the calls already answered are
answered again from the first time and nothing is created twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import httpx
import orjson
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

# Where the gateway serves each service's API.
PREFIXES = {
    "capacity": "/api/capacity",
    "foster_care": "/api/foster-care",
    "family_counselling": "/api/family-counselling",
}


class DemoError(RuntimeError):
    """The platform refused a call the demo expected to succeed."""


class _Retryable(Exception):
    pass


def _retryable(error: BaseException) -> bool:
    return isinstance(error, _Retryable | httpx.TransportError)


class Api:
    """One service's API behind the gateway (or at its own address), with a bounded number of
    calls in flight across the whole load."""

    def __init__(self, client: httpx.AsyncClient, prefix: str, tokens: Tokens, key_prefix: str):
        self._client = client
        self._prefix = prefix
        self._tokens = tokens
        self._key_prefix = key_prefix
        self.calls = 0

    async def post(self, path: str, body: Mapping[str, Any], *, key: str) -> dict[str, Any]:
        """POST with an Idempotency-Key: `key` names what the call stands for, uniquely."""
        answer: dict[str, Any] = await self._send(
            "POST", path, content=orjson.dumps(body), key=f"{self._key_prefix}:{key}"
        )
        return answer

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        answer: dict[str, Any] = await self._send("GET", path, params=params)
        return answer

    async def _send(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        key: str | None = None,
    ) -> Any:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(_retryable),
            stop=stop_after_attempt(8),
            wait=wait_random_exponential(multiplier=0.2, max=5),
            reraise=True,
        ):
            with attempt:
                headers = {"Authorization": f"Bearer {await self._tokens.get()}"}
                if content is not None:
                    headers["Content-Type"] = "application/json"
                if key is not None:
                    headers["Idempotency-Key"] = key
                async with self._tokens.in_flight:
                    response = await self._client.request(
                        method, self._prefix + path, content=content, params=params, headers=headers
                    )
                self.calls += 1
                if response.status_code == 401:
                    self._tokens.expire()
                    raise _Retryable("token expired")
                if response.status_code in (429, 502, 503, 504):
                    raise _Retryable(f"{response.status_code} from {path}")
                if response.status_code >= 400:
                    raise DemoError(
                        f"{method} {self._prefix}{path} -> {response.status_code}: "
                        f"{response.text[:1000]}\nbody: {(content or b'')[:1000]!r}"
                    )
                return orjson.loads(response.content)
        raise AssertionError("unreachable")  # pragma: no cover


class Tokens:
    """A client-credentials token from the gateway's local issuer, renewed before it expires."""

    def __init__(
        self, client: httpx.AsyncClient, client_id: str, secret: str, concurrency: int
    ) -> None:
        self._client = client
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        }
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()
        self.in_flight = asyncio.Semaphore(concurrency)

    async def get(self) -> str:
        if self._token is not None and time.monotonic() < self._renew_at:
            return self._token
        async with self._lock:
            if self._token is None or time.monotonic() >= self._renew_at:
                response = await self._client.post("/v1/auth/token", data=self._form)
                if response.status_code != 200:
                    raise DemoError(f"no token for the demo: {response.text[:500]}")
                answer = response.json()
                self._token = answer["access_token"]
                self._renew_at = time.monotonic() + max(30, answer["expires_in"] - 60)
        assert self._token is not None
        return self._token

    def expire(self) -> None:
        self._renew_at = 0.0


class Platform:
    """The three services' APIs and the gateway's own, behind one base address."""

    def __init__(
        self,
        base_url: str,
        *,
        seed: int,
        scales: Mapping[str, float] | None = None,
        client_id: str = "national-admin",
        secret: str | None = None,
        concurrency: int = 24,
    ) -> None:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._client = httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits)
        self.tokens = Tokens(self._client, client_id, secret or f"{client_id}-local", concurrency)
        scales = scales or {}

        def api(service: str) -> Api:
            # A slice and the whole year make different bodies: keys of their own.
            key_prefix = f"demo-{seed}-{scales.get(service, 1.0):g}-{service}"
            return Api(self._client, PREFIXES.get(service, ""), self.tokens, key_prefix)

        self.capacity = api("capacity")
        self.foster_care = api("foster_care")
        self.family_counselling = api("family_counselling")
        self.gateway = api("gateway")

    @property
    def calls(self) -> int:
        return sum(
            api.calls
            for api in (self.capacity, self.foster_care, self.family_counselling, self.gateway)
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Platform:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()
