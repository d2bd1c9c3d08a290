from pydantic import Field

# The module, not the class: devstack's build_app takes the first *Settings class here.
from common import pii


class FosterCareSettings(pii.NationalIdSettings):
    """PII_ENCRYPTION_KEY, PII_PREVIOUS_ENCRYPTION_KEYS, PII_HASH_KEY (the same as capacity's,
    so a child is counted once across services): `NationalIdSettings`."""

    service_name: str = "foster_care"
    database_url: str = Field(description="The foster_care database.")
