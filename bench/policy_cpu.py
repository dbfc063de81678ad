"""Where policy-service's end-to-end time goes: CPU per event of the consumer (this process),
PostgreSQL and tansu, and the garbage collector's time, around one ``bench.policy`` run.

    uv run python bench/policy_cpu.py                      # 100,000 events
    N=20000 POLICY_WRITE_LANES=1 uv run python bench/policy_cpu.py

Settings come from the environment as in production (POLICY_WRITE_LANES, KAFKA_MAX_BATCH).
The consumer's figure includes its startup (~0.6 s of CPU: imports, migrations).
"""

from __future__ import annotations

import asyncio
import gc
import os
import resource
import time

import psutil

try:
    from bench import policy
    from bench.common import bench_infra
except ImportError:  # run as a script from bench/
    import policy  # type: ignore[no-redef]
    from common import bench_infra  # type: ignore[no-redef]

_gc_seconds: dict[int, list[float]] = {}
_gc_started = [0.0]


def _time_collections(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        count_and_seconds = _gc_seconds.setdefault(info["generation"], [0, 0.0])
        count_and_seconds[0] += 1
        count_and_seconds[1] += time.perf_counter() - _gc_started[0]


def server_cpu_seconds() -> dict[str, float]:
    totals: dict[str, float] = {}
    for proc in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        if proc.pid == os.getpid() or not proc.info["cpu_times"]:
            continue
        name = "postgres" if "postgres" in (proc.info["name"] or "") else (
            "tansu" if "tansu" in " ".join(proc.info["cmdline"] or []) else None)
        if name:
            times = proc.info["cpu_times"]
            # exited backends (the consumer's pool closes at the end) count in the postmaster's children
            totals[name] = totals.get(name, 0.0) + times.user + times.system + times.children_user + times.children_system
    return totals


def _consumer_batches() -> tuple[float, float] | None:
    """(batches, records) the consumer reported in its batch-size histogram."""
    from prometheus_client import REGISTRY

    totals = {"_count": 0.0, "_sum": 0.0}
    for metric in REGISTRY.collect():
        if metric.name == "applylens_consumer_batch_size":
            for sample in metric.samples:
                for suffix in totals:
                    if sample.name.endswith(suffix):
                        totals[suffix] += sample.value
    return (totals["_count"], totals["_sum"]) if totals["_count"] else None


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run(n: int) -> None:
    async with bench_infra() as (bootstrap, dsn):
        last_ids = await policy.produce(bootstrap, n)

        async def already_produced(_bootstrap: str, _n: int) -> list[str]:
            return last_ids

        policy.produce = already_produced  # time the consumer only
        gc.callbacks.append(_time_collections)
        servers, own = server_cpu_seconds(), own_cpu_seconds()
        rate = await policy.end_to_end_rate(bootstrap, dsn, n)
        own = own_cpu_seconds() - own
        servers = {k: v - servers.get(k, 0.0) for k, v in server_cpu_seconds().items()}
        gc.callbacks.remove(_time_collections)
    print(f"end to end: {rate:,.0f} events/s")
    print(f"consumer (python) CPU: {own:.2f} s = {own / n * 1e6:.1f} µs/event (startup included)")
    for name, seconds in sorted(servers.items()):
        print(f"{name} CPU: {seconds:.2f} s = {seconds / n * 1e6:.1f} µs/event")
    batches = _consumer_batches()
    if batches:
        print(f"batches: {batches[0]:.0f}, {batches[1] / batches[0]:,.0f} records each on average")
    for generation, (count, seconds) in sorted(_gc_seconds.items()):
        print(f"gc generation {generation}: {count} collections, {seconds:.3f} s")


if __name__ == "__main__":
    asyncio.run(run(int(os.environ.get("N", "100000"))))
