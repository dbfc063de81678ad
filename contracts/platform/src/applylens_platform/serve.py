"""Run an ASGI app with uvicorn, draining in-flight work on SIGTERM; the ``serve --role`` every service offers."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

import uvicorn
from fastapi import FastAPI


class Role(str, Enum):
    """What one process runs: the HTTP API, the Kafka consumer (with /healthz /readyz /metrics), or both."""

    all = "all"
    api = "api"
    consumer = "consumer"

    @property
    def consumes(self) -> bool:
        return self in (Role.all, Role.consumer)

    @property
    def serves_api(self) -> bool:
        return self in (Role.all, Role.api)


def run_http(app: FastAPI, host: str, port: int, *, log_level: str = "info") -> None:
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level.lower(),
        timeout_graceful_shutdown=20,
        access_log=False,
        proxy_headers=True,
    )


def serve_role(build_app: Callable[..., FastAPI], settings: Any, role: Role, host: str | None, port: int | None) -> None:
    """``build_app(settings, consume=…, serve_api=…)`` for ``role``, served until SIGTERM/SIGINT."""
    application = build_app(settings, consume=role.consumes, serve_api=role.serves_api)
    run_http(application, host or settings.http_host, port or settings.http_port, log_level=settings.log_level)
