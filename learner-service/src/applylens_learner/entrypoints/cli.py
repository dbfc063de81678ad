"""``applylens-learner``: serve (all | api | consumer), migrate, prune."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from applylens_platform import db
from applylens_platform.logging import configure_logging
from applylens_platform.serve import Role, serve_role

from ..settings import LearnerSettings

app = typer.Typer(help="ApplyLens learner-service: per-user preference weights.", no_args_is_help=True, add_completion=False)


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
    from ..bootstrap import build_app

    serve_role(build_app, _settings(), role, host, port)


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
