"""One ASGI process serving every service's HTTP paths, for the local profile.

Production routes paths to the services with an Ingress (deploy/k8s). Locally the
HTTP apps run in one process and a prefix table picks the app for each request: no
HTTP proxying, each app keeps its own state and lifespan (pool, index, broker).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


class PrefixGateway:
    """Dispatch by the first path segment; ``/healthz``, ``/readyz`` and ``/openapi/*`` are the gateway's own."""

    def __init__(self, routes: Mapping[str, FastAPI], ops: FastAPI) -> None:
        self.routes = dict(routes)
        self.ops = ops

    def app_for(self, path: str) -> ASGIApp:
        for prefix, app in self.routes.items():
            if path == prefix or path.startswith(prefix + "/"):
                return app
        return self.ops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.app_for(scope.get("path", "/"))(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        stack = contextlib.AsyncExitStack()
        message = await receive()
        assert message["type"] == "lifespan.startup"
        try:
            for app in {id(a): a for a in [*self.routes.values(), self.ops]}.values():
                await stack.enter_async_context(app.router.lifespan_context(app))
        except BaseException as exc:
            await stack.aclose()
            await send({"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"})
            return
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        assert message["type"] == "lifespan.shutdown"
        await stack.aclose()
        await send({"type": "lifespan.shutdown.complete"})


def ops_app(routes: Mapping[str, FastAPI]) -> FastAPI:
    """The gateway's own endpoints: aggregated readiness, metrics, and each service's OpenAPI."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
    from starlette.responses import Response

    from applylens_platform.http import _run_checks

    app = FastAPI(title="ApplyLens local gateway", docs_url=None, redoc_url=None)
    by_name = {prefix.strip("/"): service for prefix, service in routes.items()}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        results = await asyncio.gather(*(_run_checks(s.state.readiness, 2.0) for s in by_name.values()))
        checks = {f"{name}.{dep}": status for name, r in zip(by_name, results) for dep, status in r.items()}
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                            status_code=200 if ready else 503)

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @app.get("/openapi/{service}.json")
    async def openapi(service: str) -> JSONResponse:
        if service not in by_name:
            return JSONResponse({"detail": f"unknown service {service!r}; one of {sorted(by_name)}"}, 404)
        return JSONResponse(by_name[service].openapi())

    return app


def build_gateway(routes: Mapping[str, FastAPI]) -> PrefixGateway:
    return PrefixGateway(routes, ops_app(routes))
