from pydantic import Field

# The module, not the class: devstack's build_app takes the first *Settings class here.
from common import pii


class CapacitySettings(pii.NationalIdSettings):
    """PII_ENCRYPTION_KEY, PII_PREVIOUS_ENCRYPTION_KEYS, PII_HASH_KEY: `NationalIdSettings`."""

    service_name: str = "capacity"
    database_url: str = Field(description="The capacity database.")
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
