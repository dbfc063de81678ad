"""`make bench`: run every benchmark, print one table, write bench/results.json.

Each bench module exposes ``main(scale: float = 1.0) -> dict`` and measures its own
raw baselines in the same run. ``BENCH_SCALE`` (default 1.0) scales every input;
``BENCH_ONLY=learner,money`` runs a subset.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

BENCHES = ["learner", "policy", "money", "rag", "ats", "index"]


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def run(scale: float, only: list[str]) -> dict:
    results: dict = {"machine": machine(), "scale": scale, "benches": {}}
    for name in only:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            results["benches"][name] = {"error": f"not available: {exc}"}
            continue
        started = time.perf_counter()
        try:
            figures = module.main(scale=scale)
            results["benches"][name] = {"figures": figures, "seconds": round(time.perf_counter() - started, 1)}
        except Exception as exc:  # one broken bench must not hide the others' figures
            traceback.print_exc()
            results["benches"][name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


def print_summary(results: dict) -> None:
    print("\n=== ApplyLens benchmarks (scale %s) ===" % results["scale"])
    for name, entry in results["benches"].items():
        if "error" in entry:
            print(f"{name:<10} ERROR {entry['error']}")
            continue
        for key, value in sorted(entry["figures"].items()):
            shown = f"{value:,.1f}" if isinstance(value, float) else str(value)
            print(f"{name:<10} {key:<48} {shown}")


if __name__ == "__main__":
    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    only = [b for b in os.environ.get("BENCH_ONLY", ",".join(BENCHES)).split(",") if b]
    out = run(scale, only)
    print_summary(out)
    path = Path(__file__).parent / "results.json"
    path.write_text(json.dumps(out, indent=2, sort_keys=True, default=str))
    print(f"\nwrote {path}")
    sys.exit(1 if any("error" in e for e in out["benches"].values()) else 0)
