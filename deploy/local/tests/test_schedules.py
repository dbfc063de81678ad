"""The local stack runs the seed's nightly jobs on the seed's schedule (production uses the CronJobs)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from applylens_local.stack import start_scheduler


def test_the_nightly_jobs_fire_at_0200_and_0215_utc(tmp_path: Path) -> None:
    scheduler = start_scheduler({}, tmp_path)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        after = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
        fire = {name: job.trigger.get_next_fire_time(None, after) for name, job in jobs.items()}
        commands = {name: [Path(part).name for part in job.args[0]] for name, job in jobs.items()}
    finally:
        scheduler.shutdown(wait=False)
    assert fire == {"ats-enrich": datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc),
                    "policy-recompute": datetime(2026, 11, 29, 2, 15, tzinfo=timezone.utc)}
    assert commands == {"ats-enrich": ["applylens-ats", "run"], "policy-recompute": ["applylens-policy", "recompute-stats"]}
