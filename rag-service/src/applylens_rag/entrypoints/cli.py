"""``applylens-rag``: serve the chat API."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from applylens_platform.logging import configure_logging

from ..settings import RagSettings

app = typer.Typer(help="ApplyLens rag-service: chat over the mailbox.", no_args_is_help=True)


class Role(str, Enum):
    api = "api"


@app.command()
def serve(
    role: Annotated[Role, typer.Option(help="api: the HTTP API (rag-service has no consumer)")] = Role.api,
    host: Annotated[str | None, typer.Option(help="bind address [default: HTTP_HOST or 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="port [default: HTTP_PORT or 8004]")] = None,
) -> None:
    """Run the service until SIGTERM/SIGINT (open streams get uvicorn's graceful-shutdown window)."""
    from applylens_platform.serve import run_http

    from ..bootstrap import build_app

    settings = RagSettings()
    configure_logging(settings.log_level, json=settings.log_json, service=settings.service_name)
    run_http(build_app(settings, serve_api=role is Role.api), host or settings.http_host, port or settings.http_port,
             log_level=settings.log_level)


@app.command()
def boosts() -> None:
    """Print the boost configuration (values and what each matches)."""
    from ..domain import DEFAULT_BOOSTS, Mode

    for mode in Mode:
        typer.echo(f"mode={mode.value}")
        for boost in DEFAULT_BOOSTS.boosts(mode):
            typer.echo(f"  +{boost.value:g}  {boost.name}: {boost.when.describe()}")


def main() -> None:
    app()
