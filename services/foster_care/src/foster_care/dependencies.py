"""What a foster_care route depends on: one dependency that checks the token's scope and
answers the request's context."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from common import routing
from common.auth import Principal, require_scopes
from common.pii import NationalIdVault


@dataclass(frozen=True)
class Context(routing.Context):
    """A request's unit of work and verified caller, and the key vault for national ids."""

    vault: NationalIdVault

    @classmethod
    def of(cls, request: Request, principal: Principal) -> Context:
        return cls(request.state.uow, principal, request.app.state.vault)


# The scopes foster_care answers to.
read_scope = require_scopes("foster_care.read", answer=Context.of)
write_scope = require_scopes("foster_care.write", answer=Context.of)
