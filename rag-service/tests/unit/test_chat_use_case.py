"""The chat use case with fakes: event order, one retrieval, errors, and the JSON twin."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from applylens_contracts.email import EmailDocument
from applylens_index.contract import Hit, SearchResult
from applylens_rag.domain import DEFAULT_BOOSTS, Mode
from applylens_rag.service_layer import AnswerQuestion, AskQuestion, ChatFailed, ExtractiveAnswerer


class FakeIndex:
    def __init__(self, hits_by_text=None, fail=False):
        self.hits_by_text = hits_by_text or {}
        self.fail = fail
        self.queries = []

    async def search(self, query):
        self.queries.append(query)
        if self.fail:
            raise OSError("down")
        hits = self.hits_by_text.get(query.text, [])
        return SearchResult(hits=hits[: query.size], total=len(hits))


def hit(doc_id, score=1.0, matched=()):
    doc = EmailDocument(id=doc_id, user_id="alice", subject=f"Subject {doc_id}", body_text="Body.",
                        received_at=datetime(2026, 2, 1, tzinfo=timezone.utc))
    return Hit(doc=doc, score=score, matched=matched)


def chat(index, answerer=None):
    async def provide():
        return index

    return AnswerQuestion(provide, answerer or ExtractiveAnswerer(), DEFAULT_BOOSTS)


async def _events(use_case, command):
    return [event async for event in use_case.events(command)]


async def test_events_in_order_from_one_retrieval():
    index = FakeIndex({"acme": [hit("a", 2.0, ("ghosting_risk",)), hit("b")]})
    events = await _events(chat(index), AskQuestion("alice", "acme", Mode.MONEY, 5))
    names = [e.name for e in events]
    assert names[0] == "sources" and names[-2:] == ["answer", "done"] and set(names[1:-2]) == {"delta"}
    assert len(index.queries) == 1 and index.queries[0].user_id == "alice"
    assert {b.name for b in index.queries[0].boosts} == {"ghosting_risk", "late_stage", "mode_category", "mode_words"}
    assert [s["id"] for s in events[0].data["sources"]] == ["a", "b"]
    assert events[0].data["sources"][0]["boosts"] == ["ghosting_risk"]


async def test_no_match_searches_again_by_boosts_only():
    index = FakeIndex({None: [hit("z")]})
    events = await _events(chat(index), AskQuestion("alice", "zeppelins", Mode.NONE, 5))
    assert [q.text for q in index.queries] == ["zeppelins", None]
    assert events[0].data["fallback"] is True


async def test_index_failure_is_one_error_event():
    events = await _events(chat(FakeIndex(fail=True)), AskQuestion("alice", "acme"))
    assert [e.name for e in events] == ["error"] and events[0].data["stage"] == "retrieval"
    with pytest.raises(ChatFailed):
        await chat(FakeIndex(fail=True)).answer(AskQuestion("alice", "acme"))


async def test_answerer_failure_comes_after_the_sources():
    class Broken:
        name = "llm"

        async def answer(self, question, mode, retrieval):
            yield "partial "
            raise RuntimeError("boom")

    events = await _events(chat(FakeIndex({"acme": [hit("a")]}), Broken()), AskQuestion("alice", "acme"))
    assert [e.name for e in events] == ["sources", "delta", "error"]
    assert events[-1].data["stage"] == "answer"


async def test_json_answer_matches_the_stream():
    use_case = chat(FakeIndex({"acme": [hit("a"), hit("b")]}))
    events = await _events(use_case, AskQuestion("alice", "acme"))
    document = await use_case.answer(AskQuestion("alice", "acme"))
    assert document["answer"] == next(e.data["text"] for e in events if e.name == "answer")
    assert document["citations"] == [1, 2] and document["answerer"] == "extractive"
