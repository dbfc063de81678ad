"""A demo mailbox in the PostgreSQL index and its warehouse, one fresh database per test."""

from __future__ import annotations

import asyncio

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest

from applylens_contracts.email import EmailDocument
from applylens_index.ingest import parse_message
from applylens_index.ingest.demo import generate_demo
from applylens_index.query import EmailQuery

from applylens_ats.adapters.warehouse.demo import load_truth_into_warehouse
from applylens_ats.bootstrap import Services, open_services
from applylens_ats.settings import AtsSettings

NOW = datetime.now(timezone.utc).replace(microsecond=0)
MESSAGES_PER_USER = 300


@dataclass
class Demo:
    truth: dict[str, Any]
    docs: list[EmailDocument]


@pytest.fixture(scope="session")
def demo() -> Demo:
    mailbox = generate_demo(now=NOW, messages_per_user=MESSAGES_PER_USER)
    return Demo(mailbox.truth.to_dict(), [parse_message(m.raw, m.user_id) for m in mailbox.messages])


@dataclass
class Env:
    settings: AtsSettings
    services: Services
    demo: Demo

    async def snapshot(self) -> dict[tuple[str, str], dict | None]:
        """Every document's ats.* (None when it has none), by (user, id)."""
        state: dict[tuple[str, str], dict | None] = {}
        for user in self.demo.truth["users"]:
            async for doc in self.services.index.stream(EmailQuery(user_id=user)):
                state[(user, doc.id)] = doc.ats.model_dump() if doc.ats else None
        return state


async def new_database(database_factory) -> str:
    """The factory runs its own event loop: call it off this one."""
    return await asyncio.to_thread(database_factory)


async def make_env(dsn: str, demo: Demo, *, warehouse: bool = True, **overrides: Any) -> Env:
    settings = AtsSettings(database_url=dsn, warehouse_url=None if warehouse else "none", **overrides)
    services = await open_services(settings)
    await services.index.upsert(demo.docs)
    if warehouse:
        assert services.warehouse is not None
        await services.warehouse.create_schemas()
        await load_truth_into_warehouse(services.pool, demo.truth, now=NOW)
    else:
        await services.state.remember_mailboxes(demo.truth["users"])
    return Env(settings, services, demo)


@pytest.fixture
async def env(database_factory, demo) -> AsyncIterator[Env]:
    built = await make_env(await new_database(database_factory), demo)
    try:
        yield built
    finally:
        await built.services.close()
