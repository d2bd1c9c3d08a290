"""`python -m capacity.rekey [--check] [--batch-size N]`: re-encrypt the stored national
identity numbers under PII_ENCRYPTION_KEY while the service runs (a step of rotating the
key; the routine and its report: `common.rekey`). Reads the service's settings from the
environment (DATABASE_URL, PII_ENCRYPTION_KEY, PII_PREVIOUS_ENCRYPTION_KEYS, …)."""

from capacity.placement_requests.models import PlacementRequest
from capacity.settings import CapacitySettings
from capacity.stays.models import Stay
from common.db import table_of
from common.rekey import EncryptedColumn, main

# Every column of the service that holds an encrypted national id.
COLUMNS = (
    EncryptedColumn.of(table_of(PlacementRequest).c.national_id_encrypted),
    EncryptedColumn.of(table_of(Stay).c.national_id_encrypted),
)

if __name__ == "__main__":
    raise SystemExit(main(CapacitySettings, COLUMNS))
