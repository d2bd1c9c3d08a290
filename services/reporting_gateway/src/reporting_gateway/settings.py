from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from common.settings import ServiceSettings

REPO_ROOT = Path(__file__).resolve().parents[4]


class GatewaySettings(ServiceSettings):
    service_name: str = "reporting_gateway"
    database_url: str = Field(description="The gateway's own database (read models).")

    capacity_url: str = Field("http://127.0.0.1:8001", description="Where capacity listens.")
    foster_care_url: str = Field("http://127.0.0.1:8002")
    family_counselling_url: str = Field("http://127.0.0.1:8003")
    proxy_timeout_seconds: float = Field(
        30,
        gt=0,
        description="How long the proxy waits for a service to take a request and answer it "
        "before answering 504.",
    )
    proxy_connect_timeout_seconds: float = Field(
        2,
        gt=0,
        description="How long the proxy waits for a connection to a service before answering "
        "502; a service that is up accepts at once.",
    )
    openapi_cache_seconds: float = Field(
        60,
        ge=0,
        description="How long the platform's merged OpenAPI (/openapi.json) is kept before the "
        "services' documents are fetched again.",
    )

    local_issuer_enabled: bool = Field(
        False, description="Serve POST /v1/auth/token (local stack only, never in production)."
    )
    local_issuer_key_file: Path = Field(
        REPO_ROOT / ".data" / "auth" / "signing-key.pem",
        description="RSA private key (PEM) of the local issuer; created if missing.",
    )
    local_issuer_clients_file: Path = Field(
        REPO_ROOT / "deploy" / "local" / "clients.toml",
        description="The local issuer's clients, scopes and region/municipality claims.",
    )

    @model_validator(mode="after")
    def _local_issuer_only_locally(self) -> GatewaySettings:
        if self.local_issuer_enabled and self.environment not in ("local", "test"):
            raise ValueError(
                f"LOCAL_ISSUER_ENABLED is for the local stack; in {self.environment} the "
                "platform trusts the organisation's issuer (AUTH_JWKS_URL)"
            )
        return self
