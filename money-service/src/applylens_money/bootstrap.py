"""The one place that wires money-service: settings → pool, migrations, index → use cases → app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
from fastapi import FastAPI

from applylens_index import EmailIndex, open_index
from applylens_platform.db import create_pool
from applylens_platform.http import create_app
from applylens_platform.kafka import build_broker
from applylens_platform.kafka import ping as kafka_ping

from . import migrations
from .adapters.index import IndexReceipts
from .adapters.ledger import PostgresLedger
from .entrypoints.consumer import ingested_subscription
from .entrypoints.http import MoneyAdapters, router
from .service_layer.extraction import IngestedExtractor
from .settings import MoneySettings

log = logging.getLogger(__name__)


async def open_email_index(settings: MoneySettings) -> EmailIndex:
    """The configured engine: Elasticsearch when ``ELASTICSEARCH_URL`` is set, else PostgreSQL."""
    return await open_index(settings)


@dataclass
class MoneyRuntime:
    """Open adapters of one process (API server or command)."""

    pool: asyncpg.Pool
    index: EmailIndex
    receipts: IndexReceipts
    ledger: PostgresLedger
    owns_index: bool

    async def close(self) -> None:
        if self.owns_index:
            await self.index.close()
        await self.pool.close()


async def open_runtime(settings: MoneySettings, *, index: EmailIndex | None = None, migrate: bool | None = None) -> MoneyRuntime:
    """Pool, money-service migrations, and the index (``index`` given: used and not closed)."""
    if migrate if migrate is not None else settings.money_migrate_on_start:
        await asyncio.to_thread(migrations.upgrade, settings.database_url)
    pool = await create_pool(settings.database_url, max_size=settings.database_pool_size)
    owns = index is None
    try:
        if index is None:
            index = await open_email_index(settings)
            await index.ensure()
    except BaseException:
        await pool.close()
        raise
    return MoneyRuntime(
        pool=pool,
        index=index,
        receipts=IndexReceipts(index, page_size=settings.money_csv_page),
        ledger=PostgresLedger(pool),
        owns_index=owns,
    )


@asynccontextmanager
async def runtime(settings: MoneySettings, *, index: EmailIndex | None = None) -> AsyncIterator[MoneyRuntime]:
    rt = await open_runtime(settings, index=index)
    try:
        yield rt
    finally:
        await rt.close()


def build_app(
    settings: MoneySettings | None = None,
    *,
    consume: bool = False,
    serve_api: bool = True,
    index: EmailIndex | None = None,
) -> FastAPI:
    """The money-service app: the HTTP API (``serve_api``) and/or the ``email.ingested`` consumer
    that extracts money fields of newly ingested mail (``consume``, group MONEY_CONSUMER_GROUP).
    ``index``: an already-open engine to use (tests); otherwise the lifespan opens one."""
    settings = settings or MoneySettings()
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = await open_runtime(settings, index=index)
        state["rt"] = rt
        app.state.money = MoneyAdapters(rt.receipts, rt.ledger, settings.money_max_window_days, settings.money_csv_source)
        broker = None
        try:
            if consume:
                handler = IngestedExtractor(rt.index, rt.receipts, rt.ledger, batch_size=settings.money_extract_batch)
                broker = build_broker(settings, [ingested_subscription(settings, handler)])
                await broker.start()
                state["broker"] = broker
            yield
        finally:
            if broker is not None:
                await broker.stop()
            await rt.close()
            state.clear()

    async def index_ready() -> None:
        await state["rt"].receipts.ping()

    async def database_ready() -> None:
        await state["rt"].ledger.ping()

    async def kafka_ready() -> bool:
        return await kafka_ping(state["broker"])

    readiness = {"index": index_ready, "database": database_ready}
    if consume:
        readiness["kafka"] = kafka_ready
    return create_app(
        title="ApplyLens money-service",
        description="Money mode: receipts, duplicate charges and spending, per verified user.",
        settings=settings,
        routers=[router] if serve_api else [],
        readiness=readiness,
        lifespan=lifespan,
    )


async def extract_imported(index: EmailIndex, docs, settings: MoneySettings | None = None):  # type: ignore[no-untyped-def]
    """The extract-on-import hook: store money fields for ``docs`` just upserted into ``index``.

    For an importer or the local stack, called once per import (or per batch) with the
    documents it wrote; returns an ``ExtractionReport``. Uses ``DATABASE_URL`` for the
    receipts table unless ``settings`` says otherwise.
    """
    from .service_layer.extraction import extract_documents

    settings = settings or MoneySettings()
    async with runtime(settings, index=index) as rt:
        return await extract_documents(rt.receipts, rt.ledger, docs, batch_size=settings.money_extract_batch)
