"""The shared reliable consumer against the real broker and database."""

import asyncio
import json
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import REGISTRY

from applylens_contracts.cloudevents import KafkaRecord, encode
from applylens_contracts.events import TOPIC_ACTIONS, ActionApproved, ActionRejected, EmailIngested, dlq_topic
from applylens_contracts.examples import ACTION_APPROVED_BODY
from applylens_contracts.publisher import connect_publisher
from applylens_contracts.settings import ServiceSettings
from applylens_platform.consumer import Subscription
from applylens_platform.kafka import build_broker

pytestmark = pytest.mark.integration


def approved(user: str, action_id: str) -> ActionApproved:
    return ActionApproved.model_validate(dict(ACTION_APPROVED_BODY, user_id=user, action_id=action_id))


async def publish_then_consume(bootstrap: str, events: list[tuple[str, int]], subscription: Subscription,
                               done: asyncio.Event) -> None:
    """Publish approvals (user, n) with ids "user-n", then consume with ``subscription`` until ``done``."""
    async with connect_publisher(bootstrap) as publisher:
        for user, n in events:
            await publisher.publish(approved(user, f"a{n}"), event_id=f"{user}-{n}")
    broker = build_broker(ServiceSettings(kafka_bootstrap_servers=bootstrap, service_name="probe"), [subscription])
    await broker.start()
    try:
        await asyncio.wait_for(done.wait(), 60)
    finally:
        await broker.stop()


def numbers_of(user: str, events) -> list[int]:  # type: ignore[no-untyped-def]
    """The n of each of ``user``'s events (ids "user-n", as published by publish_then_consume)."""
    return [int(e.id.rpartition("-")[2]) for e in events if e.id.startswith(user)]


def log_decodes(monkeypatch, log: list[str]) -> None:
    """Append "decoded" to ``log`` for every record the consumer decodes."""
    import applylens_platform.consumer as consumer_module

    real_decode = consumer_module.decode

    def logging_decode(value, headers):  # type: ignore[no-untyped-def]
        envelope = real_decode(value, headers)
        log.append("decoded")
        return envelope

    monkeypatch.setattr(consumer_module, "decode", logging_decode)


def decodes_during_each_write(log: list[str]) -> list[int]:
    """From a log of "decoded", "write starts" and "write ends": the records decoded during each write."""
    counts: list[int] = []
    current: int | None = None
    for entry in log:
        if entry == "write starts":
            current = 0
        elif entry == "write ends":
            counts.append(current or 0)
            current = None
        elif current is not None:
            current += 1
    return counts


