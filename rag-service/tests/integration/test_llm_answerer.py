"""The OpenAI-compatible answerer against a local fake of the chat-completions API (a real HTTP server)."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from applylens_rag.bootstrap import build_app

pytestmark = pytest.mark.integration


class FakeChatCompletions:
    """POST /v1/chat/completions answering in the streaming format: ``data: {chunk}`` lines, then ``data: [DONE]``.

    behaviour: ``answer`` (stream ``pieces``), ``slow`` (0.3 s between pieces), ``http_error`` (500),
    ``hang`` (one piece, then keep-alive comments until the client goes away).
    """

    def __init__(self) -> None:
        self.behaviour = "answer"
        self.pieces = ["Your onsite ", "with Acme is on Friday ", "[1]", "."]
        self.requests: list[tuple[dict[str, str], dict]] = []
        self.disconnected = threading.Event()
        self.app = Starlette(routes=[Route("/v1/chat/completions", self.handle, methods=["POST"])])

    @staticmethod
    def chunk(content: str) -> str:
        return "data: " + json.dumps({"id": "c1", "object": "chat.completion.chunk", "model": "fake",
                                      "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}]}) + "\n\n"

    async def handle(self, request: Request):  # type: ignore[no-untyped-def]
        self.requests.append((dict(request.headers), await request.json()))
        if self.behaviour == "http_error":
            return JSONResponse({"error": {"message": "model 'fake' is not loaded"}}, status_code=500)
        behaviour, pieces = self.behaviour, list(self.pieces)

        async def body():  # type: ignore[no-untyped-def]
            finished = False
            try:
                yield 'data: {"choices":[{"index":0,"delta":{"role":"assistant"}}]}\n\n'
                for piece in pieces:
                    yield self.chunk(piece)
                    await asyncio.sleep(0.3 if behaviour == "slow" else 0.005)
                while behaviour == "hang":
                    yield ": keep-alive\n\n"
                    await asyncio.sleep(0.05)
                yield "data: [DONE]\n\n"
                finished = True
            finally:
                if not finished:
                    self.disconnected.set()

        return StreamingResponse(body(), media_type="text/event-stream")


@pytest.fixture
def fake_llm(live_server):
    fake = FakeChatCompletions()
    fake.url = live_server(fake.app).url + "/v1"
    return fake


@pytest.fixture
async def acme(email_index, make_mail, user):
    await email_index.upsert([
        make_mail(user, "acme-onsite", "Onsite interview at Acme", "Your onsite is on Friday at 10:00.",
                  sender="recruiter@acme.com", stage="Onsite", risk=0.3, company="Acme", days_ago=2),
        make_mail(user, "acme-news", "Acme newsletter", "Acme is hiring for an onsite team.", days_ago=1),
    ])
    return user


def _app(rag_settings, fake_llm, **overrides):
    return build_app(rag_settings(rag_llm_base_url=fake_llm.url, rag_llm_model="fake-model",
                                  rag_llm_api_key="sk-test", **overrides))


async def test_streams_the_model_answer_with_sources_in_the_prompt(live_server, rag_settings, fake_llm, http, sse,
                                                                    token_for, acme):
    server = live_server(_app(rag_settings, fake_llm))
    async with http.stream("GET", f"{server.url}/chat/stream", params={"q": "when is my acme onsite"},
                           headers={"Authorization": f"Bearer {token_for(acme)}"}) as response:
        read = await sse(response)
    assert read.names == ["sources", "delta", "delta", "delta", "delta", "answer", "done"]
    assert [e.data["text"] for e in read.events if e.event == "delta"] == fake_llm.pieces
    answer = read.first("answer")
    assert answer == {"text": "Your onsite with Acme is on Friday [1].", "citations": [1], "answerer": "llm"}
    headers, body = fake_llm.requests[-1]
    assert headers["authorization"] == "Bearer sk-test"
    assert body["model"] == "fake-model" and body["stream"] is True
    prompt = body["messages"][-1]["content"]
    sources = read.first("sources")["sources"]
    for source in sources:  # the same retrieval: every cited source is in the prompt under its number
        assert f"[{source['n']}] Subject: {source['subject']}" in prompt
    assert "stage Onsite" in prompt and "Question: when is my acme onsite" in prompt
    assert "[1]" in body["messages"][0]["content"]  # the system prompt asks for [n] citations


async def test_an_answer_without_citations_gets_the_sources_appended(live_server, rag_settings, fake_llm, http,
                                                                      token_for, acme):
    fake_llm.pieces = ["Friday at ten."]
    server = live_server(_app(rag_settings, fake_llm))
    reply = await http.post(f"{server.url}/chat", json={"q": "acme onsite"},
                            headers={"Authorization": f"Bearer {token_for(acme)}"})
    body = reply.json()
    assert body["answer"].startswith("Friday at ten.\n\nSources: [1] ")
    assert body["citations"] == list(range(1, len(body["sources"]) + 1))


async def test_a_failing_model_is_an_error_event_after_the_sources(live_server, rag_settings, fake_llm, http, sse,
                                                                    token_for, acme):
    fake_llm.behaviour = "http_error"
    server = live_server(_app(rag_settings, fake_llm))
    headers = {"Authorization": f"Bearer {token_for(acme)}"}
    async with http.stream("GET", f"{server.url}/chat/stream", params={"q": "acme"}, headers=headers) as response:
        read = await sse(response)
    assert read.names == ["sources", "error"]
    error = read.first("error")
    assert error["stage"] == "answer" and "llm answerer failed" in error["message"] and error["error_id"]
    reply = await http.post(f"{server.url}/chat", json={"q": "acme"}, headers=headers)
    assert reply.status_code == 503 and reply.json()["stage"] == "answer"


async def test_heartbeats_while_the_model_is_slow(live_server, rag_settings, fake_llm, http, sse, token_for, acme):
    fake_llm.behaviour = "slow"
    fake_llm.pieces = ["One [1]", " two", " three"]
    server = live_server(_app(rag_settings, fake_llm, rag_heartbeat_seconds=0.1))
    async with http.stream("GET", f"{server.url}/chat/stream", params={"q": "acme"},
                           headers={"Authorization": f"Bearer {token_for(acme)}"}) as response:
        read = await sse(response)
    assert read.names[-1] == "done"
    assert any(comment.startswith("ping") for comment in read.comments), read.comments


async def test_a_client_that_goes_away_stops_the_model(live_server, rag_settings, fake_llm, http, token_for, acme):
    fake_llm.behaviour = "hang"
    server = live_server(_app(rag_settings, fake_llm))
    async with http.stream("GET", f"{server.url}/chat/stream", params={"q": "acme"},
                           headers={"Authorization": f"Bearer {token_for(acme)}"}) as response:
        async for line in response.aiter_lines():
            if line == "event: delta":
                break  # the model is answering: hang up
    assert await asyncio.to_thread(fake_llm.disconnected.wait, 5), "the upstream model request was not closed"
    metrics = (await http.get(f"{server.url}/metrics")).text
    assert 'rag_chat_total{endpoint="stream",mode="none",outcome="disconnected"}' in metrics
