"""The ``applylens`` command: the local stack and tools around it."""

from __future__ import annotations

import os

import typer
from rich.console import Console

from applylens_index.cli import import_command

app = typer.Typer(help="ApplyLens personalization: local stack and tools.", no_args_is_help=True)
app.command("import", help="Index a mailbox (Gmail Takeout mbox, .eml folder or file) for a user; "
                            "with a local stack running, into that stack.")(import_command)
console = Console()


@app.callback()
def _use_running_stack(ctx: typer.Context) -> None:
    """Commands other than `up` talk to the running local stack unless the environment says otherwise."""
    if ctx.invoked_subcommand == "up":
        return
    from .stack import jwt_secret, running_stack, state_dir

    info = running_stack(state_dir())
    if info:
        os.environ.setdefault("JWT_SECRET", jwt_secret(state_dir()))
        os.environ.setdefault("DATABASE_URL", info["database_url"])
        os.environ.setdefault("KAFKA_BOOTSTRAP_SERVERS", info["kafka_bootstrap"])
        if info.get("elasticsearch_url"):
            os.environ.setdefault("ELASTICSEARCH_URL", info["elasticsearch_url"])


def _print_ready(info) -> None:  # type: ignore[no-untyped-def]
    auth = f'-H "Authorization: Bearer {info.token}"'
    console.print("\n[bold green]ApplyLens is up[/] — Ctrl-C stops everything\n")
    console.print(f"  chat page        {info.chat_url}?access_token={info.token}", soft_wrap=True)
    console.print(f"  demo user        {info.user_id}")
    console.print(f"  demo JWT         {info.token}", soft_wrap=True)
    console.print(f"  Kafka            {info.kafka_bootstrap}")
    console.print(f"  PostgreSQL       {info.database_url}", soft_wrap=True)
    console.print(f"  stack.json       {info.state_dir}/stack.json\n")
    for path in ("/money/receipts.csv", "/money/duplicates?window_days=7", "/money/summary", "/policy/stats",
                 "/learner/weights?limit=10", "/chat/stream?q=interview&mode=networking", "/metrics"):
        console.print(f"  curl -s {auth} '{info.base_url}{path}'", soft_wrap=True)
    console.print()


@app.command()
def up(
    port: int = typer.Option(8080, help="the gateway's port: every HTTP path is served there"),
    demo: bool = typer.Option(True, "--demo/--no-demo", help="load the demo mailbox, warehouse and decisions"),
) -> None:
    """Run the whole system: broker, database, every service, the demo data and the nightly schedules."""
    from .stack import run_stack

    run_stack(port=port, demo=demo, log=lambda line: console.print(f"[dim]{line}[/]"), on_ready=_print_ready)
    console.print("stopped")


@app.command()
def load(
    seconds: float = typer.Option(60.0, min=1, help="how long to keep the load on"),
    concurrency: int = typer.Option(16, min=1, max=512, help="concurrent clients"),
) -> None:
    """Concurrent requests on money mode and chat of the running stack; prints throughput, latency, errors."""
    import asyncio

    from .load import run_load
    from .stack import running_stack, state_dir

    info = running_stack(state_dir())
    if not info:
        raise typer.BadParameter("no running stack in APPLYLENS_STATE_DIR; start one with `applylens up`")
    report = asyncio.run(run_load(info["base_url"], [info["token"]], seconds=seconds, concurrency=concurrency))
    for name, value in report.figures().items():
        console.print(f"  {name:<44} {value}")
    for sample in report.error_samples:
        console.print(f"  [red]{sample}[/]", highlight=False)
    if report.error_count:
        raise typer.Exit(code=1)


@app.command()
def token(
    user: str = typer.Option(..., "--user", help="user id (the JWT sub)"),
    secret: str = typer.Option(..., "--secret", envvar="JWT_SECRET"),
    ttl: int = typer.Option(3600 * 24, help="seconds until it expires"),
) -> None:
    """Print an HS256 token for USER, signed with JWT_SECRET."""
    from applylens_contracts.identity import mint_token

    typer.echo(mint_token(user, secret, ttl_seconds=ttl))
