"""The gateway's proxy: `/api/<service>/…` → the service, after checking the token.

The service checks scopes and region again itself; the gateway is the edge, not the only
guard. `Location` headers are rewritten so clients can follow them through the gateway. A
service that cannot be reached is 502, one that does not answer in time 504: both problems
name the service (`detail` and the `service` member)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx
import orjson
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from common.auth import authenticate
from common.errors import PROBLEM_JSON, problem_response, problem_responses
from common.idempotency import HEADER

log = logging.getLogger(__name__)

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "date",
    "server",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
PUBLIC_PATHS = {"openapi.json", "healthz", "readyz"}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def service_name(prefix: str) -> str:
    """`foster-care` → `foster_care`: a service's URL prefix is its name, dashed."""
    return prefix.replace("-", "_")


def upstreams(app: FastAPI) -> dict[str, httpx.AsyncClient]:
    clients: dict[str, httpx.AsyncClient] = app.state.upstreams
    return clients


@asynccontextmanager
async def upstream_clients(
    app: FastAPI,
    targets: Mapping[str, str],
    *,
    timeout_seconds: float,
    connect_timeout_seconds: float,
) -> AsyncIterator[None]:
    # A service that is up accepts a connection at once: waiting the whole answer's time
    # for one that is not there would only keep the caller from its 502.
    timeout = httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds)
    # An idle connection is dropped here well before the service closes it (`common.serve`
    # keeps them 75 s): with both at 5 s a request could leave on a connection the service
    # was closing at that moment (seen under the demo year's load as ReadError → 502).
    limits = httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS)
    app.state.upstreams = {
        prefix: httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits)
        for prefix, url in targets.items()
    }
    try:
        yield
    finally:
        for client in app.state.upstreams.values():
            await client.aclose()


KEEPALIVE_SECONDS = 30.0
# A connection the service closed as the request left on it: nothing was answered.
RESET = (httpx.RemoteProtocolError, httpx.ReadError)


def build_router(prefixes: list[str]) -> APIRouter:
    router = APIRouter(tags=["proxy"])

    for prefix in prefixes:

        async def forward(request: Request, path: str, _prefix: str = prefix) -> Response:
            return await _forward(request, _prefix, path)

        # One route per method: FastAPI gives a route one operationId for all its methods.
        for method in METHODS:
            router.add_api_route(
                f"/api/{prefix}/{{path:path}}",
                forward,
                methods=[method],
                summary=f"The {service_name(prefix)} service's API "
                f"(see /api/{prefix}/openapi.json)",
                responses=problem_responses(401, 502, 504),
                name=f"proxy_{service_name(prefix)}",
                operation_id=f"proxy_{service_name(prefix)}_{method.lower()}",
            )
    return router


async def _forward(request: Request, prefix: str, path: str) -> Response:
    if path not in PUBLIC_PATHS:
        await authenticate(request)
    client = upstreams(request.app)[prefix]
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    body = await request.body()
    # A kept-alive connection the service closed meanwhile fails before any answer: sending
    # again is safe where a repeat cannot do anything twice.
    attempts = 2 if _retry_safe(request) else 1
    for attempt in range(attempts):
        try:
            upstream = await client.request(
                request.method,
                f"/{path}",
                params=request.query_params,
                headers=headers,
                content=body,
            )
            break
        except httpx.TransportError as exc:
            if attempt + 1 < attempts and isinstance(exc, RESET):
                continue
            return _service_failed(request, prefix, exc)
    response_headers = {
        k: v
        for k, v in upstream.headers.items()
        if k.lower() not in HOP_BY_HOP and k.lower() != "content-encoding"
    }
    location = upstream.headers.get("location")
    if location and location.startswith("/"):
        response_headers["location"] = f"/api/{prefix}{location}"
    content = upstream.content
    if upstream.headers.get("content-type") == PROBLEM_JSON:
        content = _through_the_gateway(content, f"/api/{prefix}")
    return Response(content, status_code=upstream.status_code, headers=response_headers)


def _service_failed(request: Request, prefix: str, exc: httpx.TransportError) -> Response:
    """504 when the service's answer (or a free connection to it) did not come in time; 502
    when it cannot be reached, a connect timeout included (nothing was sent: it is not
    there)."""
    log.warning("proxy to %s failed: %r", prefix, exc)
    name = service_name(prefix)
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
        status, detail = 504, f"The {name} service did not answer in time."
    else:
        status, detail = 502, f"The {name} service cannot be reached."
    return problem_response(
        status, detail=detail, instance=request.url.path, extra={"service": name}
    )


def _retry_safe(request: Request) -> bool:
    return request.method in ("GET", "HEAD") or (
        request.method == "POST" and HEADER in request.headers
    )


def _through_the_gateway(problem: bytes, prefix: str) -> bytes:
    """A problem's `instance` as the caller knows it: the gateway's path, not the
    service's."""
    try:
        body = orjson.loads(problem)
    except orjson.JSONDecodeError:
        return problem
    instance = body.get("instance") if isinstance(body, dict) else None
    if not (isinstance(instance, str) and instance.startswith("/")):
        return problem
    body["instance"] = prefix + instance
    return orjson.dumps(body)
