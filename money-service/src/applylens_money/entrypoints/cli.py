"""``applylens-money``: serve the API, extract money fields (new or changed mail), re-extract everything.

How new mail gets its money fields: ``serve --role consumer`` extracts every email
announced on ``email.ingested`` within seconds (the importer publishes one per new or
changed message), and ``applylens-money extract`` catches anything else (mail written
without an event, or while the consumer was down for longer than the topic's retention). It only touches emails
with no money fields or an older rules version, so a run with nothing new is cheap.
After a rule change (``RULES_VERSION`` bumped) ``extract`` redoes every email by itself;
``reextract`` forces it regardless of version.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from applylens_platform.serve import Role, serve_role

from ..settings import MoneySettings

app = typer.Typer(help="money-service: receipts, duplicate charges and spending.", no_args_is_help=True)
console = Console(stderr=True)

Users = Annotated[list[str] | None, typer.Option("--user", help="user id (repeatable); default: every user in the index")]


@app.command()
def serve(
    role: Annotated[Role, typer.Option(help="api: HTTP only; consumer: the email.ingested extractor (plus health); all: both")] = Role.all,
    host: Annotated[str | None, typer.Option(help="default HTTP_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default HTTP_PORT (8003)")] = None,
) -> None:
    """Run the HTTP API and/or the email.ingested consumer until SIGTERM."""
    from ..bootstrap import build_app

    settings = MoneySettings()
    _logging(settings)
    serve_role(build_app, settings, role, host, port)


@app.command()
def migrate() -> None:
    """Apply money-service's migrations and make sure the emails index exists (safe to repeat)."""
    from applylens_index import open_index

    from .. import migrations

    settings = MoneySettings()
    migrations.upgrade(settings.database_url)

    async def ensure_index() -> None:
        index = await open_index(settings)
        try:
            await index.ensure()
        finally:
            await index.close()

    asyncio.run(ensure_index())
    console.print("money-service migrations applied; emails index ensured")


def _logging(settings: MoneySettings) -> None:
    from applylens_platform.logging import configure_logging

    configure_logging(settings.log_level, json=settings.log_json, service=settings.service_name)


async def _run(users: list[str] | None, everything: bool) -> int:
    from ..adapters.index import index_users
    from ..bootstrap import runtime
    from ..service_layer.extraction import extract_pending

    settings = MoneySettings()
    total = 0
    async with runtime(settings) as rt:
        targets = users or await index_users(rt.index, rt.ledger.index_users)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=False) as progress:
            for user in targets:
                task = progress.add_task(f"{user}", total=None)
                report = await extract_pending(
                    rt.receipts, rt.ledger, user, everything=everything, batch_size=settings.money_extract_batch,
                    progress=lambda n, task=task: progress.advance(task, n),
                )
                progress.update(task, total=report.scanned, completed=report.scanned,
                                description=f"{user}: {report.receipts} receipts in {report.scanned} emails")
                total += report.scanned
    return total


def _extract(users: list[str] | None, *, everything: bool) -> None:
    settings = MoneySettings()
    _logging(settings)
    n = asyncio.run(_run(users, everything=everything))
    console.print(f"{'re-extracted' if everything else 'extracted'} {n} emails")


@app.command()
def extract(user: Users = None) -> None:
    """Extract money fields of emails that have none or an older rules version."""
    _extract(user, everything=False)


@app.command()
def reextract(user: Users = None) -> None:
    """Re-extract every email (after a rule change) and rebuild the receipts table."""
    _extract(user, everything=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
