"""The pure core: boosts as data, question → query, why boosted, snippets, the extractive answer, citations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from applylens_contracts.email import AtsFields, EmailDocument
from applylens_index.query import Range, Term, TextAny
from applylens_rag.domain import (
    DEFAULT_BOOSTS,
    Mode,
    build_query,
    chat_messages,
    citation_footer,
    citations_in,
    extractive_answer,
    group_by_thread,
    question_terms,
    to_source,
)
from applylens_rag.domain.sources import snippet

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def doc(doc_id, subject="S", body="", thread=None, stage=None, risk=None, category=None, days=1):
    ats = AtsFields(stage=stage, ghosting_risk=risk, company="Acme") if stage or risk is not None else None
    return EmailDocument(id=doc_id, user_id="u", thread_id=thread, subject=subject, body_text=body,
                         from_="Rita <rita@acme.com>", category=category, received_at=NOW - timedelta(days=days), ats=ats)


def test_question_terms_drop_stop_words_and_operators():
    assert question_terms("When is my Onsite with ACME? -or- \"quoted\"") == ["onsite", "acme", "quoted"]
    assert question_terms("what's new?") == ["new"]
    assert question_terms("anything?") == []
    assert len(question_terms(" ".join(f"w{i}" for i in range(40)))) == 16


def test_query_is_scoped_weighted_and_explained():
    query = build_query("alice@example.com", "acme onsite", Mode.NONE, 6, DEFAULT_BOOSTS)
    assert query.user_id == "alice@example.com" and query.text == "acme or onsite" and query.size == 6
    w = query.text_weights
    assert w.subject > w.body_text > w.from_
    assert query.explain and not query.filters
    assert build_query("u", "anything?", Mode.NONE, 6, DEFAULT_BOOSTS).text is None
    assert build_query("u", "acme", Mode.NONE, 6, DEFAULT_BOOSTS, use_text=False).text is None


def test_boosts_have_explicit_values_per_mode():
    none = {b.name: b for b in DEFAULT_BOOSTS.boosts(Mode.NONE)}
    assert set(none) == {"ghosting_risk", "late_stage"}
    risk, stage = none["ghosting_risk"], none["late_stage"]
    assert isinstance(risk.when, Range) and risk.when.field == "ats.ghosting_risk" and risk.when.gte == 0.6
    assert isinstance(stage.when, Term) and stage.when.case_insensitive
    assert set(stage.when.values) == {"Onsite", "Final Round", "Offer", "Negotiation"}
    assert risk.value == 3.0 and stage.value == 2.0
    money = {b.name: b for b in DEFAULT_BOOSTS.boosts(Mode.MONEY)}
    assert money["mode_category"].when.values == ("finance",)
    assert isinstance(money["mode_words"].when, TextAny) and {"receipt", "invoice", "payment"} <= set(money["mode_words"].when.words)
    networking = {b.name: b for b in DEFAULT_BOOSTS.boosts(Mode.NETWORKING)}
    assert networking["mode_category"].when.values == ("event",)
    assert {"event", "meetup", "conference", "webinar", "networking"} <= set(networking["mode_words"].when.words)


def test_default_boosts_are_stored_per_email_by_the_postgres_index():
    """Each default boost is a predicate the index computes at write time (emails.flags): a change to
    the configuration without a matching index migration is still correct, only slower — this says so."""
    from applylens_index.postgres.flags import flag_bit

    for mode in Mode:
        for boost in DEFAULT_BOOSTS.boosts(mode):
            assert flag_bit(boost.when) is not None, f"{mode.value}/{boost.name} is not stored in emails.flags"


def test_why_boosted_names_the_values():
    source = to_source(1, doc("a", stage="Onsite", risk=0.81, category="finance"), 2.5,
                       ("ghosting_risk", "late_stage", "mode_category"), Mode.MONEY, DEFAULT_BOOSTS, [])
    assert source.why == ("ghosting risk 0.81 ≥ 0.6 (+3)", "late ATS stage Onsite (+2)", "money mode: category finance (+3)")
    assert source.thread_id == "a"  # no thread: the email is its own thread
    assert source.to_json()["ats"] == {"stage": "Onsite", "company": "Acme", "ghosting_risk": 0.81}


def test_snippet_picks_the_sentence_with_the_question_words():
    body = "Hello there.  We have news!\nYour onsite at Acme is on Friday. Best, Rita."
    assert snippet(body, ["onsite", "friday"]) == "Your onsite at Acme is on Friday."
    assert snippet(body, []) == "Hello there."
    assert snippet("word " * 100, ["x"], limit=20).endswith("…")
    assert snippet("", ["x"]) == ""


def _sources():
    docs = [
        doc("a1", "Onsite at Acme", "Your onsite is Friday.", thread="t-acme", stage="Onsite", risk=0.2, days=3),
        doc("g1", "Globex application", "Thanks for applying.", stage="Applied", risk=0.75, days=30),
        doc("a2", "Re: Onsite at Acme", "Confirmed.", thread="t-acme", stage="Onsite", risk=0.2, days=2),
    ]
    return [to_source(n, d, 1.0, (), Mode.NONE, DEFAULT_BOOSTS, ["onsite"]) for n, d in enumerate(docs, 1)]


def test_extractive_answer_groups_by_thread_and_cites():
    sources = _sources()
    assert [[s.id for s in g] for g in group_by_thread(sources)] == [["a1", "a2"], ["g1"]]
    text = "".join(extractive_answer("onsite?", Mode.NONE, sources, total=7))
    assert text.startswith("7 emails match “onsite?”; the top 3 in 2 threads:")
    assert "1. “Onsite at Acme” from Rita <rita@acme.com>, 2026-02-26 (+1 more in the thread) [1][3]. Stage Onsite at Acme" in text
    assert "2. “Globex application”" in text and "ghosting risk 0.75 (high) — worth a follow-up" in text
    assert "Needs attention: 1 application thread at high ghosting risk [2]." in text
    assert citations_in(text, 3) == [1, 3, 2]


def test_extractive_answer_without_sources_and_in_fallback():
    assert "".join(extractive_answer("zeppelins", Mode.MONEY, [], total=0)) == \
        "No email in your mailbox matches “zeppelins” in money mode.\n"
    text = "".join(extractive_answer("zeppelins", Mode.NONE, _sources(), total=3, fallback=True))
    assert text.startswith("No email matches the words of “zeppelins”; here is the most relevant mail instead")


def test_prompt_numbers_the_sources_and_citations_are_kept():
    sources = _sources()
    messages = chat_messages("when?", Mode.NETWORKING, sources, ["body one", "body two", "body three"])
    assert messages[0]["role"] == "system" and "networking mode" in messages[0]["content"]
    user = messages[1]["content"]
    assert "[2] Subject: Globex application" in user and "ghosting risk 0.75 (high)" in user and "body two" in user
    assert citations_in("see [2] and [9] and [2][1]", 3) == [2, 1]
    assert citation_footer("cites [1]", sources) == ""
    assert citation_footer("no cites", sources).startswith("\n\nSources: [1] Onsite at Acme; [2] Globex")
    assert citation_footer("anything", []) == ""


@pytest.mark.parametrize("risk,word", [(0.0, "low"), (0.3, "medium"), (0.6, "high")])
def test_risk_words(risk, word):
    from applylens_rag.domain.sources import risk_word

    assert risk_word(risk) == word
