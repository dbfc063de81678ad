"""Fixtures of rag-service's tests: a live uvicorn server, the emails index, mail builders, SSE reading."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import uvicorn

from applylens_contracts.email import AtsFields, EmailDocument

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


class LiveServer:
    """An ASGI app served by uvicorn on a free 127.0.0.1 port, in a thread with its own event loop."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2,
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], LiveServer]]:
    started: list[LiveServer] = []

    def start(app: Any) -> LiveServer:
        server = LiveServer(app).start()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def user() -> str:
    """A fresh user per test: the session database is shared, so users keep tests apart."""
    return f"u-{uuid.uuid4().hex[:10]}@example.com"


def mail(user_id: str, doc_id: str, subject: str, body: str = "", *, sender: str = "someone@example.org",
         category: str | None = None, days_ago: float = 1.0, thread_id: str | None = None,
         stage: str | None = None, risk: float | None = None, company: str | None = None) -> EmailDocument:
    ats = None
    if stage is not None or risk is not None:
        ats = AtsFields(system="greenhouse", stage=stage, ghosting_risk=risk, company=company)
    return EmailDocument(
        id=doc_id, user_id=user_id, thread_id=thread_id or f"t-{doc_id}", subject=subject, body_text=body,
        from_=sender, sender_domain=sender.rsplit("@", 1)[-1].rstrip(">"), category=category,
        received_at=NOW - timedelta(days=days_ago), ats=ats,
    )


@pytest.fixture
def make_mail() -> Callable[..., EmailDocument]:
    return mail


@dataclass
class SseEvent:
    event: str
    data: Any


@dataclass
class SseRead:
    events: list[SseEvent] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [e.event for e in self.events]

    def first(self, name: str) -> Any:
        return next(e.data for e in self.events if e.event == name)


async def read_sse(response: httpx.Response) -> SseRead:
    """Parse an SSE body as it streams (events with JSON data, and comment lines)."""
    out = SseRead()
    name, data = "message", []
    async for line in response.aiter_lines():
        if line.startswith(":"):
            out.comments.append(line[1:].strip())
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
        elif line == "" and data:
            out.events.append(SseEvent(name, json.loads("\n".join(data))))
            name, data = "message", []
    return out


@pytest.fixture
def sse() -> Callable[[httpx.Response], Any]:
    return read_sse


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
async def email_index(database_url: str) -> AsyncIterator[Any]:
    """The PostgreSQL emails index of the test run's database (the app under test opens its own)."""
    from applylens_index.postgres import PostgresEmailIndex

    index = await PostgresEmailIndex.connect(database_url)
    await index.ensure()
    yield index
    await index.close()


@pytest.fixture
def rag_settings(database_url: str, jwt_secret: str) -> Callable[..., Any]:
    """RagSettings for a test app: the run's database, the fixtures' JWT secret, extractive unless told."""
    from applylens_rag.settings import RagSettings

    def make(**overrides: Any) -> RagSettings:
        values: dict[str, Any] = dict(database_url=database_url, jwt_secret=jwt_secret, rag_llm_base_url=None,
                                      elasticsearch_url=None, log_json=False)
        values.update(overrides)
        return RagSettings(**values)

    return make
