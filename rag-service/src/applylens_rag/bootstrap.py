"""The one place that wires rag-service: settings → index, answerer, use case, routes.

``build_app(settings)`` serves the API. rag-service consumes no topic, so ``consume`` is
accepted (every service's bootstrap has the same signature) and ignored. Start-up never
blocks on the index: the engine is opened lazily (the PostgreSQL pool connects on first
use) and created/migrated on the first readiness check or question; /readyz fails while
the index does not answer and recovers by itself.

The answerer is the offline extractive one unless ``RAG_LLM_BASE_URL`` names an
OpenAI-compatible endpoint. Tests pass ``index`` / ``answerer`` to wire fakes the same way.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from applylens_index.contract import EmailIndex
from applylens_platform.http import create_app

from .adapters import ChatCompletionsClient, IndexGate, open_email_index
from .domain import DEFAULT_BOOSTS, BoostConfig
from .entrypoints.http import build_router
from .service_layer import AnswerQuestion, Answerer, ExtractiveAnswerer, ModelAnswerer
from .settings import RagSettings

log = logging.getLogger(__name__)


def build_answerer(settings: RagSettings) -> tuple[Answerer, ChatCompletionsClient | None]:
    if not settings.llm_enabled:
        return ExtractiveAnswerer(), None
    assert settings.rag_llm_base_url is not None
    client = ChatCompletionsClient(
        settings.rag_llm_base_url,
        settings.rag_llm_model,
        api_key=settings.rag_llm_api_key.get_secret_value() if settings.rag_llm_api_key else None,
        timeout_seconds=settings.rag_llm_timeout_seconds,
        max_tokens=settings.rag_llm_max_tokens,
        temperature=settings.rag_llm_temperature,
    )
    return ModelAnswerer(client), client


def build_app(
    settings: RagSettings,
    *,
    consume: bool = False,
    serve_api: bool = True,
    index: EmailIndex | None = None,
    answerer: Answerer | None = None,
    boosts: BoostConfig = DEFAULT_BOOSTS,
) -> FastAPI:
    """The rag-service app. ``index``: an already-open index the caller owns (else one is opened
    from ``ELASTICSEARCH_URL`` / ``DATABASE_URL`` and closed at shutdown). ``app.state.chat`` is
    the wired :class:`AnswerQuestion` once the lifespan has begun."""
    del consume  # nothing to consume
    gate: IndexGate | None = None

    async def check_index() -> None:
        if gate is None:
            raise RuntimeError("not started")
        await gate.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal gate
        owned = index is None
        engine = index if index is not None else await open_email_index(settings)
        gate = IndexGate(engine)
        client = None
        chosen = answerer
        if chosen is None:
            chosen, client = build_answerer(settings)
        app.state.chat = AnswerQuestion(gate.ready, chosen, boosts)
        log.info("rag-service started (answerer=%s, engine=%s)", chosen.name, type(engine).__name__)
        try:
            yield
        finally:
            app.state.chat = None
            if client is not None:
                await client.close()
            if owned:
                await engine.close()

    app = create_app(
        title="ApplyLens rag-service",
        description="Chat over the mailbox: retrieval with boosts for urgent recruiter mail and the chosen mode, "
                    "answers streamed as server-sent events.",
        settings=settings,
        routers=[build_router(settings)] if serve_api else [],
        readiness={"index": check_index},
        lifespan=lifespan,
        require_identity=serve_api,
    )
    app.state.chat = None
    return app
