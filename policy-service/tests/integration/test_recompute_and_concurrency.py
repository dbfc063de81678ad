"""The nightly recompute and concurrent writers, each on a database of its own.

The recompute rewrites every row of its database, so these tests do not share the
session database with the tests that read live figures.
"""

from __future__ import annotations

import asyncio
import time
import os
import random
import uuid
from datetime import datetime, timedelta, timezone

import asyncpg
import pytest
from typer.testing import CliRunner

from applylens_contracts.events import ActionApproved, ActionManual, ActionProposed, ActionRejected
from applylens_policy import migrations
from applylens_policy.adapters import sql
from applylens_policy.adapters.postgres import PostgresPolicyStats
from applylens_policy.domain import HistoryRow, windowed_figures
from applylens_policy.entrypoints.cli import app as cli
from applylens_policy.service_layer import handlers

pytestmark = pytest.mark.integration

NOW = datetime.now(timezone.utc)
KINDS = {"proposed": ActionProposed, "approved": ActionApproved, "rejected": ActionRejected, "manual": ActionManual}


def event(kind: str, user: str, email: str, policy_id: int | None, at: datetime, action: str = "archive_email"):
    manual = kind == "manual"
    return KINDS[kind].model_validate({
        "user_id": user, "action_id": uuid.uuid4().hex, "policy_id": None if manual else policy_id,
        "policy_name": None if manual else f"P{policy_id}", "action": action,
        "email": {"id": email}, "occurred_at": at.isoformat(),
    })


ACTIONS = ["archive_email", "label"]


def random_stream(users: list[str], n: int, *, seed: int, oldest_days: float = 20) -> list[tuple[str, object]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        kind = rnd.choices(["proposed", "approved", "rejected", "manual"], [5, 3, 1, 2])[0]
        at = NOW - timedelta(days=rnd.uniform(0, oldest_days))
        policy_id = rnd.randrange(1, 5)
        # a policy proposes one action kind; manual actions are of any kind
        action = rnd.choice(ACTIONS) if kind == "manual" else ACTIONS[policy_id % 2]
        out.append((f"e{seed}-{i}", event(kind, rnd.choice(users), f"m{rnd.randrange(40)}",
                                          policy_id, at, action)))
    return out


@pytest.fixture
async def store(database_factory):
    dsn = await asyncio.to_thread(database_factory)
    await asyncio.to_thread(migrations.upgrade, dsn)
    pool = await asyncpg.create_pool(dsn, min_size=0, max_size=12)
    try:
        yield PostgresPolicyStats(pool), pool, dsn
    finally:
        await pool.close()


async def rows_of(pool) -> dict[tuple[str, int], tuple]:
    records = await pool.fetch("SELECT user_id, policy_id, fired, approved, rejected, precision, recall, "
                               "manual, manual_on_proposed FROM policy_stats")
    return {(r["user_id"], r["policy_id"]): tuple(r)[2:] for r in records}


def reference(stream, since) -> dict[tuple[str, int], tuple]:
    figures = windowed_figures([HistoryRow.of(eid, ev) for eid, ev in stream], since)
    return {k: (f.fired, f.approved, f.rejected, f.precision, f.recall, f.manual, f.manual_on_proposed)
            for k, f in figures.items()}


def assert_same(actual: dict, expected: dict) -> None:
    for key, want in expected.items():
        got = actual[key]
        assert got[:3] == want[:3] and got[5:] == want[5:], (key, got, want)
        for g, w in zip(got[3:5], want[3:5]):
            assert (g is None and w is None) or g == pytest.approx(w), (key, got, want)


async def test_live_counters_and_the_job_agree_and_the_job_is_idempotent(store):
    stats, pool, _ = store
    users = ["ann", "ben", "cat"]
    stream = random_stream(users, 1200, seed=1)
    for start in range(0, len(stream), 97):  # batches of any size, in stream order
        await handlers.apply_events(stats, stream[start:start + 97], window_days=30)
    live = await rows_of(pool)
    assert_same(live, reference(stream, NOW - timedelta(days=30)))

    await handlers.recompute_stats(stats, window_days=30)
    recomputed = await rows_of(pool)
    assert {k: v[:3] + v[5:] for k, v in recomputed.items()} == {k: v[:3] + v[5:] for k, v in live.items()}
    assert_same(recomputed, reference(stream, NOW - timedelta(days=30)))
    first = await rows_of(pool)
    await handlers.recompute_stats(stats, window_days=30)
    assert await rows_of(pool) == first


async def test_events_older_than_the_window_drop_out_after_the_recompute(store, pushgateway_url, pushed_metrics):
    stats, pool, dsn = store
    user = "dana"
    stream = [
        ("old-p", event("proposed", user, "m1", 1, NOW - timedelta(days=10))),
        ("old-a", event("approved", user, "m1", 1, NOW - timedelta(days=10))),
        ("old-m", event("manual", user, "m7", None, NOW - timedelta(days=9))),
        ("new-p", event("proposed", user, "m2", 1, NOW - timedelta(days=1))),
        ("new-r", event("rejected", user, "m2", 1, NOW - timedelta(days=1))),
        ("new-m", event("manual", user, "m8", None, NOW - timedelta(hours=3))),
        ("ancient", event("approved", user, "m0", 1, NOW - timedelta(days=45))),  # stored, never counted
    ]
    assert await handlers.apply_events(stats, stream, window_days=30) == 7
    (live,) = (await rows_of(pool)).values()
    assert live[:5] == (2, 1, 1, 0.5, 1 / 3)

    # The 02:15 job, as the CronJob runs it, with a shorter window.
    started = time.time()
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["recompute-stats", "--window-days", "5"],
                                     env={"DATABASE_URL": dsn, "LOG_JSON": "false", "PUSHGATEWAY_URL": pushgateway_url})
    assert result.exit_code == 0, result.output
    pushed = pushed_metrics("policy-recompute-stats")  # what the stale-job alert and the dashboard read
    assert started <= pushed["applylens_job_last_success_timestamp_seconds"] <= time.time()
    assert pushed["policy_stats_recomputed_rows"] == 1
    (after,) = (await rows_of(pool)).values()
    assert after[:5] == (1, 0, 1, 0.0, 0.0)  # only m2's proposal and rejection, m8's manual action
    assert await pool.fetchval("SELECT window_days FROM policy_stats") == 5
    assert await pool.fetchval("SELECT count(*) FROM policy_events") == 7  # the history keeps everything

    bad = await asyncio.to_thread(CliRunner().invoke, cli, ["recompute-stats", "--window-days", "0"],
                                  env={"DATABASE_URL": dsn})
    assert bad.exit_code != 0


