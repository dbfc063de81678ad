"""The ``applylens`` command: the local stack and tools around it."""

from __future__ import annotations

import typer

app = typer.Typer(help="ApplyLens personalization: local stack and tools.", no_args_is_help=True)


@app.command()
def token(user: str = typer.Option(..., "--user", help="user id (the JWT sub)"),
          secret: str = typer.Option(..., "--secret", envvar="JWT_SECRET"),
          ttl: int = typer.Option(3600 * 24, help="seconds until it expires")) -> None:
    """Print an HS256 token for USER, signed with JWT_SECRET."""
    from applylens_contracts.identity import mint_token

    typer.echo(mint_token(user, secret, ttl_seconds=ttl))
