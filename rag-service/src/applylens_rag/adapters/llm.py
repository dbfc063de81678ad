"""A streaming client for any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, ...).

POST ``{base_url}/chat/completions`` with ``stream: true``; the answer arrives as SSE
``data:`` lines holding ``choices[0].delta.content``, ended by ``data: [DONE]``.
Closing the iterator early (the chat client went away) closes the upstream connection,
so the model stops generating for nobody.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx


class LlmError(Exception):
    """The endpoint failed; the message says which endpoint and what it answered."""


class ChatCompletionsClient:
    def __init__(self, base_url: str, model: str, *, api_key: str | None = None, timeout_seconds: float = 60.0,
                 max_tokens: int = 600, temperature: float = 0.2, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self._max_tokens = max_tokens
        self._temperature = temperature
        headers = {"Accept": "text/event-stream"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(timeout_seconds, connect=5.0),
            transport=transport,
        )

    async def stream(self, messages: list[dict[str, str]]) -> AsyncIterator[str]:
        """The answer's text pieces as they arrive. Raises LlmError on HTTP errors, error chunks,
        unreadable chunks or a connection failure."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "stream": True,
            "max_tokens": self._max_tokens,
            "temperature": self._temperature,
        }
        try:
            async with self._http.stream("POST", self.url, json=body) as response:
                if response.status_code != 200:
                    detail = (await response.aread())[:300].decode(errors="replace")
                    raise LlmError(f"{self.url} answered HTTP {response.status_code}: {detail}")
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue  # blank separators, comments, event: lines
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        return
                    for piece in _pieces(payload, self.url):
                        yield piece
        except httpx.HTTPError as exc:
            raise LlmError(f"{self.url} failed: {type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        await self._http.aclose()


def _pieces(payload: str, url: str) -> list[str]:
    try:
        chunk = json.loads(payload)
    except json.JSONDecodeError:
        raise LlmError(f"{url} sent an unreadable chunk: {payload[:200]!r}") from None
    if not isinstance(chunk, dict):
        raise LlmError(f"{url} sent an unexpected chunk: {payload[:200]!r}")
    if "error" in chunk:
        error = chunk["error"]
        message = error.get("message") if isinstance(error, dict) else error
        raise LlmError(f"{url} reported an error: {message}")
    pieces = []
    for choice in chunk.get("choices") or ():
        content = (choice.get("delta") or {}).get("content") if isinstance(choice, dict) else None
        if content:
            pieces.append(content)
    return pieces
