"""FastAPI dependencies particular to capacity."""

from fastapi import Request

from common.pii import NationalIdVault


async def get_vault(request: Request) -> NationalIdVault:
    vault: NationalIdVault = request.app.state.vault
    return vault
