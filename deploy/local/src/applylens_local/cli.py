"""The ``applylens`` command: the local stack and tools around it."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="ApplyLens personalization: local stack and tools.", no_args_is_help=True)
console = Console()


@app.command()
def up() -> None:
    """Start the local stack (embedded broker and database) and keep it running until Ctrl-C."""
    from applylens_contracts.identity import mint_token

    from .stack import run_infrastructure

    def ready(info, secret: str) -> None:  # type: ignore[no-untyped-def]
        token = mint_token("demo@example.com", secret, ttl_seconds=7 * 24 * 3600)
        console.print("[bold green]ApplyLens local stack is up[/] (Ctrl-C stops it)")
        console.print(f"  Kafka bootstrap   {info.kafka_bootstrap}")
        console.print(f"  PostgreSQL        {info.database_url}")
        console.print(f"  state folder      {info.state_dir}  (stack.json has these facts for scripts)")
        console.print(f"  demo JWT          {token}")

    run_infrastructure(ready)
    console.print("stopped")


@app.command()
def token(
    user: str = typer.Option(..., "--user", help="user id (the JWT sub)"),
    secret: str = typer.Option(..., "--secret", envvar="JWT_SECRET"),
    ttl: int = typer.Option(3600 * 24, help="seconds until it expires"),
) -> None:
    """Print an HS256 token for USER, signed with JWT_SECRET."""
    from applylens_contracts.identity import mint_token

    typer.echo(mint_token(user, secret, ttl_seconds=ttl))
