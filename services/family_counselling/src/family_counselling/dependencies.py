"""What a family_counselling route depends on: one dependency that checks the token's scope
and answers the request's context."""

from __future__ import annotations

from common import routing
from common.auth import require_scopes

# The scopes family_counselling answers to.
read_scope = require_scopes("family_counselling.read", answer=routing.Context.of)
write_scope = require_scopes("family_counselling.write", answer=routing.Context.of)
Context = routing.Context
