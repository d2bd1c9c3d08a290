from capacity.models import metadata
from common.migrations import run_migrations

run_migrations(metadata)
