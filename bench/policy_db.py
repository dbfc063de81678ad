"""policy-service's batch statement alone: events/s and PostgreSQL CPU per event, no Kafka.

    uv run python bench/policy_db.py                        # 100,000 events, 4 lanes (the default), 500 per statement
    CHUNK=2000 LANES=4 uv run python bench/policy_db.py
    EXTRA_SQL='DROP INDEX policy_events_manual_email' uv run python bench/policy_db.py

The benchmark's events become history rows up front; then ``LANES`` writers (rows split by
user, as the consumer's lanes) apply them through ``PostgresPolicyStats.apply`` in
statements of ``CHUNK`` events (printing events/s, PostgreSQL's CPU and the WAL written per
event), on a fresh embedded PostgreSQL after the migrations (and
``EXTRA_SQL``, statements separated by ``;;``, to try a schema change). This is how the
statement-side changes in docs/PERFORMANCE.md were compared: run the variants interleaved,
since this machine's speed drifts by tens of percent between minutes.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime, timezone

import asyncpg

try:
    from bench import policy
    from bench.common import bench_infra
    from bench.policy_cpu import server_cpu_seconds
except ImportError:  # run as a script from bench/
    import policy  # type: ignore[no-redef]
    from common import bench_infra  # type: ignore[no-redef]
    from policy_cpu import server_cpu_seconds  # type: ignore[no-redef]

from applylens_policy import migrations
from applylens_policy.adapters.postgres import PostgresPolicyStats
from applylens_policy.domain import history_rows, window_start


WAL_POSITION = "SELECT pg_current_wal_insert_lsn()"
WAL_BYTES_SINCE = "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1)::bigint"


async def run(n: int, lanes: int, chunk: int, extra_sql: str) -> None:
    shares: list[list] = [[] for _ in range(lanes)]
    for row in history_rows(policy.make_events(n)):
        shares[hash(row.user_id) % lanes].append(row)
    async with bench_infra() as (_bootstrap, dsn):
        await asyncio.to_thread(migrations.upgrade, dsn)
        if extra_sql:
            conn = await asyncpg.connect(dsn)
            try:
                for statement in extra_sql.split(";;"):
                    await conn.execute(statement)
            finally:
                await conn.close()
        pool = await asyncpg.create_pool(dsn, min_size=lanes, max_size=lanes)
        store = PostgresPolicyStats(pool)
        since = window_start(datetime.now(timezone.utc), 30)

        async def lane(rows: list) -> None:
            for start in range(0, len(rows), chunk):
                await store.apply(rows[start : start + chunk], since=since, window_days=30)

        wal_start = await pool.fetchval(WAL_POSITION)
        before = server_cpu_seconds().get("postgres", 0.0)
        started = time.perf_counter()
        await asyncio.gather(*(lane(rows) for rows in shares))
        elapsed = time.perf_counter() - started
        postgres = server_cpu_seconds().get("postgres", 0.0) - before
        wal_bytes = await pool.fetchval(WAL_BYTES_SINCE, wal_start)
        await pool.close()
    print(f"{n / elapsed:,.0f} events/s, PostgreSQL {postgres / n * 1e6:.1f} µs/event "
          f"({n:,} events, {lanes} lanes, {chunk} per statement, {elapsed:.2f} s); "
          f"WAL {wal_bytes / n:,.0f} bytes/event")


if __name__ == "__main__":
    asyncio.run(run(int(os.environ.get("N", "100000")), int(os.environ.get("LANES", "4")),
                    int(os.environ.get("CHUNK", "500")), os.environ.get("EXTRA_SQL", "")))
