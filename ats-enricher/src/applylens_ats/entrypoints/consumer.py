"""The ``email.ingested`` subscription: topic applylens.emails.v1, consumer group "ats-enricher"."""

from __future__ import annotations

from applylens_contracts.events import TOPIC_EMAILS, EmailIngested
from applylens_platform.consumer import BatchHandler, Subscription

from applylens_ats.settings import AtsSettings


def ingested_subscription(settings: AtsSettings, handler: BatchHandler) -> Subscription:
    """Batched, DLQ on ``applylens.emails.v1.dlq``, offsets committed after the handler's transaction."""
    return Subscription(
        topic=TOPIC_EMAILS,
        group_id=settings.ats_consumer_group,
        handler=handler,
        accepted_types=frozenset({EmailIngested.ce_type}),
        session_timeout_ms=settings.kafka_session_timeout_ms,
        max_records=settings.kafka_max_batch,
    )