async def read_dlq(bootstrap: str, user: str, expected: int, timeout: float = 30) -> list:
    consumer = AIOKafkaConsumer(dlq_topic(TOPIC_ACTIONS), bootstrap_servers=bootstrap,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    found = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                found += [r for r in records if r.key == user.encode()]
    finally:
        await consumer.stop()
    return found


@pytest.mark.parametrize("chunk", [500, 2], ids=["one-chunk", "pipelined-chunks"])
async def test_poison_goes_to_dlq_good_events_apply_once_transient_errors_retry(kafka_bootstrap, database_url, chunk):
    user = f"u-{uuid.uuid4().hex[:8]}"
    writes = {"in_flight": 0, "most": 0}
    conn = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    await conn.execute("CREATE TABLE IF NOT EXISTS consumer_probe (event_id text PRIMARY KEY, user_id text, action_id text)")
    transient_failures = {"left": 2}

    async def handler(events) -> int:
        writes["in_flight"] += 1
        writes["most"] = max(writes["most"], writes["in_flight"])
        try:
            return await apply(events)
        finally:
            writes["in_flight"] -= 1

    async def apply(events) -> int:
        if transient_failures["left"]:
            transient_failures["left"] -= 1
            raise ConnectionRefusedError("database is restarting")
        if any(e.envelope.data.action_id == "boom" for e in events):
            raise ValueError("this event cannot be applied")
        rows = await conn.fetch(
            "INSERT INTO consumer_probe SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) "
            "ON CONFLICT DO NOTHING RETURNING event_id",
            [e.id for e in events], [e.envelope.data.user_id for e in events],
            [e.envelope.data.action_id for e in events],
        )
        return len(rows)

    subscription = Subscription(
        topic=TOPIC_ACTIONS, group_id=f"probe-{uuid.uuid4().hex[:6]}", handler=handler,
        accepted_types=frozenset({ActionApproved.ce_type, ActionRejected.ce_type}), max_attempts=2,
        pipeline_chunk=chunk,
    )
    settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap, service_name="probe")
    broker = build_broker(settings, [subscription])

    good = approved(user, "a1")
    async with connect_publisher(kafka_bootstrap) as publisher:
        await publisher.publish(good, event_id=f"{user}-1")
        await publisher.publish(good, event_id=f"{user}-1")  # redelivery of the same event
        base = encode(good)
        headers = dict(base.headers)
        def raw(value: bytes, **override: bytes) -> KafkaRecord:
            h = dict(headers, ce_id=uuid.uuid4().hex.encode(), **override)
            return KafkaRecord(base.topic, user.encode(), value, list(h.items()))
        await publisher.publish_record(raw(b"{not json"))
        await publisher.publish_record(raw(json.dumps({"user_id": user}).encode()))
        await publisher.publish_record(raw(base.value, ce_type=b"applylens.action.unknown"))
        ingested = EmailIngested.model_validate({"user_id": user, "occurred_at": "2026-01-01T00:00:00Z",
                                                 "email": {"id": "m1"}})
        await publisher.publish_record(raw(encode(ingested).value, ce_type=ingested.ce_type.encode()))
        await publisher.publish(approved(user, "boom"), event_id=f"{user}-boom")
        await publisher.publish(approved(user, "a2"), event_id=f"{user}-2")

    await broker.start()
    try:
        for _ in range(300):
            count = await conn.fetchval("SELECT count(*) FROM consumer_probe WHERE user_id = $1", user)
            if count >= 2:
                break
            await asyncio.sleep(0.1)
        dead = await read_dlq(kafka_bootstrap, user, expected=5)
    finally:
        await broker.stop()
        rows = await conn.fetch("SELECT event_id, action_id FROM consumer_probe WHERE user_id = $1 ORDER BY action_id", user)
        await conn.close()

    assert [(r["event_id"], r["action_id"]) for r in rows] == [(f"{user}-1", "a1"), (f"{user}-2", "a2")]
    reasons = sorted(dict(r.headers)["dlq_reason"].decode() for r in dead)
    assert reasons == ["invalid_json", "processing_failed", "schema_violation", "unexpected_type", "unknown_type"]
    boom = next(r for r in dead if dict(r.headers)["dlq_reason"] == b"processing_failed")
    assert b"this event cannot be applied" in dict(boom.headers)["dlq_error"]
    assert dict(boom.headers)["ce_id"] == f"{user}-boom".encode()  # the original headers travel along
    assert transient_failures["left"] == 0
    assert writes["most"] == 1  # chunks are written one at a time, in order


async def test_next_chunk_is_decoded_while_the_previous_one_is_written(kafka_bootstrap, monkeypatch):
    """The pipeline overlaps: while a chunk is written, the next chunk of the batch is decoded.

    The group reads the shared topic from the start (other tests' records too), so chunk
    boundaries are not ours to choose: the check is over every write of the run.
    """
    user = f"u-{uuid.uuid4().hex[:8]}"
    log: list[str] = []
    log_decodes(monkeypatch, log)
    done = asyncio.Event()

    async def handler(events) -> int:
        log.append("write starts")
        await asyncio.sleep(0.05)  # the database at work
        log.append("write ends")
        if any(e.id == f"{user}-119" for e in events):
            done.set()
        return len(events)

    chunk = 40
    subscription = Subscription(topic=TOPIC_ACTIONS, group_id=f"probe-{uuid.uuid4().hex[:6]}", handler=handler,
                                accepted_types=frozenset({ActionApproved.ce_type}), pipeline_chunk=chunk)
    # one partition (keyed by user): at least two full chunks in one batch
    await publish_then_consume(kafka_bootstrap, [(user, i) for i in range(120)], subscription, done)

    assert max(decodes_during_each_write(log)) == chunk  # a whole next chunk, decoded while the write ran


async def test_write_lanes_run_concurrently_and_keep_each_keys_order(kafka_bootstrap):
    """Two lanes write at once; the events of one key (user) stay in one lane, in order."""
    users = [f"u-{uuid.uuid4().hex[:8]}" for _ in range(16)]
    per_user = 30
    seen: dict[str, list[int]] = {u: [] for u in users}
    in_flight = {"now": 0, "most": 0}
    done = asyncio.Event()

    async def handler(events) -> int:
        in_flight["now"] += 1
        in_flight["most"] = max(in_flight["most"], in_flight["now"])
        try:
            await asyncio.sleep(0.02)  # the database at work
            for e in events:
                user, _, n = e.id.rpartition("-")
                if user in seen:
                    seen[user].append(int(n))
            if all(len(ids) >= per_user for ids in seen.values()):
                done.set()
            return len(events)
        finally:
            in_flight["now"] -= 1

    subscription = Subscription(topic=TOPIC_ACTIONS, group_id=f"lanes-{uuid.uuid4().hex[:6]}", handler=handler,
                                accepted_types=frozenset({ActionApproved.ce_type}), pipeline_chunk=10, write_lanes=2)
    interleaved = [(user, i) for i in range(per_user) for user in users]
    await publish_then_consume(kafka_bootstrap, interleaved, subscription, done)

    assert all(ids == list(range(per_user)) for ids in seen.values()), seen
    assert in_flight["most"] == 2  # the lanes overlapped, and never more than two at once


