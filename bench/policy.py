"""policy-service benchmark: events/s end to end, publish-to-commit latency, GET /policy/stats latency.

End to end = CloudEvents records already on the topic → the service's consumer (group
join excluded: the clock starts at the first stored event) → decoded, stored once in the
history and counted in policy_stats, offsets committed. Printed beside the raw aiokafka
consume rate and the raw asyncpg upsert rate measured in the same run, the latter divided
by the rows one event writes (measured: inserted + updated rows of the four policy tables
during the run, from ``pg_stat_user_tables``, per event); target ≥ half the slower raw
baseline in events/s.

Latency: events sent at a fixed 1,000/s by a child process (the producer is another
service) for ``10 × scale`` s; per event, the time its batch's statement returned
(committed) minus its send time → p50 / p99; target p99 < 250 ms (as the learner's).

GET /policy/stats: a user with 200 policies, over real HTTP (uvicorn on a loopback port,
httpx client, sequential requests); target p99 < 20 ms.

    uv run python bench/policy.py            # BENCH_SCALE=0.2 for a quick run
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import socket
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone

import asyncpg
import httpx
import uvicorn
from aiokafka import AIOKafkaProducer

from applylens_contracts.cloudevents import encode
from applylens_contracts.events import ActionApproved, ActionManual, ActionProposed, ActionRejected
from applylens_contracts.identity import mint_token
from applylens_policy import migrations
from applylens_policy.adapters.postgres import PostgresPolicyStats
from applylens_policy.bootstrap import build_app
from applylens_policy.service_layer import handlers
from applylens_policy.settings import PolicySettings

try:
    from bench.common import bench_infra, env_scale, percentile, print_table, raw_consume_rate, raw_upsert_rate, save
except ImportError:  # run as a script: bench/ is on sys.path, not its parent
    from common import bench_infra, env_scale, percentile, print_table, raw_consume_rate, raw_upsert_rate, save

KINDS = [(ActionProposed, 5), (ActionApproved, 3), (ActionRejected, 1), (ActionManual, 1)]


def make_events(n: int, users: int = 1000, policies: int = 20, seed: int = 7, prefix: str = "bench"):
    rnd = random.Random(seed)
    now = datetime.now(timezone.utc)
    classes, weights = zip(*KINDS)
    for i in range(n):
        cls = rnd.choices(classes, weights)[0]
        policy_id = rnd.randrange(1, policies + 1)
        manual = cls is ActionManual
        yield f"{prefix}-{i}", cls.model_validate({
            "user_id": f"user{rnd.randrange(users)}@example.com", "action_id": f"act{i}",
            "policy_id": None if manual else policy_id, "policy_name": None if manual else f"Policy {policy_id}",
            "action": f"kind{policy_id % 4}", "occurred_at": (now - timedelta(minutes=rnd.randrange(60 * 24 * 20))).isoformat(),
            "email": {"id": f"m{rnd.randrange(20_000)}", "category": "promo", "sender_domain": "shop.example",
                      "subject": "50% off this week", "labels": ["CATEGORY_PROMOTIONS"]},
        })


async def produce(bootstrap: str, n: int) -> list[str]:
    """Send ``n`` events; returns the id of the last event of each user (stored last: one user's
    events are applied in order, whichever partition and write lane they take)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, max_batch_size=1 << 20)
    await producer.start()
    try:
        last: dict[str, str] = {}
        futures = []
        for event_id, event in make_events(n):
            record = encode(event, event_id=event_id)
            last[event.user_id] = event_id
            futures.append(await producer.send(record.topic, record.value, key=record.key, headers=record.headers))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return list(last.values())


def produce_paced(bootstrap: str, n: int, rate: float, prefix: str = "paced") -> dict[str, float]:
    """In a child process: send ``n`` events at ``rate``/s; returns {event id: send time (time.time())}."""

    async def run() -> dict[str, float]:
        events = list(make_events(n, seed=8, prefix=prefix))
        records = [encode(event, event_id=event_id) for event_id, event in events]
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
        await producer.start()
        try:
            sent: dict[str, float] = {}
            futures = []
            t0 = time.perf_counter()
            for k, record in enumerate(records):
                delay = t0 + k / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                futures.append(await producer.send(record.topic, record.value, key=record.key, headers=record.headers))
                sent[events[k][0]] = time.time()
            await asyncio.gather(*futures)
            return sent
        finally:
            await producer.stop()

    return asyncio.run(run())


_TABLES = ("policy_events", "policy_stats", "policies", "policy_manual_counts")


