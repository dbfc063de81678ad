"""Mail imported with email.ingested published gets its money fields from the consumer, through the real broker."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from pathlib import Path

import httpx
import pytest

from applylens_contracts.cloudevents import KafkaRecord, encode
from applylens_contracts.events import TOPIC_EMAILS, EmailIngested
from applylens_contracts.publisher import connect_publisher
from applylens_index.importer import import_path
from applylens_index.ingest.demo import load_truth, write_demo
from applylens_index.postgres import PostgresEmailIndex
from applylens_money.bootstrap import build_app
from applylens_money.settings import MoneySettings

pytestmark = pytest.mark.integration


async def test_ingested_mail_gets_money_fields_without_a_command(database_factory, kafka_bootstrap, jwt_secret,
                                                                  token_for, tmp_path: Path):
    user = f"carol-{uuid.uuid4().hex[:8]}@example.com"  # the topic is shared: this test's mail only
    files = write_demo(tmp_path, users=(user,), messages_per_user=80)
    truth = load_truth(files.truth_path)
    expected = {r["email_id"] for r in truth["receipts"] if r["user_id"] == user}
    assert expected, "the demo mailbox should hold receipts"

    database_url = await asyncio.to_thread(database_factory)
    settings = MoneySettings(database_url=database_url, jwt_secret=jwt_secret, kafka_bootstrap_servers=kafka_bootstrap,
                             money_consumer_group=f"money-{uuid.uuid4().hex[:6]}")
    app = build_app(settings, consume=True, serve_api=True)
    async with app.router.lifespan_context(app):
        index = await PostgresEmailIndex.connect(database_url)
        try:
            async with connect_publisher(kafka_bootstrap) as publisher:
                report = await import_path(Path(files.mboxes[user]), user, index, publisher)
                poison = encode(EmailIngested.model_validate({"user_id": user, "occurred_at": "2026-11-28T00:00:00Z", "email": {"id": "x"}}))
                await publisher.publish_record(KafkaRecord(TOPIC_EMAILS, user.encode(), b"[1,", poison.headers))
        finally:
            await index.close()
        assert report.published == report.new > 0

        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token_for(user)}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://money", headers=headers) as client:
            deadline = asyncio.get_running_loop().time() + 30
            while True:
                response = await client.get("/money/receipts.csv")
                assert response.status_code == 200, response.text
                found = {row["email_id"] for row in csv.DictReader(io.StringIO(response.text))}
                if found >= expected or asyncio.get_running_loop().time() > deadline:
                    break
                await asyncio.sleep(0.3)
            ready = await client.get("/readyz")
        assert found == expected  # every receipt, nothing that is not one
        assert ready.status_code == 200 and "kafka" in ready.json()["checks"], ready.text
