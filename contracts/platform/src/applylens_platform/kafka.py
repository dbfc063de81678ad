"""Building the FastStream Kafka broker the same way in every service."""

from __future__ import annotations

from collections.abc import Iterable

from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import REGISTRY

from applylens_contracts.settings import ServiceSettings

from .consumer import Subscription

MAX_MESSAGE_BYTES = 8 * 1024 * 1024


def build_broker(settings: ServiceSettings, subscriptions: Iterable[Subscription] = ()) -> KafkaBroker:
    """A broker with our subscriptions registered and faststream_* metrics exported."""
    broker = KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        max_request_size=MAX_MESSAGE_BYTES,
        graceful_timeout=15.0,
        middlewares=[KafkaPrometheusMiddleware(registry=REGISTRY, app_name=settings.service_name)],
    )
    for subscription in subscriptions:
        subscription.register(broker)
    return broker


async def ping(broker: KafkaBroker, timeout: float = 2.0) -> bool:
    return await broker.ping(timeout)
