"""FastAPI dependencies particular to capacity."""

from common.pii import NationalIdVault
from fastapi import Request


def get_vault(request: Request) -> NationalIdVault:
    vault: NationalIdVault = request.app.state.vault
    return vault