async def test_concurrent_first_inserts_lose_nothing_and_the_job_is_safe_meanwhile(store):
    stats, pool, _ = store
    # 8 writers (as if replicas of a group mid-rebalance) all create the same new rows at once,
    # while the nightly job runs twice in the middle.
    users = ["eve", "fay"]
    stream = random_stream(users, 1600, seed=2, oldest_days=3)
    slices = [stream[i::8] for i in range(8)]

    async def writer(part):
        for start in range(0, len(part), 25):
            await handlers.apply_events(stats, part[start:start + 25], window_days=30)

    async def job():
        await asyncio.sleep(0.05)
        await handlers.recompute_stats(stats, window_days=30)
        await asyncio.sleep(0.05)
        await handlers.recompute_stats(stats, window_days=30)

    await asyncio.gather(*(writer(part) for part in slices), job())
    totals = await pool.fetchrow("SELECT sum(fired) f, sum(approved) a, sum(rejected) r FROM policy_stats")
    expected = reference(stream, NOW - timedelta(days=30))
    assert (totals["f"], totals["a"], totals["r"]) == tuple(
        sum(v[i] for v in expected.values()) for i in range(3))
    # Counters are exact under concurrency; the recall inputs of interleaved writers of one user
    # are made exact by the job (a user's events are ordered on one partition in production).
    await handlers.recompute_stats(stats, window_days=30)
    assert_same(await rows_of(pool), expected)


async def test_writers_racing_on_the_same_new_events_count_each_once(store):
    stats, pool, _ = store
    # Six writers (replicas both holding a partition mid-rebalance, or a replay) apply the same
    # new events at the same moment: each loses the race on some ids, and none may fail or
    # count an event twice.
    stream = random_stream(["gus", "hal"], 600, seed=3, oldest_days=3)

    async def writer(offset: int):
        batches = [stream[start:start + 50] for start in range(0, len(stream), 50)]
        for batch in batches[offset:] + batches[:offset]:
            await handlers.apply_events(stats, batch, window_days=30)

    await asyncio.gather(*(writer(i % 2) for i in range(6)))
    assert await pool.fetchval("SELECT count(*) FROM policy_events") == len(stream)
    totals = await pool.fetchrow("SELECT sum(fired) f, sum(approved) a, sum(rejected) r FROM policy_stats")
    expected = reference(stream, NOW - timedelta(days=30))
    assert (totals["f"], totals["a"], totals["r"]) == tuple(
        sum(v[i] for v in expected.values()) for i in range(3))


async def test_the_batch_statements_generic_plan_never_scans_the_history(store):
    # After five executions a connection keeps a generic plan, made without the batch's size
    # and from the statistics of that moment: typically a young, small history. A plan that
    # scans the history (which only grows) would slow every batch with its age.
    stats, pool, _ = store
    await handlers.apply_events(stats, random_stream(["ivy", "jon"], 1000, seed=4, oldest_days=3), window_days=30)
    async with pool.acquire() as conn:
        await conn.execute("ANALYZE")
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        await conn.execute(f"PREPARE apply_batch AS {sql.APPLY_BATCH}")
        # A generic plan does not depend on the values: empty arrays show it.
        plan = "\n".join(r[0] for r in await conn.fetch(
            "EXPLAIN EXECUTE apply_batch('{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', now(), 30)"))
        await conn.execute("DEALLOCATE apply_batch; RESET plan_cache_mode")
    assert "Seq Scan on policy_events" not in plan, plan


async def test_text_of_any_kind_is_stored_exactly(store):
    # The batch sends its text columns as JSON arrays: quotes, backslashes, control and
    # non-ASCII characters must come back exactly as they went in.
    stats, pool, _ = store
    odd = ['quo"te', "back\\slash", "tab\tnew\nline", "ünï cödé ✓ 🚀", "[1, 2]", "null", "\u2028", "'; DROP TABLE x; --"]
    stream = [(f"odd-{i}-{text}", event("proposed", f"user {text}", f"mail {text}", i + 1, NOW, action=f"act {text}"))
              for i, text in enumerate(odd)]
    await handlers.apply_events(stats, stream, window_days=30)
    stored = {r["event_id"]: tuple(r)[1:] for r in await pool.fetch(
        "SELECT event_id, user_id, email_id, action, policy_name FROM policy_events")}
    assert stored == {event_id: (ev.user_id, ev.email.id, ev.action, ev.policy_name) for event_id, ev in stream}
