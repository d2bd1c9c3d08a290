"""`UnitOfWorkRoute`: every API route runs in one unit of work that commits once, after the
handler returned and before the answer is sent, so a client never sees a 2xx for a change
that was not recorded. POST routes also honour `Idempotency-Key`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from common import idempotency
from common.auth import Principal, authenticate
from common.errors import problem_responses
from common.uow import UnitOfWork

log = logging.getLogger(__name__)


class UnitOfWorkRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {method.upper() for method in kwargs.get("methods") or ()}
        if "POST" in methods:
            dependencies = list(kwargs.get("dependencies") or [])
            dependencies.append(Depends(idempotency.idempotency_key_header))
            kwargs["dependencies"] = dependencies
            # The same Idempotency-Key with another body is a conflict, on any POST.
            kwargs["responses"] = {**problem_responses(409), **(kwargs.get("responses") or {})}
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def in_unit_of_work(request: Request) -> Response:
            platform = request.app.state.platform
            read_only = request.method in ("GET", "HEAD")
            async with platform.unit_of_work(read_only=read_only) as uow:
                request.state.uow = uow
                try:
                    response = await self._answer(request, handle, uow)
                except Exception:
                    await _roll_back(uow)
                    raise
                if response.status_code >= 400:
                    await _roll_back(uow)
            return response

        return in_unit_of_work

    @staticmethod
    async def _answer(
        request: Request,
        handle: Callable[[Request], Coroutine[Any, Any, Response]],
        uow: UnitOfWork,
    ) -> Response:
        platform = request.app.state.platform
        key = request.headers.get(idempotency.HEADER) if request.method == "POST" else None
        client_id: str | None = None
        if key and 0 < len(key) <= 255:
            client_id = (await authenticate(request)).client_id
            request_hash = idempotency.fingerprint(
                request.method, request.url.path, request.url.query, await request.body()
            )
            stored = await idempotency.claim(
                uow.session,
                client_id,
                key,
                request_hash,
                platform.settings.idempotency_ttl_hours * 3600,
            )
            if stored is not None:
                return stored.replay()
        response = await handle(request)
        if response.status_code < 400:
            if client_id is not None and key is not None:
                await idempotency.store(uow.session, client_id, key, response)
            await uow.commit()
        return response


async def _roll_back(uow: UnitOfWork) -> None:
    """Nothing of a failed request stays, but its denied attempts on child-level records."""
    try:
        await uow.rollback()
        await uow.write_denials()
    except Exception as exc:
        # The answer (often: the database is away) matters more than its audit of denials.
        log.warning("denied attempts could not be audited: %r", exc)


@dataclass(frozen=True)
class Context:
    """A request's unit of work and its verified caller: what a scope check answers
    (`require_scopes(..., answer=Context.of)`), so a route needs one dependency, not three.
    A service that holds more for every request (keys, caches) extends it."""

    uow: UnitOfWork
    principal: Principal

    @classmethod
    def of(cls, request: Request, principal: Principal) -> Context:
        return cls(request.state.uow, principal)


async def get_uow(request: Request) -> UnitOfWork:
    """Dependency: the request's unit of work (see `UnitOfWorkRoute`)."""
    uow: UnitOfWork = request.state.uow
    return uow
