"""Reliable batched consumption: effectively-once with the handler's help, DLQ, no loss.

Delivery from Kafka is at-least-once. A subscription here:

1. decodes each record of a batch as a CloudEvent (``applylens_contracts.cloudevents``);
   a record that is not valid JSON, breaks the schema, or has a type this
   subscription does not accept goes to ``<topic>.dlq`` with the reason in headers;
2. hands the valid events, in order, to the service's batch handler, which must apply
   them in ONE database transaction that also records each event id (so a
   redelivered event changes nothing);
3. commits the offsets only after that transaction (and the DLQ writes) succeeded,
   batch after batch in order. Two batches may be in flight: the next one is fetched and
   decoded while the last writes of the previous one run, and each key's events are still
   written in order (a key keeps its write lane, and a lane finishes one batch first).

While the database is unreachable the handler's transaction fails with a transient
error: nothing is committed, consumption of this partition set pauses, and the
same batch is retried with backoff until the database returns. A batch that fails
for another reason is split, and an event that keeps failing on its own goes to
the DLQ after ``max_attempts`` tries, so one poison event never blocks the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from applylens_contracts.cloudevents import Envelope, InvalidEvent, decode
from applylens_contracts.events import dlq_topic

from . import metrics
from .db import is_transient

log = logging.getLogger(__name__)


class ConsumedEvent(NamedTuple):
    """A valid event and where it came from (a tuple: one is built per consumed record)."""

    envelope: Envelope
    record: ConsumerRecord

    @property
    def topic(self) -> str:
        return self.record.topic

    @property
    def partition(self) -> int:
        return self.record.partition

    @property
    def offset(self) -> int:
        return self.record.offset

    @property
    def id(self) -> str:
        return self.envelope.id


# Applies the events in one transaction; returns how many were new (not seen before).
BatchHandler = Callable[[Sequence[ConsumedEvent]], Awaitable[int]]


@dataclass
class Subscription:
    topic: str
    group_id: str
    handler: BatchHandler
    accepted_types: frozenset[str]
    max_attempts: int = 3
    session_timeout_ms: int = 6000
    max_records: int = 2000
    retry_backoff_max: float = 5.0
    # The broker may hold a fetch this long even when records arrive meanwhile (tansu does):
    # aiokafka's default of 500 ms put ~0.5 s on every idle-to-busy event's latency.
    fetch_max_wait_ms: int = 100
    # Events per handler call: a batch larger than this is applied in chunks, the next chunk
    # decoded while this one is written (each chunk is one transaction and one round trip).
    pipeline_chunk: int = 500
    # Concurrent writers per batch, records split by key. More than one is only correct when
    # the handler's writes for different keys do not depend on each other's (as with two
    # replicas, each owning some partitions); the handler then needs that many connections.
    write_lanes: int = 1
    _subscriber: object | None = field(default=None, repr=False)

    def register(self, broker: KafkaBroker) -> None:
        """Attach this subscription to ``broker`` (before the broker starts)."""
        processor = _BatchProcessor(self, broker)

        async def consume(message: KafkaMessage) -> None:
            try:
                await processor(message)
            except asyncio.CancelledError:
                await message.nack()  # shutting down mid-batch: leave it for the next owner
                raise
            except Exception:
                # A bug, not bad data: rewind so nothing after this batch is committed past it.
                log.exception("batch processing crashed; rewinding to the batch start")
                await message.nack()
                await asyncio.sleep(1.0)

        consume.__name__ = f"consume_{self.group_id.replace('-', '_')}"
        subscriber = broker.subscriber(
            self.topic,
            group_id=self.group_id,
            batch=True,
            max_records=self.max_records,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            session_timeout_ms=self.session_timeout_ms,
            fetch_max_wait_ms=self.fetch_max_wait_ms,
            heartbeat_interval_ms=max(500, self.session_timeout_ms // 3),
            parser=_parse_batch_headers_of_first_only,
            decoder=_no_decode,
            title=f"{self.group_id}:{self.topic}",
        )
        subscriber(consume)  # returns a call wrapper; the subscriber holds the aiokafka consumer
        self._subscriber = processor.subscriber = subscriber


def _batch_done(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()  # logged where it happened; retrieved here so asyncio does not warn again


async def _succeeded(task: asyncio.Task[None]) -> bool:
    with contextlib.suppress(BaseException):
        await task
    return not task.cancelled() and task.exception() is None


async def _parse_batch_headers_of_first_only(
    records: tuple[ConsumerRecord, ...], original: Callable[[tuple[ConsumerRecord, ...]], Awaitable[KafkaMessage]]
) -> KafkaMessage:
    # FastStream's batch parser turns every record's headers into a dict that nothing here
    # reads (the processor decodes the raw records): ~3 % of the policy consumer's CPU. Parse
    # the first record only, then hand over the whole batch (what ack/nack and the processor use).
    message = await original(records[:1])
    message.raw_message = records
    return message


async def _no_decode(_message: object) -> None:
    # The processor reads raw records: decoding is ours (CloudEvents + DLQ), not FastStream's.
    return None


def _header_str(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


_DECODE_SLICE = 50

_startup_frozen = False
_GC_YOUNG_THRESHOLD = 100_000


def _freeze_startup_objects() -> None:
    """Once per process, at the first batch: keep what startup built out of the collector's scans.

    By the first batch the service has imported everything and migrated (policy-service then
    holds ~160,000 objects). Every full collection walks all long-lived
    objects, and a consumer allocating per event triggers full collections often: in the
    policy benchmark they took a fifth of the consumer's CPU (docs/PERFORMANCE.md). Frozen
    objects are still freed by reference counting; only cycles among them outlive the process.

    A batch also keeps ~100,000 objects alive at once (8,000 records, their events and rows):
    at the default threshold (700 more objects alive than at the last collection) the youngest
    generation is collected every few events, each walk promoting the batch into the older
    generations to be walked again. At 100,000 a young collection waits for about a batch's
    worth of live objects, and cyclic garbage waits for at most that many.
    """
    global _startup_frozen
    if not _startup_frozen:
        _startup_frozen = True
        gc.collect()
        gc.freeze()
        gc.set_threshold(_GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


# (record, reason, detail) of each record bound for the dead-letter topic
Dead = list[tuple[ConsumerRecord, str, str]]


class _Batch:
    """One consumed batch in flight: its lanes, then its finish (DLQ, commit, metrics)."""

    def __init__(self, records: Sequence[ConsumerRecord]) -> None:
        self.records = records
        self.dead: Dead = []
        self.started = time.perf_counter()
        self.lanes: list[asyncio.Task[tuple[int, int]]] = []
        self.finished: asyncio.Task[None] | None = None

    def first_offsets(self) -> dict[TopicPartition, int]:
        first: dict[TopicPartition, int] = {}
        for record in self.records:
            first.setdefault(TopicPartition(record.topic, record.partition), record.offset)
        return first

    def next_offsets(self) -> dict[TopicPartition, int]:
        return {TopicPartition(r.topic, r.partition): r.offset + 1 for r in self.records}


class _BatchProcessor:
    """Applies batches with two in flight: the next batch is fetched and decoded while the
    previous one's last writes run. One at a time, each batch's fetch and first decode left
    PostgreSQL idle and its last writes left Python idle: in a policy benchmark run no write
    was in flight for 0.74 s of 4.33 s (0.45 s between batches, 0.29 s inside them).

    Order still holds: each lane writes a batch only after its share of the previous batch is
    written (a key always maps to the same lane), and batches commit their offsets in order.
    """

    def __init__(self, subscription: Subscription, broker: KafkaBroker) -> None:
        self.sub = subscription
        self.broker = broker
        self.subscriber: object | None = None
        self._previous: _Batch | None = None
        self._lane_tails: dict[int, asyncio.Task[tuple[int, int]]] = {}

    async def __call__(self, message: KafkaMessage) -> None:
        _freeze_startup_objects()
        records: Sequence[ConsumerRecord] = message.raw_message  # type: ignore[assignment]
        if not isinstance(records, (list, tuple)):
            records = [records]
        metrics.CONSUMER_BATCH_SIZE.labels(self.sub.group_id).observe(len(records))
        batch = _Batch(records)
        previous, self._previous = self._previous, batch
        previous_finished = previous.finished if previous is not None else None
        # Records are split into ``write_lanes`` lanes by key (records with one key share a
        # lane, so each key's events are applied in order, as Kafka orders a partition) and
        # the lanes are written concurrently, each on its own connection.
        lanes = self.sub.write_lanes
        shares: dict[int, list[ConsumerRecord]] = {}
        for record in records:
            shares.setdefault(hash(record.key) % lanes if lanes > 1 else 0, []).append(record)
        for lane, share in shares.items():
            task = asyncio.create_task(self._pipeline(share, batch.dead, after=self._lane_tails.get(lane)))
            batch.lanes.append(task)
            self._lane_tails[lane] = task
        batch.finished = asyncio.create_task(self._finish(batch, previous_finished))
        batch.finished.add_done_callback(_batch_done)
        if previous is None or previous_finished is None:
            return
        try:
            await asyncio.shield(previous_finished)  # at most two batches in flight
        except BaseException as exc:
            # Shutting down, or the previous batch failed (a bug, not bad data: that is
            # dead-lettered): this batch is dropped, and both are read again from the start.
            batch.finished.cancel()
            for lane in batch.lanes:
                lane.cancel()
            self._previous, self._lane_tails = None, {}
            if isinstance(exc, asyncio.CancelledError):
                raise
            self._rewind(previous, batch)
            await asyncio.sleep(1.0)

    async def _finish(self, batch: _Batch, previous_finished: asyncio.Task[None] | None) -> None:
        """Wait for the batch's lanes, then (after the previous batch's finish) dead-letter, commit and report."""
        lock = getattr(self.subscriber, "lock", contextlib.nullcontext())
        with lock:  # FastStream's graceful stop waits for what holds its lock: SIGTERM drains this batch
            try:
                try:
                    results = await asyncio.gather(*batch.lanes)
                except BaseException:
                    for lane in batch.lanes:
                        lane.cancel()
                    raise
                if previous_finished is not None:
                    await previous_finished
            except asyncio.CancelledError:
                raise
            except Exception:
                if previous_finished is None or await _succeeded(previous_finished):
                    # The first failure rewinds (and says why); later batches fail with it.
                    log.exception("batch processing crashed; rewinding to the batch start")
                    self._rewind(batch)
                raise
            await self._dead_letter(batch.dead)
            await self._commit(batch)
        group = self.sub.group_id
        valid = sum(v for v, _ in results)
        applied = sum(a for _, a in results)
        processing_failed = sum(1 for _, reason, _ in batch.dead if reason == "processing_failed")
        metrics.CONSUMER_EVENTS.labels(group, "applied").inc(applied)
        metrics.CONSUMER_EVENTS.labels(group, "duplicate").inc(valid - applied - processing_failed)
        metrics.CONSUMER_EVENTS.labels(group, "dlq").inc(len(batch.dead))
        metrics.CONSUMER_BATCH_SECONDS.labels(group).observe(time.perf_counter() - batch.started)
        await self._report_lag()

    def _consumer(self) -> AIOKafkaConsumer | None:
        return getattr(self.subscriber, "consumer", None)

    async def _commit(self, batch: _Batch) -> None:
        consumer = self._consumer()
        if consumer is None:
            return
        try:
            await consumer.commit(batch.next_offsets())
        except KafkaError as exc:
            # The group rebalanced meanwhile or the broker is away: the partitions' next owner (or
            # this one, from the last commit) reads the batch again, and its events are recorded
            # by id, so applying them twice changes nothing. A later batch's commit covers it.
            log.warning("offsets not committed (%s: %s); the partitions' next owner re-reads them", type(exc).__name__, exc)

    def _rewind(self, *batches: _Batch) -> None:
        """Seek each partition of ``batches`` back to the first of their records on it."""
        consumer = self._consumer()
        if consumer is None:
            return
        first: dict[TopicPartition, int] = {}
        for batch in batches:
            for partition, offset in batch.first_offsets().items():
                first[partition] = min(offset, first.get(partition, offset))
        assigned = consumer.assignment()
        for partition, offset in first.items():
            if partition in assigned:
                consumer.seek(partition, offset)

    async def _pipeline(
        self, records: Sequence[ConsumerRecord], dead: Dead, *, after: asyncio.Task[tuple[int, int]] | None = None
    ) -> tuple[int, int]:
        """Decode and apply ``records`` in order, in chunks, one write in flight at a time.

        Decoding the next chunk (Python) overlaps with writing this one (PostgreSQL, another
        core). The first write waits for ``after`` (this lane's share of the previous batch).
        Returns (valid events, applied events); invalid and failed records go to ``dead``.
        """
        valid = applied = 0
        writing: asyncio.Task[tuple[int, Dead]] | None = None
        try:
            chunk = self.sub.pipeline_chunk
            for start in range(0, len(records) + chunk, chunk):  # one pass past the end collects the last write
                events = await self._decode(records[start : start + chunk], dead)
                valid += len(events)
                if writing is not None:
                    done, failed = await writing
                    applied, writing = applied + done, None
                    dead.extend(failed)
                elif after is not None:
                    await after  # raises if this lane's previous share failed: nothing more is written
                    after = None
                if events:
                    writing = asyncio.create_task(self._apply(events))
                    await asyncio.sleep(0)  # let the write build and send its statement first
        finally:
            if writing is not None:  # cancelled or crashed meanwhile: nothing is committed
                writing.cancel()
        return valid, applied

    async def _decode(
        self, records: Sequence[ConsumerRecord], dead: Dead
    ) -> list[ConsumedEvent]:
        """Decode a chunk, yielding to the event loop every ``_DECODE_SLICE`` records.

        The yields are what makes the pipeline overlap: the previous chunk's write task runs
        only when this coroutine yields (to build and send its statement, and to take the
        answer as soon as it arrives) — decoding a whole chunk in one go would serialise them.
        """
        events: list[ConsumedEvent] = []
        for n, record in enumerate(records, 1):
            if n % _DECODE_SLICE == 0:
                await asyncio.sleep(0)
            try:
                envelope = decode(record.value, record.headers)
            except InvalidEvent as exc:
                dead.append((record, exc.reason, exc.detail))
                continue
            if envelope.type not in self.sub.accepted_types:
                dead.append((record, "unexpected_type", f"{envelope.type} is not consumed from {record.topic}"))
                continue
            events.append(ConsumedEvent(envelope, record))
        return events

    async def _apply(self, events: list[ConsumedEvent]) -> tuple[int, Dead]:
        """Apply the batch; on a non-transient failure fall back to one event at a time."""
        if not events:
            return 0, []
        try:
            return await self._with_transient_retry(events), []
        except _PermanentFailure as exc:
            if len(events) == 1:
                return 0, [(events[0].record, "processing_failed", exc.detail)]
            log.warning("batch failed (%s); applying its %d events one by one", exc.detail, len(events))
        applied = 0
        failed: Dead = []
        for event in events:
            for attempt in range(1, self.sub.max_attempts + 1):
                try:
                    applied += await self._with_transient_retry([event])
                    break
                except _PermanentFailure as exc:
                    metrics.CONSUMER_RETRIES.labels(self.sub.group_id, "permanent").inc()
                    if attempt == self.sub.max_attempts:
                        log.error("event %s failed %d times, sent to DLQ: %s", event.id, attempt, exc.detail)
                        failed.append((event.record, "processing_failed", exc.detail))
        return applied, failed

    async def _with_transient_retry(self, events: Sequence[ConsumedEvent]) -> int:
        delay = 0.2
        while True:
            try:
                applied = await self.sub.handler(events)
                metrics.DEPENDENCY_UP.labels("database").set(1)
                return applied
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not is_transient(exc):
                    raise _PermanentFailure(f"{type(exc).__name__}: {exc}") from exc
                metrics.DEPENDENCY_UP.labels("database").set(0)
                metrics.CONSUMER_RETRIES.labels(self.sub.group_id, "transient").inc()
                log.warning("database unavailable (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.sub.retry_backoff_max)

    async def _dead_letter(self, dead: Dead) -> None:
        delay = 0.2
        for record, reason, detail in dead:
            headers = {name: _header_str(value) for name, value in (record.headers or ())}
            headers.update(
                {
                    "dlq_reason": reason,
                    "dlq_error": detail[:2000],
                    "dlq_source_topic": record.topic,
                    "dlq_source_partition": str(record.partition),
                    "dlq_source_offset": str(record.offset),
                    "dlq_consumer_group": self.sub.group_id,
                }
            )
            while True:
                try:
                    await self.broker.publish(
                        record.value or b"", topic=dlq_topic(record.topic), key=record.key, headers=headers
                    )
                    break
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # the broker is down: do not commit past this record
                    log.warning("DLQ publish failed (%s); retrying in %.1fs", exc, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.sub.retry_backoff_max)
            metrics.DLQ_MESSAGES.labels(self.sub.group_id, record.topic, reason).inc()
            log.warning("sent %s[%d]@%d to DLQ: %s: %s", record.topic, record.partition, record.offset, reason, detail)

    async def _report_lag(self) -> None:
        consumer = getattr(self.subscriber, "consumer", None)
        if consumer is None:
            return
        try:
            for tp in consumer.assignment():
                highwater = consumer.highwater(tp)
                if highwater is None:
                    continue
                position = await consumer.position(tp)
                metrics.CONSUMER_LAG.labels(self.sub.group_id, tp.topic, str(tp.partition)).set(
                    max(0, highwater - position)
                )
        except Exception:  # lag is best effort; never fail a batch over it
            log.debug("could not compute consumer lag", exc_info=True)


class _PermanentFailure(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
