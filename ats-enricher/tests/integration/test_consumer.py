"""email.ingested through the real broker: new mail is enriched within seconds, effectively once, bad input to the DLQ."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from applylens_contracts.cloudevents import KafkaRecord, encode
from applylens_contracts.events import TOPIC_EMAILS, EmailIngested, dlq_topic
from applylens_contracts.publisher import connect_publisher

from applylens_ats.bootstrap import build_app

from .conftest import NOW, make_env, new_database

pytestmark = pytest.mark.integration


def ingested(user: str, email_id: str) -> EmailIngested:
    return EmailIngested.model_validate(
        {"user_id": user, "occurred_at": NOW.isoformat(), "email": {"id": email_id}}
    )


async def test_ingested_mail_is_enriched_once_and_poison_goes_to_the_dlq(database_factory, demo, kafka_bootstrap):
    env = await make_env(await new_database(database_factory), demo,
                         kafka_bootstrap_servers=kafka_bootstrap,
                         ats_consumer_group=f"ats-enricher-{uuid.uuid4().hex[:6]}")
    await env.services.close()  # the app builds its own
    truth = demo.truth
    app_greenhouse = next(a for a in truth["applications"] if a["system"] == "greenhouse")
    app_direct = next(a for a in truth["applications"] if a["system"] == "direct")
    user = app_greenhouse["user_id"]
    targets = [(app_greenhouse["user_id"], e) for e in app_greenhouse["email_ids"]]
    targets += [(app_direct["user_id"], e) for e in app_direct["email_ids"]]
    promo = next(e for e, info in truth["emails"].items() if info["category"] == "promo" and info["user_id"] == user)

    run = uuid.uuid4().hex[:8]  # the topic is shared with other tests: count only this run's events
    app = build_app(env.settings)
    async with app.router.lifespan_context(app):
        services = app.state.services
        async with connect_publisher(kafka_bootstrap) as publisher:
            for target_user, email_id in targets:
                await publisher.publish(ingested(target_user, email_id), event_id=f"ev-{run}-{email_id}")
            await publisher.publish(ingested(user, targets[0][1]), event_id=f"ev-{run}-{targets[0][1]}")  # redelivery
            await publisher.publish(ingested(user, promo), event_id=f"ev-{run}-{promo}")
            bad = encode(ingested(user, promo))
            await publisher.publish_record(KafkaRecord(TOPIC_EMAILS, user.encode(), b"{not json", bad.headers))

        deadline = asyncio.get_running_loop().time() + 30
        while True:
            docs = [d for u, e in targets for d in await services.index.get(u, [e])]
            if all(d.ats is not None for d in docs) or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.2)
        assert all(d.ats is not None for d in docs), "new mail not enriched within 30 s"
        for doc in docs[: len(app_greenhouse["email_ids"])]:
            assert doc.ats.application_id == app_greenhouse["application_id"]
            assert doc.ats.system == "greenhouse"
        for doc in docs[len(app_greenhouse["email_ids"]):]:
            assert doc.ats.system == "inferred" and doc.ats.company == app_direct["company"]
        assert (await services.index.get(user, [promo]))[0].ats is None

        async with services.pool.acquire() as conn:
            recorded = await conn.fetchval(
                "SELECT count(*) FROM ats_processed_events WHERE event_id LIKE $1", f"ev-{run}-%")
            mailboxes = await conn.fetch("SELECT user_id FROM ats_mailboxes")
        assert recorded == len(targets) + 1  # each event id once (the promo too), the redelivery changed nothing
        assert user in {row["user_id"] for row in mailboxes}

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ats") as client:
            ready = await client.get("/readyz")
            metrics = await client.get("/metrics")
        assert ready.status_code == 200, ready.text
        enriched = next(float(line.rsplit(" ", 1)[1]) for line in metrics.text.splitlines()
                        if line.startswith('ats_enriched_total{source="warehouse"}'))
        assert enriched >= len(app_greenhouse["email_ids"])

    consumer = AIOKafkaConsumer(dlq_topic(TOPIC_EMAILS), bootstrap_servers=kafka_bootstrap,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    try:
        found = []
        deadline = asyncio.get_running_loop().time() + 20
        while not found and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found += [r for r in records if r.key == user.encode() and r.value == b"{not json"]
    finally:
        await consumer.stop()
    assert found and dict(found[0].headers)["dlq_reason"] == b"invalid_json"
