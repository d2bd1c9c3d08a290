from pydantic import Field, SecretStr

from common.settings import ServiceSettings


class CapacitySettings(ServiceSettings):
    service_name: str = "capacity"
    database_url: str = Field(description="The capacity database.")
    pii_encryption_key: SecretStr = Field(
        description="32 bytes, base64: encrypts national identity numbers (AES-256-GCM)."
    )
    pii_hash_key: SecretStr = Field(
        description="32 bytes, base64: keyed hash for finding national identity numbers and "
        "the pseudonymous child key in events."
    )
    candidates_cache_seconds: float = Field(
        2,
        ge=0,
        le=60,
        description="How long a ranking of free places may be reused; this "
        "process drops it at once when its own stays or contracts change (0 = never cache).",
    )
    breach_sweep_interval_seconds: float = Field(
        15, gt=0, le=60, description="How often requests past their deadline are marked breached."
    )
    breach_grace_seconds: float = Field(
        300,
        ge=0,
        le=3600,
        description="A request recorded only after its deadline is marked breached this long "
        "after its recording unless an offer made in time is recorded first.",
    )
