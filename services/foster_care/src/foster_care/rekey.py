"""`python -m foster_care.rekey [--check] [--batch-size N]`: re-encrypt the stored national
identity numbers under PII_ENCRYPTION_KEY while the service runs (a step of rotating the
key; the routine and its report: `common.rekey`). Reads the service's settings from the
environment (DATABASE_URL, PII_ENCRYPTION_KEY, PII_PREVIOUS_ENCRYPTION_KEYS, …)."""

from common.db import table_of
from common.rekey import EncryptedColumn, main
from foster_care.foster_home_requests.models import FosterHomeRequest
from foster_care.settings import FosterCareSettings

# Every column of the service that holds an encrypted national id.
COLUMNS = (EncryptedColumn.of(table_of(FosterHomeRequest).c.national_id_encrypted),)

if __name__ == "__main__":
    raise SystemExit(main(FosterCareSettings, COLUMNS))
