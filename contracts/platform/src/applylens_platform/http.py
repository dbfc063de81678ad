"""The HTTP edge every service shares: health, readiness, metrics, errors, identity wiring."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from applylens_contracts.identity import TokenVerifier
from applylens_contracts.settings import ServiceSettings

from . import metrics
from .db import is_transient

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[object]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


class _MetricsMiddleware:
    """Counts requests and times them until the response starts, by route template (never raw paths)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                route = scope.get("route")
                template = getattr(route, "path", None) or "unmatched"
                metrics.HTTP_LATENCY.labels(scope["method"], template).observe(time.perf_counter() - started)
                metrics.HTTP_REQUESTS.labels(scope["method"], template, str(status)).inc()
            await send(message)

        await self.app(scope, receive, send_wrapper)


async def _run_checks(checks: Mapping[str, ReadinessCheck], timeout: float) -> dict[str, str]:
    async def one(name: str, check: ReadinessCheck) -> tuple[str, str]:
        try:
            async with asyncio.timeout(timeout):
                result = await check()
            if result is False:
                raise RuntimeError("check returned false")
            metrics.DEPENDENCY_UP.labels(name).set(1)
            return name, "ok"
        except Exception as exc:
            metrics.DEPENDENCY_UP.labels(name).set(0)
            return name, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

    return dict(await asyncio.gather(*(one(n, c) for n, c in checks.items())))


def create_app(
    *,
    title: str,
    settings: ServiceSettings,
    routers: Iterable[APIRouter] = (),
    readiness: Mapping[str, ReadinessCheck] | None = None,
    lifespan: Lifespan | None = None,
    description: str = "",
    version: str = "0.1.0",
    require_identity: bool = True,
) -> FastAPI:
    """A FastAPI app with ``/healthz``, ``/readyz``, ``/metrics``, JSON errors and the token verifier.

    ``readiness`` maps a dependency name to an async check that raises (or returns False)
    when the dependency is unreachable; ``/readyz`` answers 503 naming each failure.
    """
    checks = dict(readiness or {})

    @asynccontextmanager
    async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
        if lifespan is None:
            yield
        else:
            async with lifespan(app):
                yield

    app = FastAPI(title=title, description=description, version=version, lifespan=_lifespan)
    app.state.settings = settings
    app.state.readiness = checks
    if require_identity:
        app.state.token_verifier = TokenVerifier.from_settings(settings)
    app.add_middleware(_MetricsMiddleware)

    @app.get("/healthz", tags=["ops"], summary="Liveness: the process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], summary="Readiness: every dependency answers")
    async def readyz() -> JSONResponse:
        results = await _run_checks(app.state.readiness, timeout=2.0)
        ready = all(value == "ok" for value in results.values())
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": results},
                            status_code=200 if ready else 503)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics", response_class=PlainTextResponse)
    async def metrics_endpoint() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_transient(exc):  # the database (or another dependency) is down: the client may retry
            log.warning("dependency unavailable on %s %s: %s", request.method, request.url.path, exc)
            return JSONResponse({"detail": "a backing service is unavailable; retry shortly"},
                                status_code=503, headers={"Retry-After": "5"})
        error_id = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s %s", error_id, request.method, request.url.path)
        return JSONResponse({"detail": "internal error", "error_id": error_id}, status_code=500)

    for router in routers:
        app.include_router(router)
    return app
