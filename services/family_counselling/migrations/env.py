from common.migrations import run_migrations
from family_counselling.models import metadata

run_migrations(metadata)
