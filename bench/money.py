"""money-service: CSV export rate and memory at 10k and 100k receipts, summary latency at 100k.

``uv run python bench/money.py`` (``BENCH_SCALE=0.1`` for a quick run).

What is measured, all against the real PostgreSQL index engine and money-service's
``money_receipts`` table in a fresh database:

- CSV: ``GET /money/receipts.csv`` (rows from the receipts table, the default, and from
  the index's keyset stream, ``MONEY_CSV_SOURCE=index``) through the real app served by
  uvicorn on a loopback port (a task in this process; httpx streams the body), rows/s from
  request to last byte. (Not httpx's in-process ASGI transport: it buffers the whole
  response, which would put the 11 MB body in the memory figure.) Memory: ``tracemalloc`` peak of
  Python allocations while the whole streaming path (index stream → CSV rows → response
  chunks) produces the export, in a separate pass (tracemalloc slows Python down). Flat
  peak between 10k and 100k means constant memory. Beside it, the growth of the process's
  RSS (sampled every 20 ms) during each HTTP export, from its start: the 100k export runs
  after the 10k one, so ~0 means it needed no more memory than the 10k export did.
- Summary: ``GET /money/summary`` for the 100k user, p50/p99 of sequential requests.
- Extraction: emails/s of ``extract`` (parse + write ledger + partial update) on fresh mail.
- Raw baseline in the same run: a bare asyncpg ``SELECT`` of the same 100k rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import random
import socket
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import uvicorn  # noqa: E402

from applylens_contracts.email import EmailDocument, MoneyFields  # noqa: E402
from applylens_contracts.identity import mint_token  # noqa: E402
from applylens_index.postgres import PostgresEmailIndex  # noqa: E402
from applylens_money.adapters.index import ReceiptFilter  # noqa: E402
from applylens_money.adapters.ledger import LedgerRow  # noqa: E402
from applylens_money.bootstrap import build_app, runtime  # noqa: E402
from applylens_money.domain import RULES_VERSION  # noqa: E402
from applylens_money.service_layer.extraction import extract_pending  # noqa: E402
from applylens_money.service_layer.queries import export_csv, receipts_from_index, summary  # noqa: E402
from applylens_money.settings import MoneySettings  # noqa: E402
from bench.common import RssPeak, bench_infra, env_scale, percentile, print_table, save  # noqa: E402

SECRET = "bench-secret-bench-secret-bench-secret"
NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
CURRENCIES = ("USD", "USD", "USD", "EUR", "GBP")
MERCHANTS = [f"shop{i:02d}.com" for i in range(60)]


def receipt_doc(user: str, i: int, rng: random.Random, *, extracted: bool) -> EmailDocument:
    merchant, currency = rng.choice(MERCHANTS), rng.choice(CURRENCIES)
    amount = Decimal(rng.randint(100, 50_000)) / 100
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}[currency]
    order = f"OR{i:09d}"
    money = None
    if extracted:
        money = MoneyFields(is_receipt=True, amount=amount, currency=currency, merchant=merchant,
                            order_id=order, rules_version=RULES_VERSION)
    return EmailDocument(
        id=f"{user}-{i:08d}",
        user_id=user,
        message_id=f"<{i}.{user}@{merchant}>",
        **{"from": f"Orders <orders@{merchant}>"},
        sender_domain=merchant,
        subject=f"Your {merchant} receipt for order {order}",
        body_text=(f"Hi,\n\nThanks for your order! Order number: {order}\n\nWidget x1\n"
                   f"Subtotal: {symbol}{amount - 1}\nTax: {symbol}1.00\nTotal: {symbol}{amount}\n\n- {merchant}\n"),
        received_at=NOW - timedelta(seconds=rng.randint(0, 365 * 86400)),
        category="finance",
        money=money,
    )


async def load_user(index, ledger, user: str, count: int, rng: random.Random) -> float:
    """Index ``count`` already-extracted receipts (and their ledger rows); returns seconds."""
    started = time.perf_counter()
    for start in range(0, count, 2000):
        docs = [receipt_doc(user, i, rng, extracted=True) for i in range(start, min(count, start + 2000))]
        await index.upsert(docs)
        rows = [LedgerRow(user, d.id, d.received_at, d.subject, d.category, d.message_id, d.money.merchant,
                          d.money.amount, d.money.currency, d.money.order_id, RULES_VERSION) for d in docs]
        await ledger.replace(user, rows, [])
    return time.perf_counter() - started


@contextlib.asynccontextmanager
async def serve(app):  # type: ignore[no-untyped-def]
    """``app`` (its lifespan already entered) on a loopback port, as a task of this loop; yields its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off",
                                           log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def csv_over_http(client: httpx.AsyncClient, user: str) -> tuple[int, float, int]:
    headers = {"Authorization": f"Bearer {mint_token(user, SECRET)}"}
    started = time.perf_counter()
    size = lines = 0
    async with client.stream("GET", "/money/receipts.csv", headers=headers) as resp:
        resp.raise_for_status()
        async for chunk in resp.aiter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
    return lines - 1, time.perf_counter() - started, size


