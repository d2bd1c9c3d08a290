"""What a capacity route depends on: one dependency that checks the token's scope and
answers the request's context (FastAPI's cost is per dependency, a good part of a small
request's)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from capacity.placement_requests.ranking_cache import RankingCache
from common import routing
from common.auth import Principal, require_scopes
from common.pii import NationalIdVault


@dataclass(frozen=True)
class Context(routing.Context):
    """A request's unit of work and verified caller, and what capacity holds for every
    request: the key vault for national ids and the cache of ranked candidates."""

    vault: NationalIdVault
    ranking_cache: RankingCache

    @classmethod
    def of(cls, request: Request, principal: Principal) -> Context:
        state = request.app.state
        return cls(request.state.uow, principal, state.vault, state.ranking_cache)


# The scopes capacity answers to.
read_scope = require_scopes("capacity.read", answer=Context.of)
write_scope = require_scopes("capacity.write", answer=Context.of)
