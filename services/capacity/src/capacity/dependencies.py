"""FastAPI dependencies particular to capacity: its scopes, its keys, its cache."""

from fastapi import Request

from capacity.placement_requests.ranking_cache import RankingCache
from common.auth import require_scopes
from common.pii import NationalIdVault

# The scopes capacity answers to.
read_scope = require_scopes("capacity.read")
write_scope = require_scopes("capacity.write")


async def get_vault(request: Request) -> NationalIdVault:
    vault: NationalIdVault = request.app.state.vault
    return vault


async def get_ranking_cache(request: Request) -> RankingCache:
    cache: RankingCache = request.app.state.ranking_cache
    return cache