async def csv_peak_memory(source, user: str) -> tuple[int, int]:
    """tracemalloc peak (bytes) of producing the whole export through the streaming path."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    rows = 0
    async for chunk in export_csv(source(user)):
        rows += chunk.count(b"\n")
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak, rows - 1


async def raw_select_rate(dsn: str, user: str) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        n = 0
        async with conn.transaction():
            async for _ in conn.cursor("SELECT * FROM emails WHERE user_id = $1 ORDER BY received_at, id", user, prefetch=500):
                n += 1
        return n / (time.perf_counter() - started)
    finally:
        await conn.close()


async def run(scale: float) -> dict:
    small, large = max(100, int(10_000 * scale)), max(1000, int(100_000 * scale))
    rng = random.Random(11)
    figures: dict = {"scale": scale, "small": small, "large": large}
    async with bench_infra() as (_bootstrap, dsn):
        settings = MoneySettings(database_url=dsn, jwt_secret=SECRET, log_json=False)
        index = await PostgresEmailIndex.connect(dsn)
        await index.ensure()
        async with runtime(settings, index=index) as rt:
            figures["load_seconds"] = await load_user(index, rt.ledger, "small@bench", small, rng)
            figures["load_seconds"] += await load_user(index, rt.ledger, "large@bench", large, rng)

            # extraction of fresh mail (parse + ledger + partial update)
            fresh = max(500, int(5_000 * scale))
            for start in range(0, fresh, 2000):
                await index.upsert([receipt_doc("fresh@bench", i, rng, extracted=False)
                                    for i in range(start, min(fresh, start + 2000))])
            started = time.perf_counter()
            report = await extract_pending(rt.receipts, rt.ledger, "fresh@bench", batch_size=500)
            figures["extract_emails_per_s"] = report.scanned / (time.perf_counter() - started)
            assert report.receipts == fresh, report

            for source in ("index", "ledger"):  # the ledger app stays open for the summary below
                app = build_app(settings.model_copy(update={"money_csv_source": source}), index=index)
                async with app.router.lifespan_context(app), serve(app) as url:
                    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
                        for label, user, n in (("10k", "small@bench", small), ("100k", "large@bench", large)):
                            gc.collect()
                            async with RssPeak() as rss:
                                rows, seconds, size = await csv_over_http(client, user)
                            assert rows == n, (rows, n)
                            prefix = "csv" if source == "ledger" else "csv_index"
                            figures[f"{prefix}_{label}_rows_per_s"] = rows / seconds
                            figures[f"{prefix}_{label}_mb"] = size / 1e6
                            figures[f"{prefix}_{label}_rss_growth_mb"] = rss.growth_mb
                        if source == "index":
                            continue
                        headers = {"Authorization": f"Bearer {mint_token('large@bench', SECRET)}"}
                        for _ in range(20):  # warm-up
                            (await client.get("/money/summary", headers=headers)).raise_for_status()
                        times = []
                        for _ in range(200):
                            started = time.perf_counter()
                            resp = await client.get("/money/summary", headers=headers)
                            times.append((time.perf_counter() - started) * 1000)
                            resp.raise_for_status()
                        assert resp.json()["count"] == large
                        figures["summary_100k_p50_ms"] = percentile(times, 50)
                        figures["summary_100k_p99_ms"] = percentile(times, 99)
                        dup = time.perf_counter()
                        (await client.get("/money/duplicates?window_days=7", headers=headers)).raise_for_status()
                        figures["duplicates_100k_ms"] = (time.perf_counter() - dup) * 1000
            sql_times = []
            for _ in range(100):
                started = time.perf_counter()
                await summary(rt.ledger, "large@bench")
                sql_times.append((time.perf_counter() - started) * 1000)
            figures["summary_100k_usecase_p50_ms"] = percentile(sql_times, 50)
            figures["summary_100k_usecase_p99_ms"] = percentile(sql_times, 99)
            sources = {"ledger": lambda u: rt.ledger.stream_receipts(u, ReceiptFilter()),
                       "index": lambda u: receipts_from_index(rt.receipts, u, ReceiptFilter())}
            for name, source in sources.items():
                for label, user in (("10k", "small@bench"), ("100k", "large@bench")):
                    peak, rows = await csv_peak_memory(source, user)
                    figures[f"csv_{name}_{label}_tracemalloc_peak_mb"] = peak / 1e6
            figures["raw_select_rows_per_s"] = await raw_select_rate(dsn, "large@bench")
        await index.close()
    return figures


def main(scale: float = 1.0) -> dict:
    figures = asyncio.run(run(scale))
    print_table(
        f"money-service (scale {scale}: {figures['small']:,} and {figures['large']:,} receipts)",
        [
            ("CSV 10k rows/s (HTTP, streamed)", f"{figures['csv_10k_rows_per_s']:,.0f}"),
            ("CSV 100k rows/s (HTTP, streamed)", f"{figures['csv_100k_rows_per_s']:,.0f}  (target > 20,000)"),
            ("CSV 10k peak memory (tracemalloc)", f"{figures['csv_ledger_10k_tracemalloc_peak_mb']:.2f} MB"),
            ("CSV 100k peak memory (tracemalloc)", f"{figures['csv_ledger_100k_tracemalloc_peak_mb']:.2f} MB  (flat = constant memory)"),
            ("CSV 10k / 100k RSS growth (HTTP export)", f"{figures['csv_10k_rss_growth_mb']:.1f} / "
                                                         f"{figures['csv_100k_rss_growth_mb']:.1f} MB"),
            ("CSV via index stream 10k rows/s", f"{figures['csv_index_10k_rows_per_s']:,.0f}"),
            ("CSV via index stream 100k rows/s", f"{figures['csv_index_100k_rows_per_s']:,.0f}"),
            ("CSV via index 10k / 100k peak memory", f"{figures['csv_index_10k_tracemalloc_peak_mb']:.2f} / "
                                                      f"{figures['csv_index_100k_tracemalloc_peak_mb']:.2f} MB"),
            ("summary 100k p50", f"{figures['summary_100k_p50_ms']:.1f} ms"),
            ("summary 100k p99", f"{figures['summary_100k_p99_ms']:.1f} ms  (target < 100)"),
            ("summary 100k use case only p50/p99", f"{figures['summary_100k_usecase_p50_ms']:.1f} / "
                                                    f"{figures['summary_100k_usecase_p99_ms']:.1f} ms"),
            ("duplicates 100k, window 7", f"{figures['duplicates_100k_ms']:.0f} ms"),
            ("extract (parse + store) emails/s", f"{figures['extract_emails_per_s']:,.0f}"),
            ("raw asyncpg SELECT of the rows/s", f"{figures['raw_select_rows_per_s']:,.0f}  (baseline)"),
        ],
    )
    save("money", figures)
    return figures


if __name__ == "__main__":
    main(env_scale())
