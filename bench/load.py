"""Load: concurrent requests on money mode and chat of a real local stack (`applylens up` as a subprocess).

``uv run python bench/load.py`` (``BENCH_SCALE=0.1`` for a 10 s run). Reports requests/s,
errors and p50/p99 per request kind; the raw baseline is ``GET /healthz`` through the same
gateway with the same concurrency (the HTTP stack and the client without any work).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from applylens_contracts.identity import mint_token  # noqa: E402
from applylens_local.infra import free_port, remove_tree  # noqa: E402
from applylens_local.load import run_load  # noqa: E402
from bench.common import env_scale, print_table, save  # noqa: E402

CONCURRENCY = 16


async def healthz_rate(base_url: str, seconds: float) -> float:
    deadline = time.monotonic() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            while time.monotonic() < deadline:
                (await http.get("/healthz")).raise_for_status()
                done += 1

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return done / (time.monotonic() - started)


def main(scale: float = 1.0) -> dict:
    seconds = max(10.0, 60.0 * scale)
    state = Path(tempfile.mkdtemp(prefix="applylens-bench-load-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "JWT_SECRET")}
    env["APPLYLENS_STATE_DIR"] = str(state)
    up = subprocess.Popen([str(Path(sys.executable).parent / "applylens"), "up", "--port", str(free_port())], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not (state / "stack.json").exists():
            if up.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"applylens up did not start; logs in {state / 'logs'}")
            time.sleep(1)
        info = json.loads((state / "stack.json").read_text())
        tokens = [info["token"], mint_token("alex@example.com", (state / "jwt_secret").read_text().strip())]
        report = asyncio.run(run_load(info["base_url"], tokens, seconds=seconds, concurrency=CONCURRENCY))
        figures = report.figures()
        figures["raw_healthz_requests_per_s"] = round(asyncio.run(healthz_rate(info["base_url"], min(seconds, 15))), 1)
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGINT)
            up.wait(90)
        remove_tree(state)
    print_table(f"load: {CONCURRENCY} clients for {seconds:.0f} s on money and chat (demo mailbox, 2 users)",
                [(k, str(v)) for k, v in figures.items()])
    save("load", figures)
    return figures


if __name__ == "__main__":
    main(env_scale())
