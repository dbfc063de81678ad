"""The one place that builds the adapters and hands them to the use cases.

- ``open_services(settings)``: pools, state, warehouse (None when WAREHOUSE_URL=none), index.
- ``build_app(settings, consume=True, serve_api=False)``: the FastAPI app (health, readiness,
  metrics) with the ``email.ingested`` consumer running in its lifespan.
- ``run_once(settings, ...)``: one run of the 02:00 job, metrics pushed when PUSHGATEWAY_URL is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
from fastapi import FastAPI

from applylens_index.contract import EmailIndex
from applylens_platform import db
from applylens_platform.http import create_app
from applylens_platform.kafka import build_broker
from applylens_platform.kafka import ping as kafka_ping
from applylens_platform.pushgateway import pushed_job

from .adapters.index import open_email_index
from .adapters.state import PostgresState, migrate
from .adapters.warehouse import PostgresWarehouse
from .entrypoints.consumer import ingested_subscription
from .metrics import JOB_NAME, JobMetrics
from .service_layer.consume import IngestedHandler
from .service_layer.job import JobOptions, JobReport, Progress, run_job
from .settings import AtsSettings

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: AtsSettings
    pool: asyncpg.Pool
    state: PostgresState
    index: EmailIndex
    warehouse: PostgresWarehouse | None
    warehouse_pool: asyncpg.Pool | None

    @property
    def options(self) -> JobOptions:
        s = self.settings
        return JobOptions(
            batch_size=s.ats_batch_size,
            threshold=s.ats_match_threshold,
            risk_decimals=s.ats_risk_decimals,
            new_mail_lookback=timedelta(hours=s.ats_new_mail_lookback_hours),
        )

    def handler(self) -> IngestedHandler:
        s = self.settings
        return IngestedHandler(self.index, self.state, self.warehouse, threshold=s.ats_match_threshold,
                               batch_size=s.ats_batch_size, risk_decimals=s.ats_risk_decimals)

    async def close(self) -> None:
        await self.index.close()
        if self.warehouse_pool is not None and self.warehouse_pool is not self.pool:
            await self.warehouse_pool.close()
        await self.pool.close()


def build_warehouse(settings: AtsSettings, pool: asyncpg.Pool) -> PostgresWarehouse:
    return PostgresWarehouse(pool, greenhouse_schema=settings.warehouse_greenhouse_schema,
                             lever_schema=settings.warehouse_lever_schema, ats_schema=settings.warehouse_ats_schema)


async def open_services(settings: AtsSettings, *, migrate_first: bool = True) -> Services:
    """Build every adapter. ``migrate_first`` applies the enricher's migrations and the index's ``ensure()``
    (which applies the seed's ats_fields mapping update, idempotently)."""
    if migrate_first:
        await asyncio.to_thread(migrate, settings.database_url)
    pool = await db.create_pool(settings.database_url, max_size=settings.database_pool_size)
    warehouse_url = settings.resolved_warehouse_url
    warehouse_pool = None
    if warehouse_url is not None:
        warehouse_pool = pool if warehouse_url == settings.database_url else await db.create_pool(warehouse_url)
    index = await open_email_index(settings)
    if migrate_first:
        await index.ensure()
    return Services(
        settings=settings,
        pool=pool,
        state=PostgresState(pool),
        index=index,
        warehouse=build_warehouse(settings, warehouse_pool) if warehouse_pool is not None else None,
        warehouse_pool=warehouse_pool,
    )


async def run_once(
    settings: AtsSettings,
    *,
    as_of: datetime | None = None,
    progress: Progress | None = None,
    after_flush: Callable[[int], Awaitable[None]] | None = None,
    services: Services | None = None,
) -> JobReport:
    """One run of the 02:00 job (or the rest of an interrupted one); pushes metrics when configured.

    On success the Pushgateway group ``job=ats-enricher`` is replaced with this run's
    ``ats_enriched_total`` and ``applylens_job_last_success_timestamp_seconds``; on failure the
    enriched count and the failure time are added (the last success stays what it was) and
    the error is re-raised (``applylens_platform.pushgateway``).
    """
    own = services is None
    services = services or await open_services(settings)
    try:
        with pushed_job(settings.pushgateway_url, JOB_NAME) as registry:
            job_metrics = JobMetrics(registry)

            async def counted(count: int) -> None:
                job_metrics.enriched.inc(count)
                if after_flush is not None:
                    await after_flush(count)

            report = await run_job(index=services.index, state=services.state, warehouse=services.warehouse,
                                   options=services.options, as_of=as_of, progress=progress, after_flush=counted)
            job_metrics.mailboxes.set(report.mailboxes)
    finally:
        if own:
            await services.close()
    return report


def build_app(settings: AtsSettings, *, consume: bool = True, serve_api: bool = False) -> FastAPI:
    """Health, readiness and metrics, plus the ``email.ingested`` consumer (group ATS_CONSUMER_GROUP)
    running in the lifespan. ``serve_api`` adds the small ops routes (last job runs)."""
    holder: dict[str, object] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await open_services(settings)
        holder["services"] = services
        app.state.services = services
        broker = None
        if consume:
            broker = build_broker(settings, [ingested_subscription(settings, services.handler())])
            await broker.start()
            holder["broker"] = broker
        try:
            yield
        finally:
            if broker is not None:
                await broker.stop()
            await services.close()
            holder.clear()

    async def database() -> None:
        services = holder.get("services")
        if not isinstance(services, Services):
            raise RuntimeError("starting")
        await db.ping(services.pool)

    async def kafka() -> bool:
        broker = holder.get("broker")
        if broker is None:
            raise RuntimeError("starting")
        return await kafka_ping(broker)  # type: ignore[arg-type]

    readiness = {"database": database}
    if consume:
        readiness["kafka"] = kafka
    routers = []
    if serve_api:
        from .entrypoints.http import router

        routers.append(router)
    return create_app(
        title="ats-enricher",
        description="Joins applicant-tracking data onto email documents as ats.* (job + email.ingested consumer).",
        settings=settings,
        routers=routers,
        readiness=readiness,
        lifespan=lifespan,
        require_identity=False,
    )
