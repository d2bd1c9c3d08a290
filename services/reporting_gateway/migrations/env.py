from common.migrations import run_migrations
from reporting_gateway.models import metadata

run_migrations(metadata)
