"""``applylens import PATH --user EMAIL``: index a mailbox (mbox, .eml folder, one .eml) with a progress bar.

The ``app`` here is a typer app the ``applylens`` command mounts; ``python -m
applylens_index.cli import …`` also works on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from .factory import open_index
from .importer import ImportReport, import_path
from .ingest import source_size

app = typer.Typer(help="The emails index: import mail.", no_args_is_help=True)
console = Console(stderr=True)
_SHOWN_FAILURES = 20


@app.callback()
def _group() -> None:
    """The emails index: import mail."""


async def _run(path: Path, user: str, database_url: str | None, elasticsearch_url: str | None,
               kafka: str | None, batch_size: int, workers: int, progress: Progress) -> ImportReport:
    total = source_size(path) or None
    task = progress.add_task(f"importing {path.name}", total=total)
    index = await open_index(database_url=database_url, elasticsearch_url=elasticsearch_url)
    try:
        await index.ensure()
        async with contextlib.AsyncExitStack() as stack:
            publisher = None
            if kafka:
                from applylens_contracts.publisher import connect_publisher

                publisher = await stack.enter_async_context(connect_publisher(kafka, source="/applylens-import"))
            report = await import_path(
                path, user, index, publisher, batch_size=batch_size, workers=workers,
                on_progress=lambda _messages, done: progress.update(task, completed=done),
            )
            progress.update(task, completed=total)  # mbox separators are not message bytes
            return report
    finally:
        await index.close()


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(exists=True, help="an mbox file (Gmail Takeout), a folder of .eml files, or one .eml")],
    user: Annotated[str, typer.Option("--user", "-u", help="the user (email address) the mail belongs to")],
    database_url: Annotated[str, typer.Option(envvar="DATABASE_URL", help="PostgreSQL engine (used unless Elasticsearch is set)")] = "postgresql://postgres@127.0.0.1:5432/postgres",
    elasticsearch_url: Annotated[str | None, typer.Option(envvar="ELASTICSEARCH_URL", help="use the Elasticsearch engine")] = None,
    kafka_bootstrap_servers: Annotated[str, typer.Option(envvar="KAFKA_BOOTSTRAP_SERVERS", help="where email.ingested is published")] = "127.0.0.1:9092",
    no_publish: Annotated[bool, typer.Option("--no-publish", help="index only; publish no email.ingested events")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="messages per bulk write")] = 500,
    workers: Annotated[int, typer.Option(min=1, help="parser processes (default: the number of cores)")] = os.cpu_count() or 1,
) -> None:
    """Index every message of PATH for --user; publish email.ingested for each new one. Re-running is safe."""
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        report = asyncio.run(_run(path, user, database_url if not elasticsearch_url else None, elasticsearch_url,
                                  None if no_publish else kafka_bootstrap_servers, batch_size, workers, progress))
    console.print(
        f"[bold]{report.total}[/] messages: [green]{report.new} new[/], {report.updated} updated, "
        f"{report.unchanged} unchanged, [red]{len(report.failed)} failed[/]; {report.published} email.ingested published"
    )
    for source, reason in report.failed[:_SHOWN_FAILURES]:
        console.print(f"  [red]skipped[/] {source}: {reason}", markup=True, highlight=False)
    if len(report.failed) > _SHOWN_FAILURES:
        console.print(f"  … and {len(report.failed) - _SHOWN_FAILURES} more")
    if report.total and len(report.failed) == report.total:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
