"""What a family_counselling route depends on: one dependency that checks the token's scope
and answers the request's context (the platform's own: this service holds nothing more for
every request, unlike capacity's and foster_care's key vault)."""

from __future__ import annotations

from common.auth import require_scopes
from common.routing import Context

__all__ = ["Context", "read_scope", "write_scope"]

# The scopes family_counselling answers to.
read_scope = require_scopes("family_counselling.read", answer=Context.of)
write_scope = require_scopes("family_counselling.write", answer=Context.of)
