"""Settings shared by every service, read from the environment (12-factor).

Each service subclasses `ServiceSettings` and adds its own; the README lists every variable.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    # An error names the variable, never its value: a neighbouring field's error would
    # otherwise print every input, secrets included, into the log of a failed start.
    model_config = SettingsConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    service_name: str = Field(description="Name in logs, traces, metrics and event sources.")
    database_url: str = Field(
        description="The service's own PostgreSQL database, e.g. "
        "postgresql://user:password@host:5432/capacity."
    )
    database_pool_size: int = Field(10, ge=1, le=200)
    database_max_overflow: int = Field(10, ge=0, le=200)
    nats_url: str = Field("nats://127.0.0.1:4222", description="NATS server(s), comma separated.")
    nats_namespace: str = Field(
        "",
        pattern=r"^([a-z][a-z0-9]{0,30})?$",
        description="Prefix of stream names and subjects, for environments sharing one NATS.",
    )
    nats_stream_replicas: int = Field(
        1,
        ge=1,
        le=5,
        description="Copies JetStream keeps of each stream: 1 on a single server (which "
        "refuses more), 3 on a 3-node cluster. A stream with another count is scaled to it.",
    )

    auth_issuer: str = Field("http://127.0.0.1:8000", description="Expected `iss` of tokens.")
    auth_audience: str = Field("bufetat-platform", description="Expected `aud` of tokens.")
    auth_jwks_url: str | None = Field(
        None, description="Where the issuer's signing keys are: https://…, http://… or file://…"
    )

    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    otel_traces_exporter: Literal["none", "console", "otlp"] = Field(
        "none", description="Where traces go; `otlp` reads OTEL_EXPORTER_OTLP_ENDPOINT."
    )

    outbox_relay_enabled: bool = Field(True, description="Run the outbox relay in this process.")
    outbox_poll_interval_seconds: float = Field(1.0, gt=0, le=60)
    outbox_batch_size: int = Field(200, ge=1, le=5000)
    outbox_retention_hours: float = Field(72, gt=0, description="How long sent rows are kept.")

    consumer_max_deliver: int = Field(5, ge=1, le=100)
    consumer_ack_wait_seconds: float = Field(30, gt=0)
    consumer_batch_size: int = Field(100, ge=1, le=1000)

    idempotency_ttl_hours: float = Field(24, gt=0)

    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Larger request bodies are refused (413) unread."
    )
    environment: Literal["local", "test", "staging", "production"] = Field(
        "production",
        description="Where the service runs; `make run` says local. Local conveniences (the "
        "token issuer) refuse to start in staging and production.",
    )

    @field_validator("auth_jwks_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return value or None

    @model_validator(mode="after")
    def _keys_outside_the_local_stack(self) -> ServiceSettings:
        if self.environment in ("staging", "production") and self.auth_jwks_url is None:
            raise ValueError(
                f"AUTH_JWKS_URL is required in {self.environment}: the issuer's keys decide "
                "which tokens are trusted"
            )
        return self
