"""Retrieve once per question: the sources the answer is built from and cited with."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from applylens_index.contract import EmailIndex

from .. import metrics
from ..domain import BoostConfig, Mode, Source, build_query, question_terms, to_source


@dataclass(frozen=True, slots=True)
class AskQuestion:
    """Command: answer ``question`` for ``user_id`` (verified) in ``mode`` from the top ``k`` emails."""

    user_id: str
    question: str
    mode: Mode = Mode.NONE
    k: int = 6


@dataclass(frozen=True, slots=True)
class Retrieval:
    """The one retrieval of a question. ``bodies[i]`` is the body of ``sources[i]``; ``total``
    counts every match; ``fallback`` is True when no email matched the question's words and
    the sources are the user's best mail by boosts alone."""

    sources: tuple[Source, ...]
    bodies: tuple[str, ...]
    total: int
    fallback: bool


IndexProvider = Callable[[], Awaitable[EmailIndex]]


async def retrieve(index_provider: IndexProvider, command: AskQuestion, boosts: BoostConfig) -> Retrieval:
    """Search the user's mail with the question's words and the boosts; when nothing matches the
    words, rank the user's mail by the boosts alone (newest first among equals)."""
    started = time.perf_counter()
    index = await index_provider()
    terms = question_terms(command.question)
    result = await index.search(build_query(command.user_id, command.question, command.mode, command.k, boosts))
    fallback = False
    if not result.hits and terms:
        fallback = True
        result = await index.search(
            build_query(command.user_id, command.question, command.mode, command.k, boosts, use_text=False))
    metrics.RETRIEVAL_SECONDS.labels(command.mode.value).observe(time.perf_counter() - started)
    sources = tuple(
        to_source(n, hit.doc, hit.score, hit.matched, command.mode, boosts, terms)
        for n, hit in enumerate(result.hits, start=1)
    )
    for source in sources:
        for name in source.boosts:
            metrics.BOOSTED_SOURCES.labels(name).inc()
    return Retrieval(sources=sources, bodies=tuple(h.doc.body_text for h in result.hits),
                     total=result.total, fallback=fallback)
