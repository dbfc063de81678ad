"""A typed event publisher over FastStream's Kafka broker, for tests, the demo and any Python producer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime

from faststream.kafka import KafkaBroker

from .cloudevents import DEFAULT_SOURCE, KafkaRecord, encode
from .events import Event


class EventPublisher:
    """Publishes events as CloudEvents (binary mode), keyed by user id."""

    def __init__(self, broker: KafkaBroker, *, source: str = DEFAULT_SOURCE) -> None:
        self._broker = broker
        self._source = source

    async def publish(self, event: Event, *, event_id: str | None = None, time: datetime | None = None) -> str:
        """Publish one event and wait for the broker's acknowledgement. Returns the CloudEvent id."""
        record = encode(event, source=self._source, event_id=event_id, time=time)
        await self.publish_record(record)
        return dict(record.headers)["ce_id"].decode()

    async def publish_record(self, record: KafkaRecord) -> None:
        """Publish a pre-built record as is (also how tests send malformed messages)."""
        await self._broker.publish(
            record.value,
            topic=record.topic,
            key=record.key,
            headers={name: value.decode() for name, value in record.headers},
        )

    async def publish_many(self, events: Iterable[Event]) -> list[str]:
        return [await self.publish(event) for event in events]


@asynccontextmanager
async def connect_publisher(bootstrap_servers: str, *, source: str = DEFAULT_SOURCE) -> AsyncIterator[EventPublisher]:
    """A connected publisher; the connection closes when the block ends."""
    broker = KafkaBroker(bootstrap_servers, max_request_size=8 * 1024 * 1024)
    await broker.connect()
    try:
        yield EventPublisher(broker, source=source)
    finally:
        await broker.stop()