async def test_next_batch_is_decoded_while_the_previous_batch_is_written(kafka_bootstrap, monkeypatch):
    """Batches overlap: each batch is one chunk here, so a record decoded during a write is the next batch's.

    Without the overlap, a batch's fetch and decode waited for the previous batch's last write.
    """
    user = f"u-{uuid.uuid4().hex[:8]}"
    log: list[str] = []
    log_decodes(monkeypatch, log)
    done = asyncio.Event()
    applied: list[int] = []

    async def handler(events) -> int:
        log.append("write starts")
        await asyncio.sleep(0.05)  # the database at work
        log.append("write ends")
        applied.extend(numbers_of(user, events))
        if len(applied) == 100:
            done.set()
        return len(events)

    subscription = Subscription(topic=TOPIC_ACTIONS, group_id=f"overlap-{uuid.uuid4().hex[:6]}", handler=handler,
                                accepted_types=frozenset({ActionApproved.ce_type}), max_records=20,
                                pipeline_chunk=1000)
    await publish_then_consume(kafka_bootstrap, [(user, i) for i in range(100)], subscription, done)

    assert max(decodes_during_each_write(log)) > 0  # the next batch was read and decoded while a write ran
    assert applied == list(range(100))  # and the user's events were still applied in order


async def test_stopping_waits_for_the_batch_in_flight_and_commits_it(kafka_bootstrap):
    """SIGTERM drains: a batch whose writes are still running when the broker stops is finished and committed."""
    user = f"u-{uuid.uuid4().hex[:8]}"
    group = f"drain-{uuid.uuid4().hex[:6]}"
    last = {"partition": -1, "offset": -1, "written": False}
    done = asyncio.Event()

    async def handler(events) -> int:
        mine = [e for e in events if e.id.startswith(user)]
        if mine and mine[-1].id == f"{user}-59":
            last.update(partition=mine[-1].partition, offset=mine[-1].offset)
            done.set()  # the broker stops while this write is still running
            await asyncio.sleep(0.5)
            last["written"] = True
        return len(events)

    subscription = Subscription(topic=TOPIC_ACTIONS, group_id=group, handler=handler,
                                accepted_types=frozenset({ActionApproved.ce_type}), max_records=20)
    await publish_then_consume(kafka_bootstrap, [(user, i) for i in range(60)], subscription, done)

    assert last["written"]
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        committed = await consumer.committed(TopicPartition(TOPIC_ACTIONS, last["partition"]))
    finally:
        await consumer.stop()
    assert committed == last["offset"] + 1
    lag = REGISTRY.get_sample_value(
        "applylens_consumer_lag", {"group": group, "topic": TOPIC_ACTIONS, "partition": str(last["partition"])})
    assert lag is not None  # reported after each batch (it never was while the call wrapper stood for the subscriber)


async def test_a_crashed_batch_is_read_again_and_nothing_after_it_is_lost(kafka_bootstrap, monkeypatch):
    """A bug (not bad data) crashes a batch while the next is in flight: both are read again, every event applies."""
    import applylens_platform.consumer as consumer_module

    user = f"u-{uuid.uuid4().hex[:8]}"
    real_decode = consumer_module.decode
    crashes = {"left": 1}

    def crashing_decode(value, headers):  # type: ignore[no-untyped-def]
        envelope = real_decode(value, headers)
        if envelope.id == f"{user}-30" and crashes["left"]:
            crashes["left"] -= 1
            raise RuntimeError("a bug in the consumer")
        return envelope

    monkeypatch.setattr(consumer_module, "decode", crashing_decode)
    applied: set[int] = set()
    done = asyncio.Event()

    async def handler(events) -> int:
        await asyncio.sleep(0.02)
        applied.update(numbers_of(user, events))
        if len(applied) == 100:
            done.set()
        return len(events)

    subscription = Subscription(topic=TOPIC_ACTIONS, group_id=f"crash-{uuid.uuid4().hex[:6]}", handler=handler,
                                accepted_types=frozenset({ActionApproved.ce_type}), max_records=20,
                                pipeline_chunk=10)
    await publish_then_consume(kafka_bootstrap, [(user, i) for i in range(100)], subscription, done)

    assert crashes["left"] == 0
    assert applied == set(range(100))
