"""policy-service configuration (environment variables, read once at start)."""

from __future__ import annotations

from pydantic import Field

from applylens_contracts.settings import ServiceSettings


class PolicySettings(ServiceSettings):
    service_name: str = "policy-service"
    # POLICY_WINDOW_DAYS: the days precision and recall are computed over.
    policy_window_days: int = Field(default=30, ge=1, le=3650)
    # POLICY_CONSUMER_GROUP: independent of the learner's group ("learner").
    policy_consumer_group: str = "policy-stats"
    http_host: str = "0.0.0.0"
    http_port: int = 8002
