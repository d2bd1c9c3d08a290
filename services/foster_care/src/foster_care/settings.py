from pydantic import Field, SecretStr

from common.settings import ServiceSettings


class FosterCareSettings(ServiceSettings):
    service_name: str = "foster_care"
    database_url: str = Field(description="The foster_care database.")
    pii_encryption_key: SecretStr = Field(
        description="32 bytes, base64: encrypts national identity numbers (AES-256-GCM)."
    )
    pii_hash_key: SecretStr = Field(
        description="32 bytes, base64: keyed hash for finding national identity numbers and "
        "the pseudonymous child key in events (the same key as capacity's, so a child is "
        "counted once across services)."
    )
