"""What every benchmark shares: the infrastructure, raw baselines, percentiles, a table."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from applylens_local import infra

RESULTS_DIR = Path(__file__).parent / "results"


@contextlib.asynccontextmanager
async def bench_infra() -> AsyncIterator[tuple[str, str]]:
    """(kafka bootstrap, database DSN) for one benchmark run; everything is torn down after."""
    state = Path(tempfile.mkdtemp(prefix="applylens-bench-"))
    try:
        with infra.kafka(state) as bootstrap, infra.postgres(state) as server:
            dsn = await infra.create_database(server)
            try:
                yield bootstrap, dsn
            finally:
                await infra.drop_database(server, infra.database_name(dsn))
    finally:  # after the servers stopped: removing a live server's data directory orphans it
        infra.remove_tree(state)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by the inclusive method; NaN for no values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


def print_table(title: str, rows: Sequence[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    print("-" * (width + 24))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def save(name: str, figures: dict) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, sort_keys=True))
    return path


async def raw_consume_rate(bootstrap: str, messages: int = 50_000, size: int = 300) -> float:
    """Messages/s that a bare aiokafka consumer reads with getmany (no decoding), after producing them."""
    topic = f"bench-raw-{uuid.uuid4().hex[:8]}"
    payload = json.dumps({"pad": "x" * max(0, size - 12)}).encode()[:size]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, max_batch_size=1 << 20)
    await producer.start()
    try:
        futures = [await producer.send(topic, payload, key=str(i % 64).encode()) for i in range(messages)]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, max_partition_fetch_bytes=8 << 20, fetch_max_bytes=64 << 20)
    await consumer.start()
    try:
        seen = 0
        started = time.perf_counter()
        while seen < messages:
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            seen += sum(len(records) for records in batch.values())
        return messages / (time.perf_counter() - started)
    finally:
        await consumer.stop()


async def raw_upsert_rate(dsn: str, rows: int = 100_000, batch: int = 5000, keys: int = 20_000) -> float:
    """Rows/s of a bare asyncpg additive upsert with unnest arrays, duplicates pre-summed in Python."""
    table = f"bench_raw_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"CREATE TABLE {table} (user_id text, feature text, weight float8, UNIQUE (user_id, feature))")
        sql = (f"INSERT INTO {table} (user_id, feature, weight) SELECT * FROM unnest($1::text[], $2::text[], $3::float8[]) "
               f"ON CONFLICT (user_id, feature) DO UPDATE SET weight = {table}.weight + excluded.weight")
        started = time.perf_counter()
        for start in range(0, rows, batch):
            summed: dict[tuple[str, str], float] = {}
            for i in range(start, min(rows, start + batch)):
                key = (f"u{i % 97}", f"f{(i * 7919) % keys}")
                summed[key] = summed.get(key, 0.0) + 0.2
            users, features = zip(*summed)
            await conn.execute(sql, list(users), list(features), list(summed.values()))
        elapsed = time.perf_counter() - started
        await conn.execute(f"DROP TABLE {table}")
        return rows / elapsed
    finally:
        await conn.close()


def rss_mb() -> float:
    """The current resident set size of this process in MB (Linux; falls back to the lifetime peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RssPeak:
    """``async with RssPeak() as rss: ...`` then ``rss.start_mb``, ``rss.peak_mb``, ``rss.growth_mb``.

    Samples the current RSS every ``interval`` s on the event loop while the block runs (unlike
    ``ru_maxrss``, which is the whole process's lifetime peak and so hides growth after an
    earlier, bigger benchmark in the same process).
    """

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.start_mb = self.peak_mb = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, rss_mb())
            await asyncio.sleep(self.interval)

    async def __aenter__(self) -> RssPeak:
        self.start_mb = self.peak_mb = rss_mb()
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self.peak_mb = max(self.peak_mb, rss_mb())

    @property
    def growth_mb(self) -> float:
        return self.peak_mb - self.start_mb


def env_scale(default: float = 1.0) -> float:
    return float(os.environ.get("BENCH_SCALE", default))
