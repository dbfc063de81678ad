"""policy-service through the real broker and PostgreSQL: one running service per module.

Each test uses its own user ids (the broker and the database are shared by the session).
Tests that run the recompute over the whole table use a database of their own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import asyncpg
import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer

from applylens_contracts.cloudevents import KafkaRecord, encode
from applylens_contracts.events import (
    TOPIC_ACTIONS,
    ActionApproved,
    ActionManual,
    ActionProposed,
    ActionRejected,
    dlq_topic,
)
from applylens_contracts.publisher import connect_publisher
from applylens_policy.bootstrap import build_app
from applylens_policy.domain import windowed_figures
from applylens_policy.settings import PolicySettings

pytestmark = pytest.mark.integration

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def event(cls, user: str, email: str, policy_id: int | None = 1, *, name: str | None = None,
          action: str = "archive_email", at: datetime | None = None):
    manual = cls is ActionManual
    return cls.model_validate({
        "user_id": user, "action_id": f"act-{uuid.uuid4().hex[:8]}",
        "policy_id": None if manual else policy_id,
        "policy_name": None if manual else (name or f"Policy {policy_id}"),
        "action": action, "email": {"id": email, "category": "promo"},
        "occurred_at": (at or NOW - timedelta(hours=1)).isoformat(),
    })


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.com"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def service(kafka_bootstrap, database_url, jwt_secret):
    settings = PolicySettings(
        kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url, jwt_secret=jwt_secret,
        policy_consumer_group=f"policy-stats-{uuid.uuid4().hex[:6]}", kafka_session_timeout_ms=6000,
    )
    app = build_app(settings)
    async with app.router.lifespan_context(app):
        await asyncio.wait_for(app.state.runtime.migrated.wait(), 30)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://policy") as client:
            yield app, client, settings


async def publish(bootstrap: str, events: list[tuple[str, object]]) -> None:
    async with connect_publisher(bootstrap) as publisher:
        for event_id, ev in events:
            await publisher.publish(ev, event_id=event_id)


async def wait_for(check: Callable[[], object], timeout: float = 30.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.2)


async def stats_of(client: httpx.AsyncClient, token: str) -> list[dict]:
    response = await client.get("/policy/stats", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


async def events_stored(database_url: str, user: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval("SELECT count(*) FROM policy_events WHERE user_id = $1", user)
    finally:
        await conn.close()


def scripted(user: str) -> list[tuple[str, object]]:
    """Policy 1 (archive): 4 proposals, 2 approved, 1 rejected, 1 pending; the user also archived
    m2 (proposed by policy 1) and m8, m9 (not proposed) by hand. Policy 2 (label): 2 proposals, 1 approved;
    the user labelled one email by hand that policy 2 never proposed."""
    ids = iter(f"{user}-{i}" for i in range(100))
    return [(next(ids), e) for e in [
        event(ActionProposed, user, "m1", 1, name="Archive promos (old name)", at=NOW - timedelta(hours=5)),
        event(ActionProposed, user, "m2", 1),
        event(ActionProposed, user, "m3", 1),
        event(ActionProposed, user, "m4", 1, name="Archive old promos", at=NOW - timedelta(minutes=30)),
        event(ActionApproved, user, "m1", 1),
        event(ActionApproved, user, "m2", 1),
        event(ActionRejected, user, "m3", 1),
        event(ActionManual, user, "m2", None),
        event(ActionManual, user, "m8", None),
        event(ActionManual, user, "m9", None),
        event(ActionProposed, user, "m5", 2, action="label_recruiter"),
        event(ActionProposed, user, "m6", 2, action="label_recruiter"),
        event(ActionApproved, user, "m5", 2, action="label_recruiter"),
        event(ActionManual, user, "m7", None, action="label_recruiter"),
    ]]


async def test_scripted_stream_gives_exact_precision_and_recall_and_duplicates_change_nothing(
        service, kafka_bootstrap, database_url, token_for):
    _, client, _ = service
    user = new_user()
    stream = scripted(user)
    await publish(kafka_bootstrap, stream)
    await wait_for(lambda: _has(client, token_for(user), fired=6))

    rows = await stats_of(client, token_for(user))
    assert [r["policy_id"] for r in rows] == [1, 2]  # most fired first
    p1, p2 = rows
    assert (p1["fired"], p1["approved"], p1["rejected"]) == (4, 2, 1)
    assert p1["precision"] == pytest.approx(2 / 3)  # the pending proposal does not count
    assert p1["recall"] == pytest.approx(2 / 4)  # m8, m9 missed; m2 was proposed
    assert p1["name"] == "Archive old promos"  # the latest name wins
    assert p1["window_days"] == 30 and p1["updated_at"]
    assert (p2["fired"], p2["approved"], p2["rejected"], p2["precision"]) == (2, 1, 0, 1.0)
    assert p2["recall"] == pytest.approx(1 / 2)

    # Redelivery of the whole stream, and the same event twice in a row: nothing moves.
    await publish(kafka_bootstrap, stream + stream[:2])
    marker = [(f"{user}-marker", event(ActionProposed, user, "m99", 3))]
    await publish(kafka_bootstrap, marker)
    await wait_for(lambda: _has(client, token_for(user), policies=3))
    again = await stats_of(client, token_for(user))
    assert again[:2] == rows  # untouched rows, same updated_at
    assert await events_stored(database_url, user) == len(stream) + 1

    # The live figures equal the reference semantics over the same events.
    reference = windowed_figures(
        [_row(ev) for _, ev in stream + marker], since=NOW - timedelta(days=30))
    for row in again:
        ref = reference[(user, row["policy_id"])]
        assert (row["fired"], row["approved"], row["rejected"]) == (ref.fired, ref.approved, ref.rejected)
        assert row["precision"] == pytest.approx(ref.precision) if ref.precision is not None else row["precision"] is None
        assert row["recall"] == pytest.approx(ref.recall) if ref.recall is not None else row["recall"] is None

    # The daily series over the window, for the trend chart.
    detail = await client.get("/policy/stats/1", headers={"Authorization": f"Bearer {token_for(user)}"})
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["fired"] == 4 and body["name"] == "Archive old promos"
    assert len(body["series"]) == 31 and body["series"][0]["fired"] == 0
    assert sum(p["fired"] for p in body["series"]) == 4
    assert sum(p["approved"] for p in body["series"]) == 2


async def _has(client, token, *, fired: int | None = None, policies: int | None = None) -> bool:
    rows = await stats_of(client, token)
    if policies is not None and len(rows) < policies:
        return False
    return fired is None or sum(r["fired"] for r in rows) >= fired


def _row(ev):
    from applylens_policy.domain import HistoryRow
    return HistoryRow.of("x", ev)


async def test_two_users_stay_apart_and_nobody_reads_another_users_policy(
        service, kafka_bootstrap, token_for):
    _, client, _ = service
    alice, bob = new_user(), new_user()
    await publish(kafka_bootstrap, [
        (f"{alice}-1", event(ActionProposed, alice, "m1", 7)),
        (f"{alice}-2", event(ActionApproved, alice, "m1", 7)),
        (f"{bob}-1", event(ActionProposed, bob, "m1", 7)),
        (f"{bob}-2", event(ActionRejected, bob, "m1", 7)),
        (f"{bob}-3", event(ActionProposed, bob, "m2", 8)),
    ])
    await wait_for(lambda: _has(client, token_for(bob), fired=2))
    await wait_for(lambda: _has(client, token_for(alice), fired=1))
    a = await stats_of(client, token_for(alice))
    b = await stats_of(client, token_for(bob))
    assert [(r["policy_id"], r["approved"], r["rejected"], r["precision"]) for r in a] == [(7, 1, 0, 1.0)]
    assert sorted((r["policy_id"], r["approved"], r["rejected"], r["precision"]) for r in b) == [
        (7, 0, 1, 0.0), (8, 0, 0, None)]

    headers = {"Authorization": f"Bearer {token_for(alice)}"}
    other = await client.get("/policy/stats/8", headers=headers)  # bob's policy
    assert other.status_code == 404 and "policy 8" in other.json()["detail"]
    assert (await client.get("/policy/stats/424242", headers=headers)).status_code == 404
    assert (await client.get("/policy/stats/not-a-number", headers=headers)).status_code == 422
    assert (await client.get("/policy/stats/7?days=0", headers=headers)).status_code == 422
    assert (await client.get("/policy/stats")).status_code == 401
    bad = await client.get("/policy/stats", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and "detail" in bad.json()


async def test_poison_goes_to_the_dlq_and_the_stream_goes_on(service, kafka_bootstrap, token_for):
    _, client, settings = service
    user = new_user()
    good = event(ActionProposed, user, "m1", 4)
    base = encode(good)
    headers = dict(base.headers)
    broken = KafkaRecord(TOPIC_ACTIONS, user.encode(), b'{"user_id": "' + user.encode() + b'"}',
                         list(dict(headers, ce_id=f"{user}-bad".encode()).items()))
    async with connect_publisher(kafka_bootstrap) as publisher:
        await publisher.publish_record(broken)
        await publisher.publish(good, event_id=f"{user}-good")
    await wait_for(lambda: _has(client, token_for(user), fired=1))

    consumer = AIOKafkaConsumer(dlq_topic(TOPIC_ACTIONS), bootstrap_servers=kafka_bootstrap,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    try:
        async def dead() -> list:
            batch = await consumer.getmany(timeout_ms=500)
            found.extend(r for records in batch.values() for r in records if r.key == user.encode()
                         and dict(r.headers).get("dlq_consumer_group") == settings.policy_consumer_group.encode())
            return found
        found: list = []
        await wait_for(dead)
    finally:
        await consumer.stop()
    assert dict(found[0].headers)["dlq_reason"] == b"schema_violation"


async def test_metrics_readiness_and_bounded_user_labels(service, kafka_bootstrap, token_for):
    app, client, _ = service
    user = new_user()
    await publish(kafka_bootstrap, [(f"{user}-1", event(ActionProposed, user, "m1", 11))])
    await wait_for(lambda: _has(client, token_for(user), fired=1))
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}
    text = (await client.get("/metrics")).text
    lines = [line for line in text.splitlines() if line.startswith('policy_fired_total{policy_id="11"')]
    assert lines and all('user="b' in line for line in lines)
    assert user not in text  # the raw e-mail address is never a label value
