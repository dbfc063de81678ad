"""`applylens-policy`: serve, migrate, recompute-stats (the 02:15 CronJob)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from applylens_platform.logging import configure_logging
from applylens_platform.serve import Role, serve_role

from .. import migrations
from ..settings import PolicySettings

app = typer.Typer(help="policy-service: per-policy precision and recall from the action stream.",
                  no_args_is_help=True, add_completion=False)


def _settings() -> PolicySettings:
    settings = PolicySettings()
    configure_logging(settings.log_level, json=settings.log_json, service=settings.service_name)
    return settings


@app.command()
def serve(
    role: Annotated[Role, typer.Option(help="api: HTTP only; consumer: Kafka only (plus health); all: both")] = Role.all,
    host: Annotated[str | None, typer.Option(help="default HTTP_HOST (0.0.0.0)")] = None,
    port: Annotated[int | None, typer.Option(help="default HTTP_PORT (8002)")] = None,
) -> None:
    """Run the service until SIGTERM (in-flight batches and requests drain first)."""
    from ..bootstrap import build_app

    serve_role(build_app, _settings(), role, host, port)


@app.command()
def migrate() -> None:
    """Apply the database migrations (safe to run at any time, by several replicas at once)."""
    settings = _settings()
    migrations.upgrade(settings.database_url)
    typer.echo("policy-service migrations are at head")


@app.command("recompute-stats")
def recompute_stats(
    window_days: Annotated[int | None, typer.Option(min=1, max=3650, help="default POLICY_WINDOW_DAYS (30)")] = None,
) -> None:
    """Recompute every policy_stats row over the window from the event history.

    Idempotent. Safe while consumers run: it locks policy_stats against writers for its
    own short transaction (readers are not blocked; consumers wait, then add on top).
    """
    from ..bootstrap import recompute_job

    settings = _settings()
    days = window_days or settings.policy_window_days
    rows = asyncio.run(recompute_job(settings, days))
    typer.echo(f"recomputed {rows} policy_stats rows over {days} days")
