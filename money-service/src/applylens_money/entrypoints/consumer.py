"""The ``email.ingested`` subscription: topic applylens.emails.v1, consumer group "money-service"."""

from __future__ import annotations

from applylens_contracts.events import TOPIC_EMAILS, EmailIngested
from applylens_platform.consumer import BatchHandler, Subscription

from ..settings import MoneySettings


def ingested_subscription(settings: MoneySettings, handler: BatchHandler) -> Subscription:
    """Batched, DLQ on ``applylens.emails.v1.dlq``, offsets committed after the batch is stored."""
    return Subscription(
        topic=TOPIC_EMAILS,
        group_id=settings.money_consumer_group,
        handler=handler,
        accepted_types=frozenset({EmailIngested.ce_type}),
        session_timeout_ms=settings.kafka_session_timeout_ms,
        max_records=settings.kafka_max_batch,
    )
