"""The one place that wires the learner: settings -> pool, repository, use cases, routes, consumer.

``build_app(settings, consume=..., serve_api=...)`` gives every role the same app:

- ``all``: the HTTP API and the consumer in one process (the local stack);
- ``api``: routes only (scale with HTTP load);
- ``consumer``: the consumer, with /healthz, /readyz and /metrics only (scale up to the
  topic's partition count).

Start-up never blocks on a dependency: the app answers /healthz at once while a background
task migrates the schema (advisory-locked, so replicas may start together) and then starts
the broker, each retried with backoff until the database / the bus answer. /readyz fails
until that is done and whenever the database (or, when consuming, the bus) is unreachable.
Stop: the broker drains the batch in flight (its offsets are committed only after its
transaction), then the pool closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import asyncpg
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from applylens_platform import db, metrics as platform_metrics
from applylens_platform.http import create_app
from applylens_platform.kafka import build_broker

from . import migrations
from .adapters import PostgresWeights
from .entrypoints.consumer import build_subscription
from .entrypoints.http import build_router
from .service_layer import ApplyDecisions, EditWeights, ScoreEmails
from .service_layer.scoring import NudgeParams
from .settings import LearnerSettings

log = logging.getLogger(__name__)


@dataclass
class Learner:
    """The wired use cases over one pool."""

    settings: LearnerSettings
    pool: asyncpg.Pool
    repo: PostgresWeights
    apply: ApplyDecisions
    edit: EditWeights
    score: ScoreEmails


def build_learner(settings: LearnerSettings, pool: asyncpg.Pool) -> Learner:
    repo = PostgresWeights(pool)
    apply = ApplyDecisions(
        repo,
        algorithm=settings.learner_algorithm,
        linear=settings.linear_params,
        logistic=settings.logistic_params,
        user_label=lambda user: platform_metrics.user_label(
            user, settings.metrics_user_label, settings.metrics_user_buckets
        ),
    )
    edit = EditWeights(repo, max_page=settings.learner_max_weights_page, edit_bound=settings.edit_bound)
    score = ScoreEmails(
        repo,
        calibration=settings.calibration,
        nudge=NudgeParams(
            max_shift=settings.learner_nudge_max_shift,
            floor=settings.learner_nudge_floor,
            exploration=settings.learner_nudge_exploration,
        ),
        max_emails=settings.learner_max_score_emails,
    )
    return Learner(settings, pool, repo, apply, edit, score)


async def migrate(settings: LearnerSettings) -> None:
    """Apply the learner's migrations (blocking work in a thread; advisory-locked in the database)."""
    await asyncio.to_thread(migrations.upgrade, settings.database_url)


async def prune(repo: PostgresWeights, settings: LearnerSettings) -> int:
    """Delete dedup rows older than LEARNER_DEDUP_RETENTION_DAYS; returns how many."""
    return await repo.prune_processed(timedelta(days=settings.learner_dedup_retention_days))


@dataclass
class _Runtime:
    settings: LearnerSettings
    broker: KafkaBroker | None
    learner: Learner | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)
    broker_running: bool = False

    def apply(self) -> ApplyDecisions:
        if self.learner is None:  # the broker only starts after the learner is built
            raise RuntimeError("learner is not wired yet")
        return self.learner.apply

    async def check_database(self) -> None:
        if self.learner is None:
            raise RuntimeError("not started")
        await db.ping(self.learner.pool)

    async def check_started(self) -> None:
        if not self.started.is_set():
            raise RuntimeError("migrations or broker start still pending")

    async def check_kafka(self) -> None:
        if self.broker is None or not self.broker_running:
            raise RuntimeError("broker not started")
        if not await self.broker.ping(2.0):
            raise RuntimeError("broker unreachable")

    async def start(self) -> None:
        await _retry("migrations", lambda: migrate(self.settings))
        if self.broker is not None:
            await _retry("broker start", self.broker.start)
            self.broker_running = True
        self.started.set()
        log.info("learner started (algorithm=%s, consume=%s)", self.settings.learner_algorithm, self.broker is not None)

    async def prune_forever(self) -> None:
        interval = self.settings.learner_prune_interval_seconds
        await self.started.wait()
        while True:
            try:
                assert self.learner is not None
                deleted = await prune(self.learner.repo, self.settings)
                if deleted:
                    log.info("pruned %d dedup rows older than %s days", deleted, self.settings.learner_dedup_retention_days)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("dedup prune failed; will retry", exc_info=True)
            await asyncio.sleep(interval)


async def _retry(what: str, action) -> None:  # type: ignore[no-untyped-def]
    delay = 0.5
    while True:
        try:
            await action()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("%s failed (%s: %s); retrying in %.1fs", what, type(exc).__name__, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


def build_app(settings: LearnerSettings, *, consume: bool = True, serve_api: bool = True) -> FastAPI:
    """The learner app for a role (see the module docstring). ``app.state.learner`` is the wired
    :class:`Learner` once the lifespan has begun; ``app.state.started`` is set when migrations
    ran and (when consuming) the broker started."""
    runtime = _Runtime(settings, broker=None)
    if consume:
        runtime.broker = build_broker(settings, [build_subscription(settings, runtime.apply)])

    readiness = {"database": runtime.check_database, "startup": runtime.check_started}
    if consume:
        readiness["kafka"] = runtime.check_kafka

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await db.create_pool(settings.database_url, max_size=settings.database_pool_size)
        runtime.learner = build_learner(settings, pool)
        app.state.learner = runtime.learner
        tasks = [asyncio.create_task(runtime.start(), name="learner-start")]
        if consume and settings.learner_prune_interval_seconds > 0:
            tasks.append(asyncio.create_task(runtime.prune_forever(), name="learner-prune"))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if runtime.broker is not None and runtime.broker_running:
                await runtime.broker.stop()
                runtime.broker_running = False
            await pool.close()

    app = create_app(
        title="ApplyLens learner-service",
        description="Per-user preference weights learned from approve/reject decisions; read, edit, reset, score.",
        settings=settings,
        routers=[build_router(settings)] if serve_api else [],
        readiness=readiness,
        lifespan=lifespan,
        require_identity=serve_api,
    )
    app.state.started = runtime.started
    app.state.broker = runtime.broker
    return app