async def rows_written(dsn: str) -> int:
    """Inserted + updated rows of the policy tables so far, once every backend has flushed its counters."""
    conn = await asyncpg.connect(dsn)
    try:
        last = -1
        for _ in range(100):  # a backend reports its counters at exit (or within ~1 s of a commit)
            value = await conn.fetchval(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0)::int8 FROM pg_stat_user_tables WHERE relname = ANY($1)",
                list(_TABLES))
            if value == last and not await conn.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"):
                return value
            last = value
            await asyncio.sleep(0.2)
            await conn.execute("SELECT pg_stat_clear_snapshot()")
        return last
    finally:
        await conn.close()


async def end_to_end_rate(bootstrap: str, dsn: str, n: int) -> float:
    # Progress is read with index lookups only (is anything stored yet? is the last event of
    # every user stored? — one user's events are applied in order): a count(*) of the growing
    # history every 50 ms cost the database more CPU than a tenth of the consumer's writes.
    last_ids = await produce(bootstrap, n)
    settings = PolicySettings(kafka_bootstrap_servers=bootstrap, database_url=dsn, jwt_secret="bench-secret",
                              policy_consumer_group=f"policy-bench-{uuid.uuid4().hex[:6]}", log_json=False)
    app = build_app(settings, serve_api=False)
    conn = await asyncpg.connect(dsn)
    try:
        async with app.router.lifespan_context(app):
            await app.state.runtime.migrated.wait()
            while not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM policy_events)"):
                await asyncio.sleep(0.005)
            started = time.perf_counter()
            first = await conn.fetchval("SELECT count(*) FROM policy_events")
            pending = set(last_ids)
            while pending:
                pending.difference_update(await conn.fetchval(
                    "SELECT array_agg(event_id) FROM policy_events WHERE event_id = ANY($1)", list(pending)) or ())
                if pending:
                    await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            assert await conn.fetchval("SELECT count(*) FROM policy_events") == n, "not every event was stored"
            return (n - first) / elapsed if n > first else float("nan")
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def stats_latency(dsn: str, requests: int) -> tuple[float, float, int]:
    """p50 and p99 (ms) of GET /policy/stats for a user with 200 policies, and the row count returned."""
    await asyncio.to_thread(migrations.upgrade, dsn)
    user, now = "heavy@example.com", datetime.now(timezone.utc)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        events = []
        for policy_id in range(1000, 1200):
            for j, cls in enumerate((ActionProposed, ActionProposed, ActionApproved, ActionRejected)):
                events.append((f"heavy-{policy_id}-{j}", cls.model_validate({
                    "user_id": user, "action_id": f"h{policy_id}-{j}", "policy_id": policy_id,
                    "policy_name": f"Policy {policy_id}", "action": "archive_email",
                    "email": {"id": f"hm{policy_id}-{j // 2}"}, "occurred_at": now.isoformat()})))
        await handlers.apply_events(PostgresPolicyStats(pool), events, window_days=30)
    finally:
        await pool.close()

    secret = "bench-secret-" + uuid.uuid4().hex
    settings = PolicySettings(database_url=dsn, jwt_secret=secret, log_json=False)
    app = build_app(settings, consume=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        await app.state.runtime.migrated.wait()
        headers = {"Authorization": f"Bearer {mint_token(user, secret)}"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
            for _ in range(50):  # warm up: pool connections, prepared statements
                (await client.get("/policy/stats")).raise_for_status()
            timings = []
            for _ in range(requests):
                t0 = time.perf_counter()
                response = await client.get("/policy/stats")
                body = response.json()
                timings.append((time.perf_counter() - t0) * 1000)
                response.raise_for_status()
        return percentile(timings, 50), percentile(timings, 99), len(body)
    finally:
        server.should_exit = True
        await task


async def commit_latency(bootstrap: str, dsn: str, seconds: float, rate: float = 1000.0) -> dict[str, float]:
    """Publish-to-commit latency (ms) of events sent at a fixed ``rate`` by another process."""
    stamps: dict[str, float] = {}
    apply_events = handlers.apply_events

    async def stamped(store, events, **kwargs):  # type: ignore[no-untyped-def]
        events = list(events)
        n = await apply_events(store, events, **kwargs)
        now = time.time()  # the batch's single statement has returned: committed
        for event_id, _ in events:
            stamps.setdefault(event_id, now)
        return n

    settings = PolicySettings(kafka_bootstrap_servers=bootstrap, database_url=dsn, jwt_secret="bench-secret",
                              policy_consumer_group=f"policy-latency-{uuid.uuid4().hex[:6]}", log_json=False)
    app = build_app(settings, serve_api=False)
    handlers.apply_events = stamped  # the subscription calls handlers.apply_events at call time
    loop = asyncio.get_running_loop()
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as child:
            async with app.router.lifespan_context(app):
                await app.state.runtime.migrated.wait()
                # the group join and the child's start are not part of the figure
                await loop.run_in_executor(child, produce_paced, bootstrap, 1, rate, "warm")
                deadline = time.perf_counter() + 60
                while "warm-0" not in stamps and time.perf_counter() < deadline:
                    await asyncio.sleep(0.02)
                stamps.clear()
                n = int(rate * seconds)
                sent = await loop.run_in_executor(child, produce_paced, bootstrap, n, rate)
                deadline = time.perf_counter() + 120
                while any(i not in stamps for i in sent) and time.perf_counter() < deadline:
                    await asyncio.sleep(0.02)
    finally:
        handlers.apply_events = apply_events
    latencies = [(stamps[i] - t) * 1000 for i, t in sent.items() if i in stamps]
    return {"latency_events": len(latencies), "latency_missing": len(sent) - len(latencies),
            "latency_achieved_rate": n / (max(sent.values()) - min(sent.values()) or 1),
            "latency_p50_ms": percentile(latencies, 50), "latency_p99_ms": percentile(latencies, 99),
            "latency_max_ms": max(latencies, default=float("nan"))}


async def run(scale: float) -> dict:
    n = max(2000, int(100_000 * scale))
    async with bench_infra() as (bootstrap, dsn):
        raw_consume = await raw_consume_rate(bootstrap, messages=max(5000, int(50_000 * scale)))
        raw_upsert = await raw_upsert_rate(dsn, rows=max(10_000, int(100_000 * scale)))
        e2e = await end_to_end_rate(bootstrap, dsn, n)
        per_event_rows = await rows_written(dsn) / n
        latency = await commit_latency(bootstrap, dsn, seconds=max(3.0, 10.0 * scale))
        p50, p99, rows = await stats_latency(dsn, requests=max(200, int(1000 * scale)))
    raw_upsert_events = raw_upsert / per_event_rows
    target = min(raw_consume, raw_upsert_events) / 2
    return {
        "events": n,
        "raw_consume_msgs_per_s": raw_consume,
        "raw_upsert_rows_per_s": raw_upsert,
        "rows_per_event": per_event_rows,
        "raw_upsert_events_per_s": raw_upsert_events,
        "end_to_end_events_per_s": e2e,
        "end_to_end_target_events_per_s": target,
        "end_to_end_meets_target": e2e >= target,
        "e2e_vs_slower_raw": e2e / min(raw_consume, raw_upsert_events),
        **latency,
        "latency_meets_target": latency["latency_p99_ms"] < 250,
        "get_stats_rows": rows,
        "get_stats_p50_ms": p50,
        "get_stats_p99_ms": p99,
        "get_stats_meets_target": p99 < 20,
        "get_stats_transport": "uvicorn on 127.0.0.1 + httpx, sequential",
    }


def main(scale: float = 1.0) -> dict:
    figures = asyncio.run(run(scale))
    print_table("policy-service", [
        ("events end to end", f"{figures['events']}"),
        ("raw aiokafka consume", f"{figures['raw_consume_msgs_per_s']:,.0f} msg/s"),
        ("raw asyncpg upsert", f"{figures['raw_upsert_rows_per_s']:,.0f} rows/s"),
        ("rows written per event (pg_stat)", f"{figures['rows_per_event']:.2f}"),
        ("raw upsert in events", f"{figures['raw_upsert_events_per_s']:,.0f} events/s"),
        ("policy-service end to end", f"{figures['end_to_end_events_per_s']:,.0f} events/s "
                                      f"(target ≥ {figures['end_to_end_target_events_per_s']:,.0f}; "
                                      f"{figures['e2e_vs_slower_raw']:.2f} × the slower raw)"),
        ("publish → commit at 1,000/s", f"p50 {figures['latency_p50_ms']:.1f} ms, p99 {figures['latency_p99_ms']:.1f} ms "
                                        f"(target p99 < 250; max {figures['latency_max_ms']:.1f})"),
        ("GET /policy/stats (200 policies)", f"p50 {figures['get_stats_p50_ms']:.2f} ms, "
                                             f"p99 {figures['get_stats_p99_ms']:.2f} ms (target < 20 ms; "
                                             f"{figures['get_stats_transport']})"),
    ])
    save("policy", figures)
    return figures


if __name__ == "__main__":
    main(env_scale())
