"""Smoke test through the real broker: what the publisher sends is what a group subscriber gets."""

import asyncio
import uuid

import pytest
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from applylens_contracts.cloudevents import decode
from applylens_contracts.events import TOPIC_ACTIONS, ActionApproved
from applylens_contracts.examples import ACTION_APPROVED_BODY
from applylens_contracts.publisher import connect_publisher

pytestmark = pytest.mark.integration


async def test_published_event_arrives_decoded_with_its_cloudevent_headers(kafka_bootstrap):
    user = f"smoke-{uuid.uuid4().hex[:8]}@example.com"
    sent = ActionApproved.model_validate(dict(ACTION_APPROVED_BODY, user_id=user))
    received: asyncio.Queue = asyncio.Queue()

    broker = KafkaBroker(kafka_bootstrap)

    @broker.subscriber(TOPIC_ACTIONS, group_id=f"smoke-{uuid.uuid4().hex[:6]}", auto_offset_reset="earliest",
                       ack_policy=AckPolicy.MANUAL, session_timeout_ms=6000)
    async def on_message(body: dict, message: KafkaMessage) -> None:
        record = message.raw_message
        if record.key == user.encode():
            await received.put(record)
        await message.ack()

    async with connect_publisher(kafka_bootstrap, source="/smoke") as publisher:
        event_id = await publisher.publish(sent)
    await broker.start()
    try:
        record = await asyncio.wait_for(received.get(), timeout=30)
    finally:
        await broker.stop()

    headers = {k: v for k, v in record.headers}
    assert headers["ce_id"] == event_id.encode()
    assert headers["ce_type"] == b"applylens.action.approved"
    assert headers["ce_source"] == b"/smoke"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["content-type"] == b"application/json"
    envelope = decode(record.value, record.headers)
    assert envelope.data == sent
    assert envelope.id == event_id
