"""Several replicas in one group, the logistic rule end to end, and the repository under concurrency."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter

import asyncpg
import httpx
import pytest

from applylens_contracts.events import EmailSnapshot
from applylens_contracts.publisher import connect_publisher
from applylens_learner.adapters import PostgresWeights
from applylens_learner.domain import BIAS_FEATURE, LogisticParams, features, fold_logistic, pin_weight
from applylens_learner.migrations import upgrade
from applylens_learner.service_layer import ApplyDecisions

pytestmark = pytest.mark.integration

SUBJECTS = ["Flash sale today", "Interview invitation", "Weekly digest", "Your receipt", "Meetup next week"]
CATEGORIES = ["promo", "recruiter", "newsletter", "finance", "events"]


@pytest.fixture
def fresh_db(database_factory) -> str:
    """A database of its own, so this test's group writes where no other learner does."""
    return database_factory()


def random_decisions(it, users: list[str], n: int, seed: int) -> list[tuple[str, dict, int]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        i = rng.randrange(len(SUBJECTS))
        email = {"id": f"m{rng.randrange(10**6)}", "category": CATEGORIES[i], "subject": SUBJECTS[i],
                 "sender_domain": f"s{rng.randrange(3)}.example.org", "list_id": None}
        out.append((rng.choice(users), email, rng.choice([1, -1])))
    return out


async def publish(it, kafka_bootstrap: str, decisions) -> list[str]:
    async with connect_publisher(kafka_bootstrap) as publisher:
        return [await publisher.publish(it.action(u, "approved" if y > 0 else "rejected", **e)) for u, e, y in decisions]


async def test_two_consumers_in_one_group_count_nothing_twice(kafka_bootstrap, fresh_db, jwt_secret, it):
    settings = it.learner_settings(kafka_bootstrap, fresh_db, jwt_secret)
    users = [it.unique_user(f"r{i}") for i in range(8)]  # keys spread over the topic's partitions
    batches = [random_decisions(it, users, 60, seed) for seed in (1, 2, 3)]
    ids: list[str] = []
    learned_by: dict[str, list[str]] = {"A": [], "B": []}

    def track(name: str):  # type: ignore[no-untyped-def]
        return lambda learned: learned_by[name].extend(i for i, _ in learned)

    async with contextlib.AsyncExitStack() as stack_b:
        async with it.running(settings, serve_api=False) as a:
            a.state.learner.apply.listeners.append(track("A"))
            ids += await publish(it, kafka_bootstrap, batches[0])
            await it.eventually(lambda: _count(it, fresh_db, ids, 20), what="replica A consuming")
            b = await stack_b.enter_async_context(it.running(settings, serve_api=False))  # rebalance onto A and B
            b.state.learner.apply.listeners.append(track("B"))
            ids += await publish(it, kafka_bootstrap, batches[1])
            await it.eventually(lambda: _count(it, fresh_db, ids, 100), what="A and B consuming")
        # A has stopped (possibly mid-batch): B takes over its partitions and redeliveries are deduplicated
        ids += await publish(it, kafka_bootstrap, batches[2])
        await it.eventually(lambda: _count(it, fresh_db, ids, len(ids)), timeout=45, what="all 180 applied")

    mine = set(ids)
    applied_a, applied_b = mine & set(learned_by["A"]), mine & set(learned_by["B"])
    assert applied_a and applied_b, "both replicas should have applied part of the stream"
    assert not applied_a & applied_b and len(learned_by["A"]) + len(learned_by["B"]) >= len(mine)
    assert applied_a | applied_b == mine
    decisions = [d for batch in batches for d in batch]
    for user in users:
        counts: Counter[str] = Counter()
        for who, email, y in decisions:
            if who == user:
                for f in features(EmailSnapshot.model_validate(email)):
                    counts[f] += y
        got = await it.weights_of(fresh_db, user)
        assert set(got) == set(counts)
        assert all(got[f] == pytest.approx(0.2 * c, abs=1e-9) for f, c in counts.items()), user


async def _count(it, dsn: str, ids: list[str], at_least: int) -> bool:
    return await it.processed(dsn, ids) >= at_least


async def test_the_logistic_rule_end_to_end(kafka_bootstrap, fresh_db, jwt_secret, token_for, it):
    settings = it.learner_settings(kafka_bootstrap, fresh_db, jwt_secret, learner_algorithm="logistic")
    params = settings.logistic_params
    user = it.unique_user("logit")
    likes = {"category": "promo", "sender_domain": "groupon.com", "list_id": None, "subject": "Flash sale"}
    dislikes = {"category": "recruiter", "sender_domain": "spam-jobs.io", "list_id": None, "subject": "Urgent role"}
    stream = [(user, likes, 1)] * 30 + [(user, dislikes, -1)] * 30 + [(user, likes, -1)] * 2

    async with it.running(settings) as app:
        ids = await publish(it, kafka_bootstrap, stream)
        await it.eventually(lambda: _count(it, fresh_db, ids, len(ids)), what="logistic stream applied")
        expected = fold_logistic(
            {}, [(features(EmailSnapshot.model_validate(dict(e, id="x"))), y) for _, e, y in stream], params)
        got = await it.weights_of(fresh_db, user)
        assert set(got) == set(expected) and BIAS_FEATURE in got
        for f, state in expected.items():
            assert got[f] == pytest.approx(state.weight, rel=1e-9, abs=1e-12), f
        assert all(abs(w) <= params.bound for w in got.values())
        assert got["category:promo"] > 0 > got["category:recruiter"]
        conn = await asyncpg.connect(fresh_db)
        try:
            state = await conn.fetchrow("SELECT z, n FROM learner_ftrl_state WHERE user_id=$1 AND feature='category:promo'", user)
        finally:
            await conn.close()
        assert state["z"] == pytest.approx(expected["category:promo"].z) and state["n"] == pytest.approx(expected["category:promo"].n)

        # an edit pins the weight; learning continues from it at the feature's current step size
        h = {"Authorization": f"Bearer {token_for(user)}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://l") as client:
            assert (await client.put("/learner/weights/category:promo", json={"weight": 0.0}, headers=h)).status_code == 200
            assert (await client.put("/learner/weights/bias", json={"weight": 11}, headers=h)).status_code == 422  # > bound
            more = await publish(it, kafka_bootstrap, [(user, likes, 1)])
            await it.eventually(lambda: _count(it, fresh_db, more, 1), what="event after the edit")
            expected["category:promo"] = pin_weight(expected["category:promo"], 0.0, params)
            expected = fold_logistic(expected, [(features(EmailSnapshot.model_validate(dict(likes, id="x"))), 1)], params)
            got = await it.weights_of(fresh_db, user)
            assert got["category:promo"] == pytest.approx(expected["category:promo"].weight, rel=1e-9)
            assert got["contains:flash"] == pytest.approx(expected["contains:flash"].weight, rel=1e-9)

            scored = (await client.post("/learner/score", headers=h, json={"emails": [
                dict(likes, id="a"), dict(dislikes, id="b")]})).json()
        assert scored["algorithm"] == "logistic"
        a, b = scored["results"]
        assert a["probability"] > 0.5 > b["probability"]


async def test_concurrent_replicas_applying_the_same_batch_learn_it_once(database_url, it):
    await asyncio.to_thread(upgrade, database_url)
    pool = await asyncpg.create_pool(database_url, min_size=2, max_size=8)
    try:
        user = it.unique_user("race")
        events = [(f"{user}-{i}", it.action(user, "approved" if i % 2 else "rejected", category=f"c{i % 3}"))
                  for i in range(40)]
        for algorithm in ("linear", "logistic"):
            replicas = [ApplyDecisions(PostgresWeights(pool), algorithm=algorithm) for _ in range(4)]
            ids = [(f"{algorithm}-{i}", e) for i, e in events]
            results = await asyncio.gather(*(r(ids) for r in replicas))
            assert sum(len(r.learned) for r in results) == 40
            assert sum(r.duplicates for r in results) == 3 * 40
        weights = await it.weights_of(database_url, user)
        # linear then logistic over the same decisions: the linear part is exact per category
        assert set(weights) >= {"category:c0", "category:c1", "category:c2", BIAS_FEATURE}
    finally:
        await pool.close()


async def test_prune_forgets_only_event_ids_past_the_retention(database_url, it):
    from datetime import timedelta

    await asyncio.to_thread(upgrade, database_url)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        tag = it.unique_user("prune")
        await pool.execute(
            "INSERT INTO learner_processed_events (event_id, processed_at) SELECT $1 || i, now() - interval '40 days' "
            "FROM generate_series(1, 25) i", f"{tag}-old-")
        await pool.execute("INSERT INTO learner_processed_events (event_id) VALUES ($1)", f"{tag}-new")
        deleted = await PostgresWeights(pool).prune_processed(timedelta(days=30), chunk=10)
        assert deleted >= 25
        left = await pool.fetch("SELECT event_id FROM learner_processed_events WHERE event_id LIKE $1", f"{tag}%")
        assert [r["event_id"] for r in left] == [f"{tag}-new"]
    finally:
        await pool.close()


async def test_readiness_fails_while_the_database_is_unreachable(kafka_bootstrap, jwt_secret, it):
    settings = it.learner_settings(kafka_bootstrap, "postgresql://postgres@127.0.0.1:1/none", jwt_secret)
    from applylens_learner.bootstrap import build_app

    app = build_app(settings, consume=True, serve_api=True)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://l") as client:
            assert (await client.get("/healthz")).status_code == 200
            ready = await client.get("/readyz")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["database"] != "ok" and checks["startup"] != "ok" and checks["kafka"] != "ok"
