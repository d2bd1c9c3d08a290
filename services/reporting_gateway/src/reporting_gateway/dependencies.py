"""FastAPI dependencies particular to the gateway: its own scopes."""

from common.auth import require_scopes
from common.routing import Context

# The scopes the gateway's own endpoints answer to (the services check theirs).
reports_read_scope = require_scopes("reports.read", answer=Context.of)
reports_write_scope = require_scopes("reports.write", answer=Context.of)
