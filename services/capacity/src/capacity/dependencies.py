"""FastAPI dependencies particular to capacity."""

from fastapi import Request

from capacity.placements.ranking_cache import RankingCache
from common.pii import NationalIdVault


async def get_vault(request: Request) -> NationalIdVault:
    vault: NationalIdVault = request.app.state.vault
    return vault


async def get_ranking_cache(request: Request) -> RankingCache:
    cache: RankingCache = request.app.state.ranking_cache
    return cache
