"""Configuration names (environment variables) every service shares.

Each service subclasses ``ServiceSettings`` with its own fields; values are read
once at start. Defaults work against the local stack; production sets the env.
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "applylens"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_session_timeout_ms: int = 6000
    kafka_max_batch: int = 2000
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    database_pool_size: int = 10
    elasticsearch_url: str | None = None
    # Batch jobs (CronJobs) are not scraped: they push their metrics here when set (http://pushgateway:9091).
    pushgateway_url: str | None = None

    # Identity: an HS256 shared secret, or a JWKS URL (RS256/ES256 keys of an identity provider).
    jwt_secret: SecretStr | None = None
    jwt_jwks_url: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    jwt_leeway_seconds: int = 30

    # Per-user Prometheus label values are a cardinality hazard: "constant" (one value),
    # "hash" (a small stable bucket), or "raw" (the user id; tests and tiny installs only).
    metrics_user_label: Literal["constant", "hash", "raw"] = "hash"
    metrics_user_buckets: int = 16

    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _identity_configured(self) -> "ServiceSettings":
        if self.jwt_secret is not None and not self.jwt_secret.get_secret_value():
            raise ValueError("JWT_SECRET is set but empty")
        return self
