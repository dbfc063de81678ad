"""The chat use case: retrieve once, then stream ``sources`` → ``delta``… → ``answer`` → ``done``.

Sources and answer come from the same retrieval (the seed fetched citations with a
second query that ignored the mode). A failure becomes one ``error`` event and ends
the stream; a cancelled stream (the client went away) stops at the next await,
closing the model's connection with it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from ..domain import BoostConfig, citation_footer, citations_in
from .answerers import Answerer
from .retrieval import AskQuestion, IndexProvider, Retrieval, retrieve

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChatEvent:
    """One server-sent event: ``name`` is sources | delta | answer | done | error; ``data`` is JSON-ready."""

    name: str
    data: dict[str, Any]


class ChatFailed(Exception):
    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data["message"])
        self.data = data


def _error(stage: str, message: str) -> ChatEvent:
    error_id = uuid.uuid4().hex[:12]
    log.exception("chat %s failed (error %s)", stage, error_id)
    return ChatEvent("error", {"stage": stage, "message": f"{message} (error id {error_id})", "error_id": error_id})


class AnswerQuestion:
    def __init__(self, index: IndexProvider, answerer: Answerer, boosts: BoostConfig) -> None:
        self.index = index
        self.answerer = answerer
        self.boosts = boosts

    async def events(self, command: AskQuestion) -> AsyncIterator[ChatEvent]:
        try:
            retrieval: Retrieval = await retrieve(self.index, command, self.boosts)
        except Exception:
            yield _error("retrieval", "the email index could not be searched; try again shortly")
            return
        yield ChatEvent("sources", {
            "question": command.question,
            "mode": command.mode.value,
            "total": retrieval.total,
            "fallback": retrieval.fallback,
            "sources": [s.to_json() for s in retrieval.sources],
        })
        parts: list[str] = []
        try:
            async for piece in self.answerer.answer(command.question, command.mode, retrieval):
                parts.append(piece)
                yield ChatEvent("delta", {"text": piece})
        except Exception:
            yield _error("answer", f"the {self.answerer.name} answerer failed; the sources above are still valid")
            return
        text = "".join(parts)
        footer = citation_footer(text, retrieval.sources)
        if footer:
            yield ChatEvent("delta", {"text": footer})
            text += footer
        yield ChatEvent("answer", {"text": text, "citations": citations_in(text, len(retrieval.sources)),
                                   "answerer": self.answerer.name})
        yield ChatEvent("done", {"sources": len(retrieval.sources)})

    async def answer(self, command: AskQuestion) -> dict[str, Any]:
        """The same events as one document: ``{question, mode, total, fallback, sources, answer, citations,
        answerer}``. Raises ChatFailed with the ``error`` event's data."""
        document: dict[str, Any] = {}
        async for event in self.events(command):
            if event.name == "error":
                raise ChatFailed(event.data)
            if event.name == "sources":
                document.update(event.data)
            elif event.name == "answer":
                document.update(answer=event.data["text"], citations=event.data["citations"],
                                answerer=event.data["answerer"])
        return document
