"""The seed's linear rule through the real broker and database: exact weights, effectively once, DLQ."""

from __future__ import annotations

import random
import uuid
from collections import Counter

import pytest
from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY

from applylens_contracts.cloudevents import KafkaRecord, encode
from applylens_contracts.events import TOPIC_ACTIONS, dlq_topic
from applylens_contracts.publisher import connect_publisher
from applylens_learner.domain import features

pytestmark = pytest.mark.integration

EMAILS = [
    {"id": "m1", "category": "promo", "sender_domain": "email.groupon.com", "list_id": "Deals <deals.groupon.com>",
     "subject": "Wholesale spa days this week"},
    {"id": "m2", "category": "recruiter", "sender_domain": "greenhouse.io", "list_id": None,
     "subject": "Interview invitation: Senior Engineer"},
    {"id": "m3", "category": "Newsletter", "sender_domain": "substack.com", "list_id": "weekly.substack.com",
     "subject": "How to prevent burnout — weekly digest"},
    {"id": "m4", "category": "promo", "sender_domain": "groupon.com", "list_id": "deals.groupon.com",
     "subject": "Flash sale event"},
]


def expected_weights(decisions: list[tuple[str, dict, int]], user: str, eta: float = 0.2) -> dict[str, float]:
    """w = eta * (approvals - rejections) per feature, counted independently of the service code."""
    from applylens_contracts.events import EmailSnapshot

    counts: Counter[str] = Counter()
    for who, email, y in decisions:
        if who == user:
            for f in features(EmailSnapshot.model_validate(email)):
                counts[f] += y
    return {f: eta * c for f, c in counts.items()}


async def test_decisions_of_two_users_give_exactly_the_rules_weights(learner, database_url, kafka_bootstrap, it):
    rng = random.Random(4)
    alice, bob = it.unique_user("alice"), it.unique_user("bob")
    decisions = [(rng.choice([alice, bob]), rng.choice(EMAILS), rng.choice([1, 1, -1])) for _ in range(80)]
    ids = []
    async with connect_publisher(kafka_bootstrap) as publisher:
        for user, email, y in decisions:
            ids.append(await publisher.publish(it.action(user, "approved" if y > 0 else "rejected", **email)))
        # proposals and manual actions teach nothing
        await publisher.publish(it.action(alice, "proposed", subject="Proposal only words"))
        await publisher.publish(it.action(bob, "manual", subject="Manual only words"))

    await it.eventually(lambda: _all(database_url, ids, it), what="80 decisions applied")
    for user in (alice, bob):
        got = await it.weights_of(database_url, user)
        want = expected_weights(decisions, user)
        assert set(got) == set(want)
        for feature, weight in want.items():
            assert got[feature] == pytest.approx(weight, abs=1e-9), feature
    # the whole-word features of SPEC §7: wholesale is not sale, prevent is not event
    both = {**await it.weights_of(database_url, alice), **await it.weights_of(database_url, bob)}
    assert "contains:wholesale" in both and "contains:prevent" in both
    assert "sender_domain:groupon.com" in both and "listid:deals.groupon.com" in both
    assert not any("only" in f for f in both)
    plus = REGISTRY.get_sample_value("user_weight_updates_total", {"user": alice, "sign": "plus"}) or 0
    minus = REGISTRY.get_sample_value("user_weight_updates_total", {"user": alice, "sign": "minus"}) or 0
    assert plus == sum(1 for u, _, y in decisions if u == alice and y > 0)
    assert minus == sum(1 for u, _, y in decisions if u == alice and y < 0)


async def _all(database_url, ids, it) -> bool:
    return await it.processed(database_url, ids) == len(ids)


async def test_the_same_events_published_twice_change_nothing(learner, database_url, kafka_bootstrap, it):
    user = it.unique_user()
    events = [(f"{user}-e{i}", it.action(user, "approved" if i % 3 else "rejected", **EMAILS[i % 4])) for i in range(12)]
    async with connect_publisher(kafka_bootstrap) as publisher:
        for event_id, event in events:
            await publisher.publish(event, event_id=event_id)
        await it.eventually(lambda: _all(database_url, [i for i, _ in events], it), what="first delivery")
        before = await it.weights_of(database_url, user)
        for event_id, event in events:  # redelivered, e.g. by a producer retry or a consumer restart
            await publisher.publish(event, event_id=event_id)
            await publisher.publish(event, event_id=event_id)
        sentinel = await publisher.publish(it.action(user, "approved", category="sentinel", subject="", list_id=None,
                                                     sender_domain=None))
    await it.eventually(lambda: _all(database_url, [sentinel], it), what="sentinel")
    after = await it.weights_of(database_url, user)
    assert after.pop("category:sentinel") == pytest.approx(0.2)
    assert after == before


async def _dlq_records(bootstrap: str, key: str, expected: int) -> list:
    import asyncio

    consumer = AIOKafkaConsumer(dlq_topic(TOPIC_ACTIONS), bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    found: list = []
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found += [r for r in records if r.key == key.encode()]
    finally:
        await consumer.stop()
    return found


async def test_a_poison_message_goes_to_the_dlq_and_the_next_good_one_is_applied(learner, database_url, kafka_bootstrap, it):
    user = it.unique_user("poison")
    good = it.action(user, "approved", category="after_poison", subject="", list_id=None, sender_domain=None)
    base = encode(good)

    def raw(value: bytes, **override: bytes) -> KafkaRecord:
        headers = dict(dict(base.headers), ce_id=uuid.uuid4().hex.encode(), **override)
        return KafkaRecord(base.topic, user.encode(), value, list(headers.items()))

    async with connect_publisher(kafka_bootstrap) as publisher:
        await publisher.publish_record(raw(b"{not json"))
        await publisher.publish_record(raw(b'{"user_id": "only"}'))
        await publisher.publish_record(raw(base.value, ce_type=b"applylens.action.exploded"))
        good_id = await publisher.publish(good)

    await it.eventually(lambda: _all(database_url, [good_id], it), what="the good event after the poison")
    assert await it.weights_of(database_url, user) == {"category:after_poison": pytest.approx(0.2)}
    group = learner.state.settings.learner_consumer_group
    dead = [r for r in await _dlq_records(kafka_bootstrap, user, 3)
            if dict(r.headers).get("dlq_consumer_group") == group.encode()]
    reasons = sorted(dict(r.headers)["dlq_reason"].decode() for r in dead)
    assert reasons == ["invalid_json", "schema_violation", "unknown_type"]
    counted = REGISTRY.get_sample_value(
        "applylens_dlq_messages_total", {"group": group, "topic": TOPIC_ACTIONS, "reason": "invalid_json"})
    assert counted and counted >= 1
