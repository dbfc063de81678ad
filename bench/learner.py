"""learner-service end to end: decisions/s from publish to committed weights, and latency.

Beside the raw baselines measured in the same run on the same broker and database:
- raw aiokafka consume rate (``getmany``, no decoding), messages/s;
- raw asyncpg additive upsert (unnest arrays, pre-summed), rows/s — divided by the rows
  one decision writes (its features + its dedup row) to give the events/s a bare upsert
  loop could sustain.

Phases, one learner (consumer role, linear rule, the real FastStream subscription):
1. throughput: N decisions of 1,000 users produced as fast as aiokafka can, timed from the
   first send to the commit of the last weight update (a commit listener stamps each event);
2. latency: decisions sent at a fixed 1,000 events/s for a few seconds; per event,
   commit time minus send time (wall clock, one machine) -> p50 / p99.

    uv run python bench/learner.py              # scale 1.0: 20,000 events + 10 s at 1,000/s
    BENCH_SCALE=0.2 uv run python bench/learner.py
Targets (issue 4): end-to-end >= 0.5 x the slower raw baseline in events/s; p99 < 250 ms at 1,000/s.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import logging  # noqa: E402

from aiokafka import AIOKafkaProducer  # noqa: E402
from prometheus_client import REGISTRY  # noqa: E402

from applylens_contracts.cloudevents import encode  # noqa: E402
from applylens_contracts.events import ActionApproved, ActionRejected, EmailSnapshot  # noqa: E402
from applylens_learner.bootstrap import build_app  # noqa: E402
from applylens_learner.domain import features  # noqa: E402
from applylens_learner.settings import LearnerSettings  # noqa: E402
from bench.common import (  # noqa: E402
    bench_infra,
    env_scale,
    percentile,
    print_table,
    raw_consume_rate,
    raw_upsert_rate,
    save,
)

CATEGORIES = ["promo", "newsletter", "social", "updates", "finance", "recruiter", "events", "personal"]
WORDS = (
    "sale discount deal offer weekly digest roundup friend photo security alert password receipt invoice "
    "payment order refund role interview engineer hiring onsite event meetup conference webinar dinner trip "
    "launch news members exclusive reminder final chance today latest update account statement ticket agenda"
).split()


def make_events(n: int, users: int, seed: int) -> list:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        category = rng.choice(CATEGORIES)
        email = {
            "id": f"m{i}",
            "category": category,
            "sender_domain": f"mail.sender{rng.randrange(200)}.com",
            "list_id": f"list{rng.randrange(50)}.example.com" if rng.random() < 0.5 else None,
            "subject": " ".join(rng.sample(WORDS, rng.randint(3, 6))),
        }
        model = ActionApproved if rng.random() < 0.6 else ActionRejected
        out.append(model.model_validate({
            "user_id": f"user{rng.randrange(users)}@example.com", "action_id": f"a{i}", "policy_id": 1,
            "policy_name": "p", "action": "archive_email", "email": email, "occurred_at": "2026-03-01T09:00:00Z",
        }))
    return out


def produce(bootstrap: str, n: int, users: int, seed: int, rate: float | None) -> tuple[float, dict[str, float]]:
    """In a child process (the producer is another service): send ``n`` decisions, as fast as
    possible (``rate=None``) or at ``rate`` events/s; returns (start time, {event id: send time})."""

    async def run() -> tuple[float, dict[str, float]]:
        records = [encode(e) for e in make_events(n, users, seed)]  # encoding is not timed
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0 if rate else 5, max_batch_size=1 << 20)
        await producer.start()
        try:
            sent: dict[str, float] = {}
            futures = []
            started = time.time()
            t0 = time.perf_counter()
            for k, record in enumerate(records):
                if rate:
                    delay = t0 + k / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                futures.append(await producer.send(record.topic, record.value, key=record.key, headers=record.headers))
                sent[dict(record.headers)["ce_id"].decode()] = time.time()
            await asyncio.gather(*futures)
            return started, sent
        finally:
            await producer.stop()

    return asyncio.run(run())


def rows_per_event(events: list) -> float:
    """Mean rows one decision writes: one upsert row per feature plus its dedup row."""
    return sum(len(features(EmailSnapshot.model_validate(e.email.model_dump()))) + 1 for e in events) / len(events)


def _split() -> dict[str, float]:
    """Cumulative consumer batch time and database time, from the metrics the service exports."""
    def total(name: str, labels: dict[str, str]) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    group = {"group": _GROUP}
    return {
        "batches": total("applylens_consumer_batch_seconds_count", group),
        "batch_seconds": total("applylens_consumer_batch_seconds_sum", group),
        "db_seconds": total("learner_apply_seconds_sum", {"algorithm": "linear"}),
    }


_GROUP = f"bench-{uuid.uuid4().hex[:6]}"


async def _wait_for(stamps: dict[str, float], ids: list[str], timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while any(i not in stamps for i in ids[-50:]) or sum(1 for i in ids if i in stamps) < len(ids):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"only {sum(1 for i in ids if i in stamps)} of {len(ids)} events committed")
        await asyncio.sleep(0.02)


async def run(scale: float) -> dict:
    n_throughput = max(2000, int(20_000 * scale))
    latency_seconds = max(3.0, 10.0 * scale)
    async with bench_infra() as (bootstrap, dsn):
        raw_consume = await raw_consume_rate(bootstrap, messages=max(10_000, int(50_000 * scale)))
        raw_upsert = await raw_upsert_rate(dsn, rows=max(20_000, int(100_000 * scale)))

        settings = LearnerSettings(
            kafka_bootstrap_servers=bootstrap, database_url=dsn, learner_consumer_group=_GROUP,
            learner_prune_interval_seconds=0, log_json=False, log_level="WARNING",
            kafka_max_batch=int(os.environ.get("BENCH_LEARNER_MAX_BATCH", "2000")),
        )
        app = build_app(settings, consume=True, serve_api=False)
        stamps: dict[str, float] = {}

        def stamp(learned) -> None:  # type: ignore[no-untyped-def]
            now = time.time()
            for event_id, _ in learned:
                stamps[event_id] = now

        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as child:
            async with app.router.lifespan_context(app):
                await asyncio.wait_for(app.state.started.wait(), 60)
                app.state.learner.apply.listeners.append(stamp)

                # warm-up: the group join and first fetch are not part of either figure
                _, warm = await loop.run_in_executor(child, produce, bootstrap, 1, 1, 0, None)
                await _wait_for(stamps, list(warm), 60)

                # 1. throughput
                per_event_rows = rows_per_event(make_events(n_throughput, 1000, 1))
                before = _split()
                started, sent = await loop.run_in_executor(child, produce, bootstrap, n_throughput, 1000, 1, None)
                produced = max(sent.values()) - started
                ids = list(sent)
                await _wait_for(stamps, ids, 300)
                elapsed = max(stamps[i] for i in ids) - started
                split = {k: v - before[k] for k, v in _split().items()}
                e2e_rate = n_throughput / elapsed

                # 2. latency at a fixed 1,000 events/s
                rate = 1000.0
                n_latency = int(rate * latency_seconds)
                started, sent_at = await loop.run_in_executor(child, produce, bootstrap, n_latency, 1000, 2, rate)
                achieved_rate = n_latency / (max(sent_at.values()) - started)
                await _wait_for(stamps, list(sent_at), 120)
                latencies = [(stamps[i] - t) * 1000 for i, t in sent_at.items()]

    raw_upsert_events = raw_upsert / per_event_rows
    slower_raw = min(raw_consume, raw_upsert_events)
    figures = {
        "raw_consume_msgs_per_s": raw_consume,
        "raw_upsert_rows_per_s": raw_upsert,
        "rows_per_event": per_event_rows,
        "raw_upsert_events_per_s": raw_upsert_events,
        "e2e_events_per_s": e2e_rate,
        "e2e_vs_slower_raw": e2e_rate / slower_raw,
        "throughput_events": float(n_throughput),
        "throughput_produce_seconds": produced,
        "latency_rate_events_per_s": achieved_rate,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p99_ms": percentile(latencies, 99),
        "latency_max_ms": max(latencies),
        "throughput_batches": split["batches"],
        "throughput_batch_seconds_total": split["batch_seconds"],
        "throughput_db_seconds_total": split["db_seconds"],
    }
    return figures


def main(scale: float = 1.0) -> dict:
    logging.getLogger("faststream").setLevel(logging.WARNING)  # per-batch access logs would cost CPU and screen
    figures = asyncio.run(run(scale))
    print_table("learner-service (linear rule, one consumer)", [
        ("raw aiokafka consume", f"{figures['raw_consume_msgs_per_s']:,.0f} msg/s"),
        ("raw asyncpg upsert", f"{figures['raw_upsert_rows_per_s']:,.0f} rows/s"),
        ("rows per decision (features + dedup)", f"{figures['rows_per_event']:.2f}"),
        ("raw upsert in decisions", f"{figures['raw_upsert_events_per_s']:,.0f} events/s"),
        ("end to end (publish -> committed)", f"{figures['e2e_events_per_s']:,.0f} events/s"
                                              f"  ({figures['throughput_events']:,.0f} events)"),
        ("end to end / slower raw", f"{figures['e2e_vs_slower_raw']:.2f}  (target >= 0.5)"),
        ("  of which in consumer batches", f"{figures['throughput_batch_seconds_total']:.2f} s in "
                                           f"{figures['throughput_batches']:.0f} batches, "
                                           f"{figures['throughput_db_seconds_total']:.2f} s in the database"),
        ("latency at", f"{figures['latency_rate_events_per_s']:,.0f} events/s"),
        ("latency p50", f"{figures['latency_p50_ms']:.1f} ms"),
        ("latency p99", f"{figures['latency_p99_ms']:.1f} ms  (target < 250)"),
        ("latency max", f"{figures['latency_max_ms']:.1f} ms"),
    ])
    path = save("learner", figures)
    print(f"\nwrote {path}")
    return figures


if __name__ == "__main__":
    main(env_scale())
