"""ats-enricher: emails enriched per second by the 02:00 job, and its memory as the input grows.

The demo mailbox (every email through the real parser) is loaded into the PostgreSQL
index and its ground truth into a Fivetran-shaped warehouse; then one first (full) run
of the job enriches every mailbox. Measured at 10k and 100k emails (x ``scale``), with
the peak RSS growth during each run, beside two raw baselines from the same database:
streaming the same emails out of the index with no enrichment, and a bare asyncpg upsert.
Seed figure: 10k emails in about 5 minutes; target: 100k in under 60 s.

``uv run python bench/ats.py`` (``BENCH_SCALE=0.1`` for a quick look).
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from applylens_index.ingest import parse_message
from applylens_index.ingest.demo import iter_demo_messages, new_truth
from applylens_index.query import EmailQuery

from applylens_ats.adapters.warehouse.demo import load_truth_into_warehouse
from applylens_ats.bootstrap import open_services, run_once
from applylens_ats.settings import AtsSettings
from bench.common import RssPeak, bench_infra, env_scale, print_table, raw_upsert_rate, save

MESSAGES_PER_USER = 2000
LOAD_BATCH = 2000


async def _one_size(server_dsn: str, emails: int) -> dict:
    from applylens_local import infra

    dsn = await infra.create_database(server_dsn)
    users = max(1, emails // MESSAGES_PER_USER)
    per_user = emails // users
    now = datetime.now(timezone.utc).replace(microsecond=0)
    truth = new_truth(now=now, users=[f"user{i:04d}@example.com" for i in range(users)], messages_per_user=per_user)
    settings = AtsSettings(database_url=dsn, ats_batch_size=1000)
    services = await open_services(settings)
    try:
        started = time.perf_counter()
        batch = []
        for message in iter_demo_messages(truth):
            batch.append(parse_message(message.raw, message.user_id))
            if len(batch) >= LOAD_BATCH:
                await services.index.upsert(batch)
                batch = []
        if batch:
            await services.index.upsert(batch)
        assert services.warehouse is not None
        await services.warehouse.create_schemas()
        await load_truth_into_warehouse(services.pool, truth.to_dict(), now=now)
        applications = len(truth.applications)
        del truth
        load_seconds = time.perf_counter() - started

        # Raw baseline: the same emails streamed out of the index, nothing else.
        started = time.perf_counter()
        streamed = 0
        for i in range(users):
            async for _ in services.index.stream(EmailQuery(user_id=f"user{i:04d}@example.com"), batch_size=1000):
                streamed += 1
        stream_rate = streamed / (time.perf_counter() - started)

        gc.collect()
        async with RssPeak() as rss:
            started = time.perf_counter()
            report = await run_once(settings, as_of=now, services=services)
            seconds = time.perf_counter() - started

        started = time.perf_counter()
        quiet = await run_once(settings, as_of=now, services=services)
        quiet_seconds = time.perf_counter() - started
        return {
            "emails": streamed,
            "mailboxes": users,
            "applications": applications,
            "documents_written": report.written,
            "job_seconds": round(seconds, 2),
            "emails_per_second": round(report.emails_considered / seconds),
            "raw_index_stream_per_second": round(stream_rate),
            "peak_rss_mb": round(rss.peak_mb, 1),
            "peak_rss_growth_mb": round(rss.growth_mb, 1),  # sampled during the run, from its start
            "incremental_rerun_seconds": round(quiet_seconds, 2),
            "incremental_rerun_written": quiet.written,
            "load_seconds": round(load_seconds, 1),
        }
    finally:
        await services.close()
        await infra.drop_database(server_dsn, infra.database_name(dsn))


async def _main(scale: float) -> dict:
    results: dict = {}
    async with bench_infra() as (_bootstrap, dsn):
        results["raw_asyncpg_upsert_rows_per_second"] = round(await raw_upsert_rate(dsn))
        for emails in (10_000, 100_000):
            size = max(MESSAGES_PER_USER, int(emails * scale))
            results[f"{emails // 1000}k"] = await _one_size(dsn, size)
    return results


def main(scale: float = 1.0) -> dict:
    figures = asyncio.run(_main(scale))
    rows = [("raw asyncpg upsert", f"{figures['raw_asyncpg_upsert_rows_per_second']:,} rows/s")]
    for key in ("10k", "100k"):
        f = figures[key]
        rows += [
            (f"{key}: emails", f"{f['emails']:,} in {f['mailboxes']} mailboxes, {f['applications']} applications"),
            (f"{key}: first run", f"{f['job_seconds']} s = {f['emails_per_second']:,} emails/s "
                                  f"({f['documents_written']:,} written)"),
            (f"{key}: raw index stream", f"{f['raw_index_stream_per_second']:,} emails/s"),
            (f"{key}: peak RSS", f"{f['peak_rss_mb']} MB (+{f['peak_rss_growth_mb']} MB during the run)"),
            (f"{key}: quiet rerun", f"{f['incremental_rerun_seconds']} s, {f['incremental_rerun_written']} written"),
        ]
    print_table("ats-enricher: the 02:00 job (seed: 10k emails in ~5 min; target: 100k < 60 s)", rows)
    save("ats", figures)
    return figures


if __name__ == "__main__":
    main(env_scale())
