"""``applylens-ats``: serve (consumer), migrate, run (the 02:00 job), warehouse-init, warehouse-demo."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from applylens_platform.logging import configure_logging

from applylens_ats.settings import AtsSettings

app = typer.Typer(help="ats-enricher: application stage and ghosting risk on recruiter email.", no_args_is_help=True)
console = Console(stderr=True)


class Role(str, Enum):
    consumer = "consumer"
    all = "all"


def _settings() -> AtsSettings:
    return AtsSettings()


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise typer.BadParameter(f"{value!r} needs a time zone, e.g. 2026-03-01T02:00:00Z")
    return moment


@app.command()
def serve(
    role: Annotated[Role, typer.Option(help="consumer: health/metrics + the email.ingested consumer; "
                                            "all: also the ops routes")] = Role.consumer,
    host: Annotated[Optional[str], typer.Option(help="default HTTP_HOST")] = None,
    port: Annotated[Optional[int], typer.Option(help="default HTTP_PORT (8005)")] = None,
) -> None:
    """Run the email.ingested consumer with /healthz, /readyz and /metrics."""
    from applylens_platform.serve import run_http

    from applylens_ats.bootstrap import build_app

    settings = _settings()
    _logging(settings)
    run_http(build_app(settings, consume=True, serve_api=role is Role.all),
             host or settings.http_host, port or settings.http_port, log_level=settings.log_level)


@app.command()
def migrate() -> None:
    """Apply the enricher's migrations (version table alembic_version_ats)."""
    from applylens_ats.adapters.state import migrate as upgrade

    settings = _settings()
    upgrade(settings.database_url)
    console.print("ats-enricher migrations applied")


class _RichProgress:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.mailboxes = progress.add_task("mailboxes", total=None)
        self.emails = progress.add_task("emails considered", total=None)
        self.written = 0

    def planned(self, total: int, done: int) -> None:
        self.progress.update(self.mailboxes, total=total, completed=done)

    def mailbox_done(self, user_id: str, written: int) -> None:
        self.written += written
        self.progress.update(self.mailboxes, advance=1, description=f"mailboxes ({self.written} written)")

    def emails(self, count: int) -> None:
        self.progress.update(self.emails, advance=count)


@app.command()
def run(
    as_of: Annotated[Optional[str], typer.Option(help="risk clock of a new run (RFC 3339); default now")] = None,
    user: Annotated[Optional[list[str]], typer.Option(help="also enrich this mailbox (remembered for later runs)")] = None,
    progress: Annotated[Optional[bool], typer.Option(help="progress bar; default: when stderr is a terminal")] = None,
) -> None:
    """The 02:00 job: incremental, resumable; pushes metrics when PUSHGATEWAY_URL is set."""
    from applylens_ats.bootstrap import open_services, run_once

    settings = _settings()
    _logging(settings)
    interactive = sys.stderr.isatty() if progress is None else progress

    async def main() -> None:
        services = await open_services(settings)
        if user:
            await services.state.remember_mailboxes(user)
        if interactive:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=console) as bar:
                report = await run_once(settings, as_of=_parse_time(as_of), progress=_RichProgress(bar),
                                        services=services)
        else:
            report = await run_once(settings, as_of=_parse_time(as_of), services=services)
        await services.close()
        console.print(
            f"run {report.run_id}{' (resumed)' if report.resumed else ''}: {report.mailboxes} mailboxes "
            f"({report.full_passes} full), {report.emails_considered} emails considered, "
            f"{report.written} documents written in {report.seconds:.1f}s"
        )

    asyncio.run(main())


@app.command("warehouse-init")
def warehouse_init() -> None:
    """Create the Fivetran-shaped greenhouse and lever schemas and the generic view (local/dev, tests)."""
    from applylens_platform.db import create_pool

    from applylens_ats.bootstrap import build_warehouse

    settings = _settings()
    url = settings.resolved_warehouse_url
    if url is None:
        raise typer.BadParameter("WAREHOUSE_URL is 'none': there is no warehouse to initialise")

    async def main() -> None:
        pool = await create_pool(url, max_size=2)
        try:
            await build_warehouse(settings, pool).create_schemas()
        finally:
            await pool.close()

    asyncio.run(main())
    console.print(f"warehouse schemas {settings.warehouse_greenhouse_schema}, {settings.warehouse_lever_schema}, "
                  f"{settings.warehouse_ats_schema} ready")


@app.command("warehouse-demo")
def warehouse_demo(
    truth: Annotated[Optional[Path], typer.Option(help="ground_truth.json of a written demo mailbox; "
                                                       "default: generate it with the options below")] = None,
    messages_per_user: int = 200,
    seed: Annotated[Optional[int], typer.Option(help="demo seed (default: the demo's)")] = None,
    now: Annotated[Optional[str], typer.Option(help="the demo's now (RFC 3339; default: the demo's)")] = None,
    users: Annotated[Optional[str], typer.Option(help="comma-separated (default: the demo's)")] = None,
) -> None:
    """Fill the warehouse from the demo mailbox's ground truth (creates the schemas first)."""
    from applylens_platform.db import create_pool

    from applylens_ats.adapters.warehouse.demo import load_truth_into_warehouse
    from applylens_ats.bootstrap import build_warehouse

    settings = _settings()
    url = settings.resolved_warehouse_url
    if url is None:
        raise typer.BadParameter("WAREHOUSE_URL is 'none': there is no warehouse to fill")
    data = _truth(truth, messages_per_user, seed, _parse_time(now), users)

    async def main() -> dict[str, int]:
        pool = await create_pool(url, max_size=2)
        try:
            warehouse = build_warehouse(settings, pool)
            await warehouse.create_schemas()
            return await load_truth_into_warehouse(
                pool, data, greenhouse_schema=warehouse.gh, lever_schema=warehouse.lever, ats_schema=warehouse.ats
            )
        finally:
            await pool.close()

    counts = asyncio.run(main())
    console.print(f"{len(data['applications'])} applications loaded: "
                  + ", ".join(f"{table} {count}" for table, count in counts.items()))


def _truth(path: Path | None, messages_per_user: int, seed: int | None, now: datetime | None,
           users: str | None) -> dict:
    from applylens_index.ingest.demo import iter_demo_messages, load_truth, new_truth

    if path is not None:
        return load_truth(path)
    kwargs: dict = {"messages_per_user": messages_per_user}
    if seed is not None:
        kwargs["seed"] = seed
    if now is not None:
        kwargs["now"] = now
    if users:
        kwargs["users"] = [u.strip() for u in users.split(",") if u.strip()]
    truth = new_truth(**kwargs)
    for _ in iter_demo_messages(truth):
        pass
    return truth.to_dict()


def _logging(settings: AtsSettings) -> None:
    configure_logging(settings.log_level, json=settings.log_json, service=settings.service_name)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
