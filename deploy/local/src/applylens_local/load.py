"""Concurrent HTTP load on money mode and chat of a running stack: throughput, latency, errors.

Used by ``applylens load`` (against the running local stack), the e2e suite (60 s, zero
errors) and ``bench/load.py``. Each worker loops over a fixed mix of requests as one of
the given users; a response counts as an error unless it is a 200 with a complete body
(a CSV header, JSON, an SSE stream that reaches ``done``).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import httpx

QUESTIONS = ("interview next steps", "receipt order total", "conference meetup", "offer negotiation",
             "what did I spend this month", "which recruiters are waiting on me")


async def _receipts(http: httpx.AsyncClient, rng: random.Random) -> None:
    response = await http.get("/money/receipts.csv")
    response.raise_for_status()
    if not response.text.startswith("date,merchant,amount"):
        raise ValueError("CSV without its header")


async def _duplicates(http: httpx.AsyncClient, rng: random.Random) -> None:
    response = await http.get("/money/duplicates", params={"window_days": rng.choice((1, 7, 30))})
    response.raise_for_status()
    response.json()["duplicates"]


async def _summary(http: httpx.AsyncClient, rng: random.Random) -> None:
    response = await http.get("/money/summary")
    response.raise_for_status()
    response.json()["count"]


async def _chat(http: httpx.AsyncClient, rng: random.Random) -> None:
    response = await http.post("/chat", json={"q": rng.choice(QUESTIONS), "mode": rng.choice(("none", "money", "networking"))})
    response.raise_for_status()
    response.json()["answer"]


async def _chat_stream(http: httpx.AsyncClient, rng: random.Random) -> None:
    params = {"q": rng.choice(QUESTIONS), "mode": rng.choice(("none", "money", "networking"))}
    async with http.stream("GET", "/chat/stream", params=params) as response:
        response.raise_for_status()
        events = [line async for line in response.aiter_lines() if line.startswith("event:")]
    if not events or events[-1] != "event: done":
        raise ValueError(f"stream ended without done: {events[-3:]}")


MIX: dict[str, Callable[[httpx.AsyncClient, random.Random], Awaitable[None]]] = {
    "GET /money/receipts.csv": _receipts,
    "GET /money/duplicates": _duplicates,
    "GET /money/summary": _summary,
    "POST /chat": _chat,
    "GET /chat/stream": _chat_stream,
}


@dataclass
class LoadReport:
    seconds: float
    concurrency: int
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + sum(self.errors.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def figures(self) -> dict[str, float]:
        out: dict[str, float] = {
            "load_seconds": round(self.seconds, 1),
            "load_concurrency": self.concurrency,
            "load_requests": self.requests,
            "load_errors": self.error_count,
            "load_requests_per_s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
        }
        for name, values in sorted(self.latencies.items()):
            ordered = sorted(values)
            key = name.split(" ", 1)[1].strip("/").replace("/", "_").replace(".", "_")
            out[f"load_{key}_p50_ms"] = round(ordered[len(ordered) // 2] * 1000, 1)
            out[f"load_{key}_p99_ms"] = round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1)
        return out


async def run_load(base_url: str, tokens: Sequence[str], *, seconds: float = 60.0, concurrency: int = 16,
                   seed: int = 7) -> LoadReport:
    """``concurrency`` workers, each as one of ``tokens``' users, for ``seconds``."""
    report = LoadReport(seconds=0.0, concurrency=concurrency)
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(number: int, token: str) -> None:
        rng = random.Random(seed * 1000 + number)
        names = list(MIX)
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits,
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            for name in itertools.cycle(rng.sample(names, len(names))):
                if time.monotonic() >= deadline:
                    return
                started = time.perf_counter()
                try:
                    await MIX[name](http, rng)
                except Exception as exc:  # counted and sampled, never fatal to the run
                    report.errors[name] += 1
                    if len(report.error_samples) < 20:
                        report.error_samples.append(f"{name}: {type(exc).__name__}: {exc}")
                else:
                    report.latencies[name].append(time.perf_counter() - started)

    started = time.monotonic()
    await asyncio.gather(*(worker(i, tokens[i % len(tokens)]) for i in range(concurrency)))
    report.seconds = time.monotonic() - started
    return report
