"""rag-service: search latency with and without the boosts, and time to the first SSE event.

1. Load ``100_000 × scale`` synthetic emails into one user's mailbox (the worst case: a
   question searches one user's mail) on the PostgreSQL engine: recruiting mail with
   ``ats.*`` (stages, ghosting risk), receipts, events, newsletters, promos, personal.
2. Search latency: rag's own queries (``domain.build_query``: the question's words ORed,
   subject > body > sender weights, k = 6) with the boosts of each mode, and the same
   queries with no boosts → p50/p99 ms; target: boosts add < 10% at p50 and p99.
   Beside them, the raw baseline measured in the same run: a bare asyncpg statement with
   the same full-text match and ``ts_rank_cd`` order, no contract and no boosts.
3. Time to first SSE event: the app (extractive answerer) served by uvicorn on 127.0.0.1,
   ``GET /chat/stream`` with a bearer token; the time from sending the request to reading
   the first ``event:`` line (the sources) → p50/p99 ms; target p99 < 150 ms. Also the whole
   stream (to ``done``).

    uv run python bench/rag.py [--scale 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile, print_table, save  # noqa: E402

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import uvicorn  # noqa: E402

from applylens_contracts.email import AtsFields, EmailDocument  # noqa: E402
from applylens_contracts.identity import mint_token  # noqa: E402
from applylens_index.postgres import PostgresEmailIndex  # noqa: E402
from applylens_local import infra  # noqa: E402
from applylens_rag.bootstrap import build_app  # noqa: E402
from applylens_rag.domain import DEFAULT_BOOSTS, Mode, build_query  # noqa: E402
from applylens_rag.settings import RagSettings  # noqa: E402

USER = "bench-rag@example.com"
NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
QUESTIONS = [
    "which applications need a follow-up?", "when is my onsite interview", "acme offer", "any recruiter news",
    "receipts from last month", "how much did I pay for the subscription", "invoice", "upcoming meetups",
    "conference talks", "webinar on data engineering", "weekly newsletter", "password reset",
    "dinner with sam", "final round schedule", "backend engineer application", "order shipped",
]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Cyberdyne", "Soylent"]
ROLES = ["Backend Engineer", "Data Engineer", "Platform Engineer", "ML Engineer", "Product Designer", "SRE"]
STAGES = ["Applied", "Phone Screen", "Onsite", "Final Round", "Offer", "Negotiation", "Rejected"]
MERCHANTS = ["amazon.com", "uber.com", "spotify.com", "apple.com", "netflix.com", "doordash.com", "github.com"]
FILLER = ("the team is looking forward to next steps and will share more details about the schedule soon "
          "please let us know if you have any questions about the process or the timeline for this week").split()


def _doc(i: int, rng: random.Random) -> EmailDocument:
    roll = rng.random()
    company, role = rng.choice(COMPANIES), rng.choice(ROLES)
    filler = " ".join(rng.choices(FILLER, k=40))
    ats = None
    if roll < 0.12:
        stage = rng.choice(STAGES)
        category, sender = "recruiting", f"recruiter@{company.lower()}.com"
        subject = f"{company}: {stage} for the {role} role"
        body = f"Hi, about your {role} application at {company}: {stage.lower()} update. {filler}"
        ats = AtsFields(system="greenhouse", application_id=f"app-{i % 5000}", stage=stage, company=company,
                        ghosting_risk=round(rng.random(), 2))
        thread = f"app-{i % 5000}"
    elif roll < 0.27:
        merchant = rng.choice(MERCHANTS)
        category, sender = "finance", f"receipts@{merchant}"
        subject = f"Your {merchant} receipt for order {i}"
        body = f"Thanks for your order. Payment received: ${rng.randint(3, 400)}.{rng.randint(0, 99):02d}. {filler}"
        thread = f"r-{i}"
    elif roll < 0.35:
        category, sender = "event", "events@meetup.com"
        subject = f"{rng.choice(['Meetup', 'Conference', 'Webinar', 'Workshop'])}: {role}s in {rng.choice(COMPANIES)} city"
        body = f"Join us for talks and networking. RSVP now. {filler}"
        thread = f"e-{i}"
    elif roll < 0.65:
        category, sender = "updates", "newsletter@news.example"
        subject = f"Weekly newsletter #{i % 300}: industry news"
        body = f"This week in tech: {filler}"
        thread = f"n-{i}"
    elif roll < 0.9:
        category, sender = "promo", "deals@shop.example"
        subject = f"{rng.randint(10, 70)}% off this weekend"
        body = f"Sale ends soon. {filler}"
        thread = f"p-{i}"
    else:
        category, sender = "personal", "sam@friends.example"
        subject = rng.choice(["Dinner with Sam?", "Weekend plans", "Photos from the trip", "Password reset request"])
        body = f"Hey! {filler}"
        thread = f"x-{i}"
    return EmailDocument(id=f"m{i}", user_id=USER, thread_id=thread, subject=subject, body_text=body, from_=sender,
                         sender_domain=sender.split("@")[1], category=category,
                         received_at=NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 365)), ats=ats)


async def _load(index: PostgresEmailIndex, count: int) -> float:
    rng = random.Random(7)
    started = time.perf_counter()
    batch = 2000
    for start in range(0, count, batch):
        await index.upsert([_doc(i, rng) for i in range(start, min(count, start + batch))])
    return count / (time.perf_counter() - started)


async def _search_latency(index: PostgresEmailIndex, dsn: str, rounds: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"boosted": [], "boosted_no_explain": [], "plain": [], "raw": []}
    raw_sql = (
        "SELECT id, ts_rank('{0.05,0.5,0.25,1}'::float4[], tsv, q) AS score "
        "FROM emails, websearch_to_tsquery('english', $2) AS q WHERE user_id = $1 AND tsv @@ q "
        "ORDER BY score DESC, received_at DESC, id LIMIT 6"
    )
    conn = await asyncpg.connect(dsn)
    try:
        modes = list(Mode)
        for r in range(rounds + 1):  # round 0 warms caches and is not counted
            for n, question in enumerate(QUESTIONS):
                mode = modes[(r + n) % len(modes)]
                boosted = build_query(USER, question, mode, 6, DEFAULT_BOOSTS)
                plain = boosted.model_copy(update={"boosts": ()})
                order = [("boosted", boosted), ("plain", plain),
                         ("boosted_no_explain", boosted.model_copy(update={"explain": False}))]
                if (r + n) % 2:
                    order.reverse()  # alternate which runs first
                for name, query in order:
                    started = time.perf_counter()
                    await index.search(query)
                    if r:
                        timings[name].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                await conn.fetch(raw_sql, USER, boosted.text or "")
                if r:
                    timings["raw"].append((time.perf_counter() - started) * 1000)
    finally:
        await conn.close()
    return timings


class _Server:
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


async def _first_event_latency(dsn: str, requests: int) -> dict[str, list[float]]:
    secret = "bench-secret-" + "x" * 32
    settings = RagSettings(database_url=dsn, jwt_secret=secret, rag_llm_base_url=None, elasticsearch_url=None)
    token = mint_token(USER, secret)
    first, whole = [], []
    with _Server(build_app(settings)) as server:
        async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
            for i in range(requests + 5):  # the first 5 warm the pool and are not counted
                question = QUESTIONS[i % len(QUESTIONS)]
                mode = list(Mode)[i % 3].value
                started = time.perf_counter()
                got_first = None
                async with client.stream("GET", f"{server.url}/chat/stream", params={"q": question, "mode": mode}) as r:
                    async for line in r.aiter_lines():
                        if got_first is None and line.startswith("event:"):
                            got_first = time.perf_counter()
                        if line == "event: done":
                            break
                if i >= 5:
                    first.append((got_first - started) * 1000)
                    whole.append((time.perf_counter() - started) * 1000)
    return {"first": first, "whole": whole}


async def run(scale: float) -> dict:
    count = max(1000, int(100_000 * scale))
    state = Path(tempfile.mkdtemp(prefix="applylens-bench-rag-"))
    try:
        with infra.postgres(state) as server_dsn:
            dsn = await infra.create_database(server_dsn)
            try:
                index = await PostgresEmailIndex.connect(dsn)
                try:
                    await index.ensure()
                    load_rate = await _load(index, count)
                    conn = await asyncpg.connect(dsn)
                    await conn.execute("ANALYZE emails")
                    await conn.close()
                    search = await _search_latency(index, dsn, rounds=max(3, int(15 * min(1.0, scale * 2))))
                finally:
                    await index.close()
                sse = await _first_event_latency(dsn, requests=max(50, int(300 * min(1.0, scale * 2))))
            finally:
                await infra.drop_database(server_dsn, infra.database_name(dsn))
    finally:  # after the server stopped: removing a live server's data directory orphans it
        infra.remove_tree(state)

    def p(values: list[float], q: float) -> float:
        return round(percentile(values, q), 2)

    figures = {
        "documents": count,
        "load_docs_per_s": round(load_rate),
        "search_plain_p50_ms": p(search["plain"], 50),
        "search_plain_p99_ms": p(search["plain"], 99),
        "search_boosted_p50_ms": p(search["boosted"], 50),
        "search_boosted_p99_ms": p(search["boosted"], 99),
        "search_boosted_no_explain_p50_ms": p(search["boosted_no_explain"], 50),
        "search_boosted_no_explain_p99_ms": p(search["boosted_no_explain"], 99),
        "search_raw_asyncpg_p50_ms": p(search["raw"], 50),
        "search_raw_asyncpg_p99_ms": p(search["raw"], 99),
        "first_event_p50_ms": p(sse["first"], 50),
        "first_event_p99_ms": p(sse["first"], 99),
        "whole_stream_p50_ms": p(sse["whole"], 50),
        "whole_stream_p99_ms": p(sse["whole"], 99),
        "searches_per_variant": len(search["plain"]),
        "streams": len(sse["first"]),
    }
    figures["boost_overhead_p50_pct"] = round(
        100 * (figures["search_boosted_p50_ms"] / figures["search_plain_p50_ms"] - 1), 1)
    figures["boost_overhead_p99_pct"] = round(
        100 * (figures["search_boosted_p99_ms"] / figures["search_plain_p99_ms"] - 1), 1)
    return figures


def main(scale: float = 1.0) -> dict:
    figures = asyncio.run(run(scale))
    print_table(f"rag-service (scale {scale}: {figures['documents']:,} emails in one mailbox)", [
        ("search p50 / p99, no boosts", f"{figures['search_plain_p50_ms']} / {figures['search_plain_p99_ms']} ms"),
        ("search p50 / p99, with boosts", f"{figures['search_boosted_p50_ms']} / {figures['search_boosted_p99_ms']} ms"),
        ("boost overhead p50 / p99 (target < 10%)",
         f"{figures['boost_overhead_p50_pct']}% / {figures['boost_overhead_p99_pct']}%"),
        ("search p50 / p99, boosts without explain",
         f"{figures['search_boosted_no_explain_p50_ms']} / {figures['search_boosted_no_explain_p99_ms']} ms"),
        ("raw asyncpg full-text p50 / p99", f"{figures['search_raw_asyncpg_p50_ms']} / {figures['search_raw_asyncpg_p99_ms']} ms"),
        ("first SSE event p50 / p99 (target p99 < 150 ms)", f"{figures['first_event_p50_ms']} / {figures['first_event_p99_ms']} ms"),
        ("whole stream p50 / p99", f"{figures['whole_stream_p50_ms']} / {figures['whole_stream_p99_ms']} ms"),
        ("load rate", f"{figures['load_docs_per_s']:,} docs/s"),
    ])
    save("rag", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    main(parser.parse_args().scale)
