"""`make bench`: run every benchmark, print one table, write bench/results.json.

Each bench module exposes ``main(scale: float = 1.0) -> dict`` and measures its own
raw baselines in the same run. ``BENCH_SCALE`` (default 1.0) scales every input;
``BENCH_ONLY=learner,money`` runs a subset.

bench/results.json (the last run) and bench/results/all-scale-<scale>.json (the last run
at each scale, for docs/PERFORMANCE.md) are machine-specific output and not in git.
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

BENCHES = ["learner", "policy", "money", "rag", "ats", "index", "load"]


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "platform": platform.platform(),
        "load_average_at_start": _load(),  # 1, 5, 15 min: other work on the machine skews every figure
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _flat(figures: dict, prefix: str = "") -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for key, value in sorted(figures.items()):
        if isinstance(value, dict):
            out.extend(_flat(value, f"{prefix}{key}."))
        else:
            out.append((f"{prefix}{key}", value))
    return out


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
    results["machine"]["load_average_at_end"] = _load()
    return results


def print_summary(results: dict) -> None:
    print("\n=== ApplyLens benchmarks (scale %s) ===" % results["scale"])
    for name, entry in results["benches"].items():
        if "error" in entry:
            print(f"{name:<10} ERROR {entry['error']}")
            continue
        for key, value in _flat(entry["figures"]):
            shown = f"{value:,.1f}" if isinstance(value, float) else str(value)
            print(f"{name:<10} {key:<48} {shown}")


if __name__ == "__main__":
    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    only = [b for b in os.environ.get("BENCH_ONLY", ",".join(BENCHES)).split(",") if b]
    out = run(scale, only)
    print_summary(out)
    text = json.dumps(out, indent=2, sort_keys=True, default=str)
    path = Path(__file__).parent / "results.json"
    path.write_text(text)
    if set(only) == set(BENCHES):  # a complete run: also kept per scale
        kept = Path(__file__).parent / "results" / f"all-scale-{scale}.json"
        kept.parent.mkdir(exist_ok=True)
        kept.write_text(text)
        print(f"\nwrote {path} and {kept}")
    else:
        print(f"\nwrote {path}")
    sys.exit(1 if any("error" in e for e in out["benches"].values()) else 0)
