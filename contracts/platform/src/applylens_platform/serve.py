"""Run an ASGI app with uvicorn, draining in-flight work on SIGTERM."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI


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
