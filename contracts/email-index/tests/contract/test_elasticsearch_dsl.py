"""Golden tests of the Elasticsearch DSL the query model compiles to (pure, no cluster)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from applylens_index import AnyOf, Boost, EmailQuery, Exists, Not, Range, Sort, TextAny, at_least, categories, terms
from applylens_index.elastic.compile import compile_search, compile_stream, websearch_to_simple

UTC = timezone.utc


def test_rag_query_with_boosts_and_explain() -> None:
    query = EmailQuery(
        user_id="alice@example.com",
        text="interview next week",
        filters=[Range(field="received_at", gte=datetime(2026, 1, 1, tzinfo=UTC))],
        boosts=[
            Boost(when=at_least("ats.ghosting_risk", 0.6), value=1.0, name="ghosting risk"),
            Boost(when=terms("ats.stage", "Onsite", "Offer", case_insensitive=True), value=0.5),
            Boost(when=TextAny(words=("event", "meetup")), value=0.25),
        ],
        size=5,
        explain=True,
    )
    risk = {"range": {"ats.ghosting_risk": {"gte": 0.6}}}
    stage = {"bool": {"should": [{"term": {"ats.stage": {"value": "Onsite", "case_insensitive": True}}},
                                 {"term": {"ats.stage": {"value": "Offer", "case_insensitive": True}}}],
                      "minimum_should_match": 1}}
    words = {"multi_match": {"query": "event meetup", "fields": ["subject", "from", "body_text"], "operator": "or"}}
    assert compile_search(query) == {
        "query": {"function_score": {
            "query": {"bool": {
                "must": [{"simple_query_string": {"query": "interview next week",
                                                  "fields": ["subject^1", "from^0.4", "body_text^0.2"],
                                                  "default_operator": "and"}}],
                "filter": [{"term": {"user_id": "alice@example.com"}},
                           {"range": {"received_at": {"gte": "2026-01-01T00:00:00+00:00"}}}],
                "should": [{"bool": {"filter": [risk], "_name": "boost:0"}},
                           {"bool": {"filter": [stage], "_name": "boost:1"}},
                           {"bool": {"filter": [words], "_name": "boost:2"}}],
            }},
            "functions": [{"weight": 1}, {"filter": risk, "weight": 1.0}, {"filter": stage, "weight": 0.5},
                          {"filter": words, "weight": 0.25}],
            "score_mode": "sum",
            "boost_mode": "multiply",
        }},
        "size": 5,
        "sort": [{"_score": "desc"}, {"received_at": "desc"}, {"id": "asc"}],
        "track_total_hits": True,
        "track_scores": True,
    }


def test_money_filters_without_text_or_boosts() -> None:
    query = EmailQuery(
        user_id="bob@example.com",
        filters=[terms("money.is_receipt", True), Range(field="money.amount", gt=Decimal("10.00"), lte=500),
                 Exists(field="money.merchant"), Not(clause=categories("promo")),
                 AnyOf(clauses=(terms("money.currency", "EUR"), terms("labels", "Receipts")))],
        sort=Sort.NEWEST,
    )
    assert compile_search(query)["query"] == {"bool": {
        "must": [{"match_all": {}}],
        "filter": [
            {"term": {"user_id": "bob@example.com"}},
            {"terms": {"money.is_receipt": [True]}},
            {"range": {"money.amount": {"gt": "10.00", "lte": "500"}}},
            {"exists": {"field": "money.merchant"}},
            {"bool": {"must_not": [{"terms": {"category": ["promo"]}}]}},
            {"bool": {"should": [{"terms": {"money.currency": ["EUR"]}}, {"terms": {"labels": ["Receipts"]}}],
                      "minimum_should_match": 1}},
        ],
    }}
    assert compile_search(query)["sort"] == [{"received_at": "desc"}, {"id": "asc"}]


def test_stream_sorts_by_date_then_id_in_filter_context() -> None:
    body = compile_stream(EmailQuery(user_id="a", text="digest", sort=Sort.OLDEST,
                                     boosts=[Boost(when=categories("x"), value=1)]))
    assert body == {
        "query": {"bool": {"filter": [
            {"term": {"user_id": "a"}},
            {"simple_query_string": {"query": "digest", "fields": ["subject^1", "from^0.4", "body_text^0.2"],
                                     "default_operator": "and"}},
        ]}},
        "sort": [{"received_at": "asc"}, {"id": "asc"}],
    }


def test_websearch_syntax_is_translated() -> None:
    assert websearch_to_simple('"onsite interview" or offer -rejected') == '"onsite interview" | offer -rejected'
    assert websearch_to_simple("c++ (beta)* ~fuzzy or") == "c    beta    fuzzy |"
    assert websearch_to_simple("orange order") == "orange order"
