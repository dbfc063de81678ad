"""email.ingested goes to the real broker for new messages only (and the CLI does the same)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from typer.testing import CliRunner

from applylens_contracts.cloudevents import decode
from applylens_contracts.events import TOPIC_EMAILS, EmailIngested
from applylens_contracts.publisher import connect_publisher
from applylens_index.cli import app
from applylens_index.importer import import_path
from applylens_index.postgres import PostgresEmailIndex

from .mail import TRUNCATED, message, write_mbox

pytestmark = pytest.mark.integration


async def ingested_for(bootstrap: str, user: str, settle: float = 2.0) -> list[EmailIngested]:
    """Every email.ingested event keyed by ``user`` on the topic, read until ``settle`` s pass without one."""
    consumer = AIOKafkaConsumer(TOPIC_EMAILS, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=f"test-{uuid.uuid4().hex[:8]}")
    await consumer.start()
    events = []
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=int(settle * 1000))
            if not batch:
                return events
            for records in batch.values():
                for record in records:
                    if record.key == user.encode():
                        events.append(decode(record.value, record.headers).data)
    finally:
        await consumer.stop()


async def test_events_only_for_new_messages(pg_index: PostgresEmailIndex, kafka_bootstrap: str, user: str,
                                            tmp_path: Path) -> None:
    first = write_mbox(tmp_path / "a.mbox", [message(1), message(2), TRUNCATED])
    second = write_mbox(tmp_path / "b.mbox", [message(2), message(3)])
    async with connect_publisher(kafka_bootstrap) as publisher:
        one = await import_path(first, user, pg_index, publisher)
        again = await import_path(first, user, pg_index, publisher)
        two = await import_path(second, user, pg_index, publisher)
    assert (one.published, again.published, two.published) == (2, 0, 1)

    events = await ingested_for(kafka_bootstrap, user)
    subjects = sorted(e.email.subject for e in events)
    assert subjects == ["Interview 1 at Acme", "Interview 2 at Acme", "Interview 3 at Acme"]
    assert all(e.user_id == user and e.email.sender_domain == "greenhouse.io" for e in events)
    ids = {e.email.id for e in events}
    assert {d.id for d in await pg_index.get(user, list(ids))} == ids


async def test_cli_import(database_url: str, kafka_bootstrap: str, user: str, tmp_path: Path,
                          pg_index: PostgresEmailIndex) -> None:
    mbox = write_mbox(tmp_path / "cli.mbox", [message(40), TRUNCATED])
    env = {"DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    runner = CliRunner()
    # typer's runner calls asyncio.run: keep it off this test's running loop
    result = await asyncio.to_thread(runner.invoke, app, ["import", str(mbox), "--user", user], env=env)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # rich wraps long lines
    assert "1 new" in output and "1 failed" in output and "truncated MIME" in output
    repeat = await asyncio.to_thread(runner.invoke, app, ["import", str(mbox), "--user", user, "--no-publish"], env=env)
    repeat_output = " ".join(repeat.output.split())
    assert repeat.exit_code == 0 and "0 new" in repeat_output and "0 email.ingested" in repeat_output
    events = await ingested_for(kafka_bootstrap, user)
    assert [e.email.subject for e in events] == ["Interview 40 at Acme"]

    broken = write_mbox(tmp_path / "broken.mbox", [TRUNCATED])
    failed = await asyncio.to_thread(runner.invoke, app, ["import", str(broken), "--user", user, "--no-publish"], env=env)
    assert failed.exit_code == 1
