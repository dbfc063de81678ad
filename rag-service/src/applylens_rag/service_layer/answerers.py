"""The two answerers: extractive (default, offline) and an OpenAI-compatible model. Both stream text pieces."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

from ..adapters.llm import ChatCompletionsClient
from ..domain import Mode, chat_messages, extractive_answer
from .retrieval import Retrieval


class Answerer(Protocol):
    name: str

    def answer(self, question: str, mode: Mode, retrieval: Retrieval) -> AsyncIterator[str]:
        """The answer's text pieces, built only from ``retrieval`` (the sources already sent)."""
        ...


class ExtractiveAnswerer:
    """Summarises and cites the retrieved emails, grouped by thread (``domain.extractive``)."""

    name = "extractive"

    async def answer(self, question: str, mode: Mode, retrieval: Retrieval) -> AsyncIterator[str]:
        for piece in extractive_answer(question, mode, retrieval.sources, total=retrieval.total,
                                       fallback=retrieval.fallback):
            yield piece
            await asyncio.sleep(0)  # a cancellation point per piece: a gone client stops the loop


class ModelAnswerer:
    """Streams a chat-completions model's answer; the sources travel in the prompt, numbered as cited."""

    name = "llm"

    def __init__(self, client: ChatCompletionsClient) -> None:
        self.client = client

    async def answer(self, question: str, mode: Mode, retrieval: Retrieval) -> AsyncIterator[str]:
        messages = chat_messages(question, mode, retrieval.sources, retrieval.bodies)
        async for piece in self.client.stream(messages):
            yield piece
