"""EmailQuery → parameterised SQL for the ``emails`` table (pure: no I/O).

Values only ever travel as ``$n`` parameters; column and jsonb key names come from
the whitelist in ``fields.py``. Every clause is wrapped ``coalesce(…, false)`` where
SQL's NULL would otherwise differ from Elasticsearch (``Not`` of a missing field
matches, as ``must_not`` does).

Cost shape of a search (see docs/PERFORMANCE.md):

- every text query is a one-row ``FROM`` item (``websearch_to_tsquery(…) AS q1``), so it is
  parsed and stemmed once per statement, also under a generic plan of a prepared
  statement (where a call in an expression would run again for every row);
- the matches are ranked in a narrow materialised CTE (id, received_at, score): the
  ranking never carries the wide columns (bodies, tsvector) into the count or the sort,
  and ``total`` is a count over that CTE;
- only the top ``size`` rows are joined back for their full columns, and the
  ``b0…bN`` explain flags are evaluated on those rows only;
- the score needs every boost on every match: a boost whose clause is stored per row
  (``flags.py``) costs one shared array lookup, any other boost is evaluated per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..fields import FIELDS, Kind, FieldSpec
from ..query import AnyOf, Boost, Clause, EmailQuery, Exists, Not, Range, Sort, Term, TextAny
from .flags import flag_bit

TS_CONFIG = "'english'::regconfig"
COLUMNS = (
    'e.id, e.user_id, e.thread_id, e.message_id, e."from", e.sender_domain, e.list_id, e."to", '
    "e.subject, e.body_text, e.body_html, e.received_at, e.category, e.labels, e.ats, e.money"
)
_CASTS = {Kind.DATE: "timestamptz", Kind.FLOAT: "float8", Kind.DECIMAL: "numeric", Kind.INTEGER: "int8", Kind.BOOLEAN: "boolean"}
_RANGE_OPS = {"gte": ">=", "gt": ">", "lte": "<=", "lt": "<"}


@dataclass
class Params:
    """Collects parameter values; ``add`` returns the ``$n::type`` placeholder."""

    values: list[Any] = field(default_factory=list)
    tsqueries: list[str] = field(default_factory=list)  # FROM items: "websearch_to_tsquery(…) AS qN"

    def add(self, value: Any, sql_type: str) -> str:
        self.values.append(value)
        return f"${len(self.values)}::{sql_type}"

    def tsquery(self, text: str) -> str:
        """A one-row FROM item parsing ``text`` once per statement; returns its alias ``qN``."""
        alias = f"q{len(self.tsqueries) + 1}"
        self.tsqueries.append(f"websearch_to_tsquery({TS_CONFIG}, {self.add(text, 'text')}) AS {alias}")
        return alias

    def from_items(self, start: int = 0) -> str:
        """``, websearch_to_tsquery(…) AS q1, …`` (those from the ``start``-th on) to append to a FROM list."""
        return "".join(f", {item}" for item in self.tsqueries[start:])


def column(spec: FieldSpec, *, typed: bool = True) -> str:
    """SQL expression of a whitelisted field: ``e."category"`` or ``((e.ats ->> 'ghosting_risk')::float8)``."""
    nested = spec.nested
    if nested is None:
        return f'e."{spec.name}"'
    obj, key = nested
    text = f"(e.{obj} ->> '{key}')"
    cast = _CASTS.get(spec.kind) if typed else None
    return f"({text}::{cast})" if cast else text


def _number(spec: FieldSpec, value: Any) -> tuple[Any, str]:
    if spec.kind is Kind.DATE:
        return value, "timestamptz"
    if spec.kind is Kind.FLOAT:
        return float(value), "float8"
    return Decimal(str(value)), "numeric"  # exact for money, and int8 columns compare as numeric


def _term(clause: Term, params: Params) -> str:
    spec = FIELDS[clause.field]
    expr = column(spec)
    if spec.kind is Kind.BOOLEAN:
        return f"{expr} = ANY({params.add(list(clause.values), 'boolean[]')})"
    values = [str(v).lower() if clause.case_insensitive else str(v) for v in clause.values]
    placeholder = params.add(values, "text[]")
    if spec.kind is Kind.KEYWORD_ARRAY:
        if clause.case_insensitive:
            return f"EXISTS (SELECT 1 FROM unnest({expr}) AS v(x) WHERE lower(v.x) = ANY({placeholder}))"
        return f"{expr} && {placeholder}"
    return f"{'lower(' + expr + ')' if clause.case_insensitive else expr} = ANY({placeholder})"


def _range(clause: Range, params: Params) -> str:
    spec = FIELDS[clause.field]
    expr = column(spec)
    parts = []
    for name, value in clause.bounds():
        converted, sql_type = _number(spec, value)
        parts.append(f"{expr} {_RANGE_OPS[name]} {params.add(converted, sql_type)}")
    return "(" + " AND ".join(parts) + ")"


def _exists(clause: Exists) -> str:
    spec = FIELDS[clause.field]
    if spec.kind is Kind.OBJECT:
        return f"(e.{spec.name} IS NOT NULL AND e.{spec.name} <> '{{}}'::jsonb)"
    if spec.kind is Kind.KEYWORD_ARRAY:
        return f"cardinality({column(spec)}) > 0"
    return f"{column(spec, typed=False)} IS NOT NULL"


def text_any_query(words: tuple[str, ...]) -> str:
    """``("event", "meetup")`` → ``"event or meetup"`` in websearch syntax (words are pre-validated)."""
    return " or ".join(words)


def clause_sql(clause: Clause, params: Params) -> str:
    """SQL boolean expression of one clause (may be NULL where a field is missing, except under Not)."""
    if isinstance(clause, Term):
        return _term(clause, params)
    if isinstance(clause, Range):
        return _range(clause, params)
    if isinstance(clause, Exists):
        return _exists(clause)
    if isinstance(clause, TextAny):
        return f"e.tsv @@ {params.tsquery(text_any_query(clause.words))}"
    if isinstance(clause, Not):
        return f"NOT coalesce(({clause_sql(clause.clause, params)}), false)"
    if isinstance(clause, AnyOf):
        return "(" + " OR ".join(f"coalesce(({clause_sql(c, params)}), false)" for c in clause.clauses) + ")"
    raise TypeError(f"not a query clause: {clause!r}")


def rank_weights(query: EmailQuery) -> list[float]:
    """ts_rank weights {D, C, B, A} = {–, body, from, subject}, scaled so the largest is 1 (PostgreSQL's limit)."""
    w = query.text_weights
    top = max(w.subject, w.from_, w.body_text)
    return [0.1 * w.body_text / top, w.body_text / top, w.from_ / top, w.subject / top]


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: list[Any]


def _where(query: EmailQuery, params: Params) -> tuple[list[str], str | None]:
    where = [f"e.user_id = {params.add(query.user_id, 'text')}"]
    tsquery = None
    if query.text is not None:
        tsquery = params.tsquery(query.text)
        where.append(f"e.tsv @@ {tsquery}")
    where.extend(f"({clause_sql(c, params)})" for c in query.filters)
    return where, tsquery


def _order(sort: Sort, row: str = "e", score: str = "score") -> str:
    if sort is Sort.OLDEST:
        return f"{row}.received_at ASC, {row}.id ASC"
    if sort is Sort.NEWEST:
        return f"{row}.received_at DESC, {row}.id ASC"
    return f"{score} DESC, {row}.received_at DESC, {row}.id ASC"


def _factor(boosts: Sequence[Boost], bits: Sequence[int | None], params: Params) -> str:
    """``1 + Σ`` the stored-flag boosts a row matches, as one lookup: ``table[(flags & mask) + 1]``.

    ``table[c]`` is 1 plus the values of the boosts whose bit is set in ``c``.
    """
    stored = [(bit, b.value) for b, bit in zip(boosts, bits) if bit is not None]
    if not stored:
        return "1.0"
    mask = 0
    for bit, _ in stored:
        mask |= bit
    table = [1.0 + sum(value for bit, value in stored if c & bit) for c in range(mask + 1)]
    return f"({params.add(table, 'float8[]')})[(e.flags & {mask}) + 1]"


def compile_search(query: EmailQuery) -> Compiled:
    """One statement: the page of hits with ``score``, ``total`` (every match) and ``b0…bN`` (boost matched).

    ``m`` ranks every match on narrow rows; the page is its top ``size``, joined back to
    ``emails`` for the full columns (and, with ``explain``, the boost flags).
    """
    params = Params()
    where, tsquery = _where(query, params)
    text_score = "1.0::float8"
    if tsquery is not None:
        text_score = f"ts_rank({params.add(rank_weights(query), 'float4[]')}, e.tsv, {tsquery})::float8"
    boost_tsqueries = len(params.tsqueries)
    bits = [flag_bit(b.when) for b in query.boosts]
    matched = [
        f"(e.flags & {bit} <> 0)" if bit is not None else f"coalesce(({clause_sql(b.when, params)}), false)"
        for b, bit in zip(query.boosts, bits)
    ]
    score = text_score
    if query.boosts:
        score = f"{text_score} * ({_factor(query.boosts, bits, params)}"
        score += "".join(
            f" + CASE WHEN {m} THEN {params.add(b.value, 'float8')} ELSE 0 END"
            for m, b, bit in zip(matched, query.boosts, bits) if bit is None
        ) + ")"
    ranked = (
        f"SELECT e.id, e.received_at, {score} AS score "
        f"FROM emails e{params.from_items()} WHERE {' AND '.join(where)}"
    )
    # The page: the same ORDER BY as a stream's, over the ranked rows (aliased ``e`` for it).
    page = f"SELECT e.id, e.received_at, e.score FROM m e ORDER BY {_order(query.sort)} LIMIT {params.add(query.size, 'int4')}"
    flags, flag_froms = "", ""
    if query.explain and matched:
        # Same expressions and parameters as in the score; the boosts' tsqueries are FROM items again here.
        flags = "".join(f", {m} AS b{i}" for i, m in enumerate(matched))
        flag_froms = params.from_items(boost_tsqueries)
    sql = (
        f"WITH m AS MATERIALIZED ({ranked}) "
        f"SELECT {COLUMNS}, h.score, (SELECT count(*) FROM m) AS total{flags} "
        f"FROM ({page}) h JOIN emails e ON {where[0]} AND e.id = h.id{flag_froms} "
        f"ORDER BY {_order(query.sort, 'h', 'h.score')}"
    )
    return Compiled(sql, params.values)


def compile_stream(query: EmailQuery, batch_size: int, after: tuple[datetime, str] | None) -> Compiled:
    """One keyset page: matches after ``after`` = (received_at, id) of the previous page's last row."""
    params = Params()
    where, _ = _where(query, params)
    ascending = query.sort is Sort.OLDEST
    if after is not None:
        at, doc_id = params.add(after[0], "timestamptz"), params.add(after[1], "text")
        op = ">" if ascending else "<"
        # The redundant bound lets the (user_id, received_at, id) index seek to the page instead of
        # re-reading every earlier row and filtering it out.
        where.append(f"e.received_at {op}= {at}")
        where.append(f"(e.received_at {op} {at} OR (e.received_at = {at} AND e.id > {doc_id}))")
    order = "e.received_at ASC, e.id ASC" if ascending else "e.received_at DESC, e.id ASC"
    sql = (
        f"SELECT {COLUMNS} FROM emails e{params.from_items()} WHERE {' AND '.join(where)} "
        f"ORDER BY {order} LIMIT {params.add(batch_size, 'int4')}"
    )
    return Compiled(sql, params.values)
