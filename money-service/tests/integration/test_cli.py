"""``applylens-money extract`` / ``reextract`` against a fresh database (what the local stack runs)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

from applylens_contracts.email import EmailDocument
from applylens_index.postgres import PostgresEmailIndex
from applylens_money.entrypoints.cli import app

pytestmark = pytest.mark.integration


def _docs(user: str) -> list[EmailDocument]:
    when = datetime(2026, 2, 1, tzinfo=timezone.utc)
    return [
        EmailDocument(id=f"{user}-r", user_id=user, **{"from": "Shop <orders@shop.com>"}, subject="Your receipt",
                      body_text="Total: $20.00", received_at=when, category="finance"),
        EmailDocument(id=f"{user}-n", user_id=user, **{"from": "Pal <pal@friends.org>"}, subject="Lunch?",
                      body_text="See you at noon", received_at=when),
    ]


async def _seed(dsn: str) -> None:
    index = await PostgresEmailIndex.connect(dsn)
    await index.ensure()
    await index.upsert(_docs("a@example.com") + _docs("b@example.com"))
    await index.close()


async def _money(dsn: str, user: str):  # type: ignore[no-untyped-def]
    index = await PostgresEmailIndex.connect(dsn)
    try:
        return {d.id: d.money for d in await index.get(user, [f"{user}-r", f"{user}-n"])}
    finally:
        await index.close()


def test_extract_every_user_then_nothing_left(database_factory, monkeypatch):
    dsn = database_factory()
    asyncio.run(_seed(dsn))
    monkeypatch.setenv("DATABASE_URL", dsn)
    monkeypatch.setenv("LOG_JSON", "false")
    runner = CliRunner()
    result = runner.invoke(app, ["extract"])
    assert result.exit_code == 0, result.output
    assert "extracted 4 emails" in result.output
    money = asyncio.run(_money(dsn, "b@example.com"))
    assert money["b@example.com-r"].is_receipt and str(money["b@example.com-r"].amount) == "20.00"
    assert money["b@example.com-n"].is_receipt is False
    again = runner.invoke(app, ["extract"])
    assert "extracted 0 emails" in again.output, again.output
    forced = runner.invoke(app, ["reextract", "--user", "a@example.com"])
    assert "re-extracted 2 emails" in forced.output, forced.output
