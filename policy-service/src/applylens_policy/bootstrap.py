"""The one place that wires policy-service: pool, migrations, store, broker, routes, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from applylens_platform import db, kafka
from applylens_platform.http import create_app
from applylens_platform.pushgateway import pushed_job

from . import migrations
from .adapters.metrics import PrometheusPolicyMetrics
from .adapters.postgres import PostgresPolicyStats
from .entrypoints import consumer, http
from .settings import PolicySettings

log = logging.getLogger(__name__)


class _Runtime:
    """What the lifespan starts; readiness reads it."""

    def __init__(self) -> None:
        self.pool = None
        self.broker = None
        self.migrated = asyncio.Event()


async def _migrate_until_done(settings: PolicySettings, runtime: _Runtime) -> None:
    """Migrate (advisory-locked across replicas), retrying while the database is down; then consume."""
    delay = 0.5
    while True:
        try:
            await asyncio.to_thread(migrations.upgrade, settings.database_url)
            break
        except Exception as exc:  # unreachable or restarting: stay up, not ready, and retry
            log.warning("migrations failed (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
    runtime.migrated.set()
    if runtime.broker is not None:
        await runtime.broker.start()
        log.info("consuming %s as group %s", consumer.TOPIC_ACTIONS, settings.policy_consumer_group)


def build_app(settings: PolicySettings, *, consume: bool = True, serve_api: bool = True) -> FastAPI:
    """The service as an ASGI app: API and/or consumer. Nothing connects until the lifespan starts."""
    runtime = _Runtime()
    metrics = PrometheusPolicyMetrics(settings.metrics_user_label, settings.metrics_user_buckets)

    async def database_ready() -> None:
        if not runtime.migrated.is_set():
            raise RuntimeError("migrations have not run yet (database unreachable?)")
        await db.ping(runtime.pool)

    async def kafka_ready() -> bool:
        return runtime.broker is not None and await kafka.ping(runtime.broker)

    readiness = {"database": database_ready}
    if consume:
        readiness["kafka"] = kafka_ready

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.pool = await db.create_pool(settings.database_url, max_size=settings.database_pool_size)
        store = PostgresPolicyStats(runtime.pool)
        app.state.stats_store = store
        if consume:
            runtime.broker = kafka.build_broker(settings, [consumer.subscription(
                store,
                window_days=settings.policy_window_days,
                group_id=settings.policy_consumer_group,
                metrics=metrics,
                session_timeout_ms=settings.kafka_session_timeout_ms,
                max_records=settings.kafka_max_batch,
                write_lanes=settings.policy_write_lanes,
            )])
        starting = asyncio.create_task(_migrate_until_done(settings, runtime))
        try:
            yield
        finally:
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            if runtime.broker is not None:
                await runtime.broker.stop()  # drains the batch in flight, then commits
            await runtime.pool.close()

    app = create_app(
        title="policy-service",
        description="Per-policy precision and recall from the action stream.",
        settings=settings,
        routers=[http.router] if serve_api else [],
        readiness=readiness,
        lifespan=lifespan,
        require_identity=serve_api,
    )
    app.state.runtime = runtime

    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        if not (db.is_transient(exc) or not runtime.migrated.is_set()):  # a bug, not an outage
            error_id = uuid.uuid4().hex[:12]
            log.error("unhandled error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc)
            return JSONResponse({"detail": "internal error", "error_id": error_id}, status_code=500)
        return JSONResponse({"detail": "the database is unavailable; retry shortly"}, status_code=503,
                            headers={"Retry-After": "2"})

    for error in (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        app.add_exception_handler(error, database_unavailable)
    return app


RECOMPUTE_JOB = "policy-recompute-stats"  # the Pushgateway job label = the CronJob's name (the alerts use it)


async def recompute_job(settings: PolicySettings, window_days: int | None = None) -> int:
    """The 02:15 job: migrate, recompute every policy_stats row, push the run's metrics. Returns rows written."""
    from prometheus_client import Gauge

    from .service_layer import handlers

    days = window_days or settings.policy_window_days
    with pushed_job(settings.pushgateway_url, RECOMPUTE_JOB) as registry:
        recomputed = Gauge("policy_stats_recomputed_rows", "policy_stats rows the last recompute wrote.",
                           registry=registry)
        await asyncio.to_thread(migrations.upgrade, settings.database_url)
        pool = await db.create_pool(settings.database_url, max_size=1)
        try:
            rows = await handlers.recompute_stats(PostgresPolicyStats(pool), window_days=days)
        finally:
            await pool.close()
        recomputed.set(rows)
    return rows
