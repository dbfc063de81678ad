"""Emails index: import rate from a local mbox and query latency on the PostgreSQL engine.

1. Import: a generated demo mbox (``20_000 × scale`` messages) through the real importer
   (parse + bulk upsert, no broker) → messages/s; target ≥ 1,000/s.
2. Load: the same documents copied to four more users → ``100_000 × scale`` documents;
   a third of the recruiting mail gets ``ats.*`` by bulk partial update.
3. Latency: text queries (with a date filter and without), each run plain and with
   rag's boosts (ghosting_risk ≥ 0.6, stage Onsite/Offer any case, the networking
   words) → p50/p99 in ms over every (query, user); target p99 < 50 ms.

Beside them, the raw asyncpg unnest upsert rate measured in the same run.

    uv run python bench/index.py [--scale 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile, print_table, raw_upsert_rate, save  # noqa: E402

from applylens_index import Boost, EmailQuery, TextAny, at_least, received_between, terms  # noqa: E402
from applylens_index.importer import import_path  # noqa: E402
from applylens_index.ingest.demo import DEFAULT_NOW, write_demo  # noqa: E402
from applylens_index.postgres import PostgresEmailIndex  # noqa: E402
from applylens_local import infra  # noqa: E402

USERS = [f"bench{i}@example.com" for i in range(5)]
TEXTS = ["interview", "receipt order", "meetup conference", "weekly newsletter", "offer", "payment invoice",
         "your application", "sale discount"]
RAG_BOOSTS = (
    Boost(when=at_least("ats.ghosting_risk", 0.6), value=1.0, name="ghosting risk"),
    Boost(when=terms("ats.stage", "Onsite", "Offer", case_insensitive=True), value=0.8, name="late stage"),
    Boost(when=TextAny(words=("event", "meetup", "conference")), value=0.5, name="networking"),
)


async def _load(index: PostgresEmailIndex, dsn: str, messages: int, work: Path) -> dict[str, float]:
    files = write_demo(work, users=(USERS[0],), messages_per_user=messages)
    started = time.perf_counter()
    report = await import_path(files.mboxes[USERS[0]], USERS[0], index, batch_size=1000,
                               workers=os.cpu_count() or 1)
    import_s = time.perf_counter() - started

    docs = [d async for d in index.stream(EmailQuery(user_id=USERS[0]), batch_size=5000)]
    started = time.perf_counter()
    for user in USERS[1:]:
        copies = [d.model_copy(update={"user_id": user}) for d in docs]
        for i in range(0, len(copies), 2000):
            await index.upsert(copies[i:i + 2000])
    copy_s = time.perf_counter() - started

    recruiting = [d.id for d in docs if d.category == "recruiting"]
    stages = ["Applied", "Phone Screen", "Onsite", "Offer", "Rejected"]
    for user in USERS:
        await index.update_partial(user, [
            (doc_id, {"ats": {"stage": stages[i % 5], "ghosting_risk": round((i * 37 % 100) / 100, 2)}})
            for i, doc_id in enumerate(recruiting) if i % 3 == 0
        ])
    await index._pool.execute("VACUUM ANALYZE emails")
    return {
        "import_messages": report.total,
        "import_failed": len(report.failed),
        "import_msgs_per_s": report.total / import_s,
        "upsert_docs_per_s": len(docs) * (len(USERS) - 1) / copy_s,
        "documents": len(docs) * len(USERS),
        "documents_per_user": len(docs),
    }


def _queries(boosted: bool) -> list[EmailQuery]:
    recent = received_between(DEFAULT_NOW - timedelta(days=90), None)
    boosts = RAG_BOOSTS if boosted else ()
    return [
        EmailQuery(user_id=user, text=text, filters=filters, boosts=boosts, size=10, explain=boosted)
        for user in USERS for text in TEXTS for filters in ((), (recent,))
    ]


async def _latency(index: PostgresEmailIndex, queries: list[EmailQuery], rounds: int) -> dict[str, float]:
    for query in queries:  # warm the cache once
        await index.search(query)
    timings = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            await index.search(query)
            timings.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": percentile(timings, 50), "p99_ms": percentile(timings, 99), "queries": len(timings)}


async def _run(scale: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="applylens-bench-index-"))
    try:
        with infra.postgres(work) as server:
            dsn = await infra.create_database(server)
            try:
                index = await PostgresEmailIndex.connect(dsn)
                try:
                    await index.ensure()
                    figures = await _load(index, dsn, max(200, int(20_000 * scale)), work / "mail")
                    rounds = max(3, int(10 * scale))
                    figures["plain"] = await _latency(index, _queries(False), rounds)
                    figures["boosted"] = await _latency(index, _queries(True), rounds)
                finally:
                    await index.close()
                figures["raw_upsert_rows_per_s"] = await raw_upsert_rate(dsn)
            finally:
                await infra.drop_database(server, infra.database_name(dsn))
    finally:
        infra.remove_tree(work)
    figures["scale"] = scale
    return figures


def main(scale: float = 1.0) -> dict:
    """Run the benchmark; returns the figures (rates per second, latencies in milliseconds)."""
    return asyncio.run(_run(scale))


def _print(f: dict) -> None:
    print_table(f"emails index, PostgreSQL engine (scale {f['scale']}, {f['documents']:,} documents, "
                f"{f['documents_per_user']:,} per user)", [
        ("import (parse + upsert), messages/s", f"{f['import_msgs_per_s']:,.0f}  ({f['import_messages']:,} msgs, target ≥ 1,000)"),
        ("bulk upsert of parsed docs, docs/s", f"{f['upsert_docs_per_s']:,.0f}"),
        ("raw asyncpg unnest upsert, rows/s", f"{f['raw_upsert_rows_per_s']:,.0f}  (baseline, narrow rows)"),
        ("search p50 / p99, no boosts, ms", f"{f['plain']['p50_ms']:.2f} / {f['plain']['p99_ms']:.2f}  ({f['plain']['queries']} queries)"),
        ("search p50 / p99, rag boosts, ms", f"{f['boosted']['p50_ms']:.2f} / {f['boosted']['p99_ms']:.2f}  (target p99 < 50)"),
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100k documents (20k imported)")
    figures = main(parser.parse_args().scale)
    _print(figures)
    print(f"\nsaved {save('index', figures)}")
