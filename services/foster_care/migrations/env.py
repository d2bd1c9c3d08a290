from common.migrations import run_migrations
from foster_care.models import metadata

run_migrations(metadata)
