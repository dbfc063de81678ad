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
    # POLICY_WRITE_LANES: batch writers running at once, events split by user (the Kafka
    # key); one user's events stay in order in one lane. Each lane holds a connection.
    policy_write_lanes: int = Field(default=4, ge=1, le=8)
    # KAFKA_MAX_BATCH: records per batch. A batch's offsets are committed once every lane
    # has written its share; larger batches mean fewer commits and fewer lane hand-overs.
    kafka_max_batch: int = 8000
    http_host: str = "0.0.0.0"
    http_port: int = 8002
