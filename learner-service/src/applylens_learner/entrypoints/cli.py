"""``applylens-learner``: serve (all | api | consumer), migrate, prune."""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Annotated

import typer

from applylens_platform import db
from applylens_platform.logging import configure_logging

from ..settings import LearnerSettings

app = typer.Typer(help="ApplyLens learner-service: per-user preference weights.", no_args_is_help=True, add_completion=False)


class Role(str, Enum):
    all = "all"
    api = "api"
    consumer = "consumer"


def _settings() -> LearnerSettings:
    settings = LearnerSettings()
    configure_logging(settings.log_level, json=settings.log_json, service=settings.service_name)
    return settings


@app.command()
def serve(
    role: Annotated[Role, typer.Option(help="all: API + consumer; api: HTTP only; consumer: Kafka only (+ health)")] = Role.all,
    host: Annotated[str | None, typer.Option(help="bind address [default: HTTP_HOST or 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="port [default: HTTP_PORT or 8001]")] = None,
) -> None:
    """Run the service until SIGTERM/SIGINT (in-flight batches drain first)."""
    from applylens_platform.serve import run_http

    from ..bootstrap import build_app

    settings = _settings()
    application = build_app(settings, consume=role in (Role.all, Role.consumer), serve_api=role in (Role.all, Role.api))
    run_http(application, host or settings.http_host, port or settings.http_port, log_level=settings.log_level)


@app.command()
def migrate() -> None:
    """Apply the learner's database migrations (also done at every start)."""
    from .. import migrations

    settings = _settings()
    migrations.upgrade(settings.database_url)
    typer.echo("learner migrations are at head")


@app.command()
def prune(
    older_than_days: Annotated[
        float | None, typer.Option(help="retention [default: LEARNER_DEDUP_RETENTION_DAYS or 30]", min=0.0)
    ] = None,
) -> None:
    """Delete remembered event ids older than the retention (run daily, e.g. as a CronJob)."""
    from datetime import timedelta

    from ..adapters import PostgresWeights

    settings = _settings()
    days = settings.learner_dedup_retention_days if older_than_days is None else older_than_days

    async def run() -> int:
        pool = await db.create_pool(settings.database_url, max_size=1)
        try:
            return await PostgresWeights(pool).prune_processed(timedelta(days=days))
        finally:
            await pool.close()

    typer.echo(f"deleted {asyncio.run(run())} event ids older than {days:g} days")


def main() -> None:
    app()
