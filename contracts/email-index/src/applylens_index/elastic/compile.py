"""EmailQuery → Elasticsearch query DSL (pure: JSON-ready dicts, golden-tested).

Score: ``function_score`` over a bool query, one function ``{"weight": 1}`` for every
document plus ``{"filter": boost, "weight": value}`` per boost, ``score_mode: sum``,
``boost_mode: multiply`` → BM25 × (1 + Σ matched boosts), PostgreSQL's definition.
Without text the bool's ``must`` is ``match_all`` (score 1), as PostgreSQL's text score.

Explain: each boost is also a zero-scoring, named ``should`` clause (``boost:<i>``),
so ``matched_queries`` names the boosts a hit matched.

Differences from PostgreSQL, honestly stated: the contracts mapping uses the standard
analyzer (no English stemming or stop words: "meetups" does not match "meetup" here,
and "the" is searchable); user text goes through ``simple_query_string`` with the
web-search syntax translated (words ANDed, ``"phrase"``, ``or``, ``-word``).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..fields import FIELDS, Kind
from ..query import AnyOf, Clause, EmailQuery, Exists, Not, Range, Sort, Term, TextAny, TextWeights

_OR = re.compile(r"(?i)(?<!\S)or(?!\S)")
_SQS_SPECIAL = re.compile(r"[+|*()~\\]")  # simple_query_string operators websearch syntax does not have


def text_fields(weights: TextWeights) -> list[str]:
    return [f"subject^{weights.subject:g}", f"from^{weights.from_:g}", f"body_text^{weights.body_text:g}"]


def websearch_to_simple(text: str) -> str:
    """PostgreSQL ``websearch_to_tsquery`` syntax → ``simple_query_string`` syntax.

    Keeps ``"phrases"`` and leading ``-`` (negation), turns a standalone ``or`` into
    ``|``, and drops the characters that are operators only in simple_query_string.
    """
    return _OR.sub("|", _SQS_SPECIAL.sub(" ", text)).strip()


def _value(kind: Kind, value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if kind is Kind.DECIMAL or isinstance(value, Decimal):
        return str(value)  # exact; Elasticsearch parses numeric strings
    return value


def clause_dsl(clause: Clause) -> dict[str, Any]:
    """The DSL of one clause (filter context: matches or not, no score)."""
    if isinstance(clause, Term):
        if not clause.case_insensitive:
            return {"terms": {clause.field: list(clause.values)}}
        terms = [{"term": {clause.field: {"value": v, "case_insensitive": True}}} for v in clause.values]
        return terms[0] if len(terms) == 1 else {"bool": {"should": terms, "minimum_should_match": 1}}
    if isinstance(clause, Range):
        kind = FIELDS[clause.field].kind
        return {"range": {clause.field: {name: _value(kind, v) for name, v in clause.bounds()}}}
    if isinstance(clause, Exists):
        return {"exists": {"field": clause.field}}
    if isinstance(clause, TextAny):
        return {"multi_match": {"query": " ".join(clause.words), "fields": ["subject", "from", "body_text"], "operator": "or"}}
    if isinstance(clause, Not):
        return {"bool": {"must_not": [clause_dsl(clause.clause)]}}
    if isinstance(clause, AnyOf):
        return {"bool": {"should": [clause_dsl(c) for c in clause.clauses], "minimum_should_match": 1}}
    raise TypeError(f"not a query clause: {clause!r}")


def text_dsl(query: EmailQuery) -> dict[str, Any]:
    return {
        "simple_query_string": {
            "query": websearch_to_simple(query.text or ""),
            "fields": text_fields(query.text_weights),
            "default_operator": "and",
        }
    }


def _filters(query: EmailQuery) -> list[dict[str, Any]]:
    return [{"term": {"user_id": query.user_id}}, *(clause_dsl(c) for c in query.filters)]


def sort_dsl(sort: Sort) -> list[Any]:
    if sort is Sort.RELEVANCE:
        return [{"_score": "desc"}, {"received_at": "desc"}, {"id": "asc"}]
    return [{"received_at": "asc" if sort is Sort.OLDEST else "desc"}, {"id": "asc"}]


def compile_search(query: EmailQuery) -> dict[str, Any]:
    """Keyword arguments for ``AsyncElasticsearch.search`` (besides index and routing)."""
    bool_query: dict[str, Any] = {
        "must": [text_dsl(query) if query.text is not None else {"match_all": {}}],
        "filter": _filters(query),
    }
    boosts = [clause_dsl(b.when) for b in query.boosts]
    if query.explain and boosts:
        bool_query["should"] = [{"bool": {"filter": [b], "_name": f"boost:{i}"}} for i, b in enumerate(boosts)]
    es_query: dict[str, Any] = {"bool": bool_query}
    if boosts:
        functions = [{"weight": 1}] + [{"filter": b, "weight": q.value} for b, q in zip(boosts, query.boosts)]
        es_query = {
            "function_score": {"query": es_query, "functions": functions, "score_mode": "sum", "boost_mode": "multiply"}
        }
    return {
        "query": es_query,
        "size": query.size,
        "sort": sort_dsl(query.sort),
        "track_total_hits": True,
        "track_scores": True,
    }


def compile_stream(query: EmailQuery) -> dict[str, Any]:
    """Query and sort of a stream (point in time + search_after); everything in filter context."""
    filters = _filters(query)
    if query.text is not None:
        filters.insert(1, text_dsl(query))
    order = "asc" if query.sort is Sort.OLDEST else "desc"
    return {"query": {"bool": {"filter": filters}}, "sort": [{"received_at": order}, {"id": "asc"}]}
