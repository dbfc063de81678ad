"""The PostgreSQL compiler puts every value in a parameter and every field name through the whitelist (pure)."""

from __future__ import annotations

import re
from decimal import Decimal

from applylens_index import AnyOf, Boost, EmailQuery, Not, Range, TextAny, TextWeights, categories, terms
from applylens_index.postgres.compile import compile_search, compile_stream, rank_weights

EVIL = "x'); DROP TABLE emails; --"


def test_values_never_reach_the_sql_text() -> None:
    query = EmailQuery(
        user_id=EVIL, text=EVIL,
        filters=[categories(EVIL), terms("labels", EVIL, case_insensitive=True),
                 Not(clause=AnyOf(clauses=(terms("money.currency", EVIL), Range(field="money.amount", lt=Decimal("9.99")))))],
        boosts=[Boost(when=TextAny(words=("event",)), value=2.5)],
        explain=True,
    )
    compiled = compile_search(query)
    assert "DROP" not in compiled.sql and "9.99" not in compiled.sql and "2.5" not in compiled.sql
    assert compiled.params.count(EVIL) == 2  # user_id and text
    assert [EVIL] in compiled.params and [EVIL.lower()] in compiled.params
    assert Decimal("9.99") in compiled.params and "event" in compiled.params
    used = {int(n) for n in re.findall(r"\$(\d+)", compiled.sql)}
    assert used == set(range(1, len(compiled.params) + 1))  # every value a parameter, every parameter used


def test_boost_score_and_explain_columns() -> None:
    sql = compile_search(EmailQuery(user_id="a", boosts=[Boost(when=categories("promo"), value=1)], explain=True)).sql
    assert "1.0::float8 * (1.0 + CASE WHEN coalesce((e.\"category\" = ANY($2::text[])), false) THEN $3::float8" in sql
    assert "AS b0" in sql and "ORDER BY score DESC, e.received_at DESC, e.id ASC" in sql


def test_stored_flag_boosts_score_by_one_lookup() -> None:
    """Boosts stored in emails.flags (event: bit 4, finance: bit 8) share one table; others stay per row."""
    query = EmailQuery(user_id="a", explain=True, boosts=[
        Boost(when=categories("event"), value=3), Boost(when=categories("promo"), value=1),
        Boost(when=categories("finance"), value=0.5)])
    compiled = compile_search(query)
    table = [1.0, 1.0, 1.0, 1.0, 4.0, 4.0, 4.0, 4.0, 1.5, 1.5, 1.5, 1.5, 4.5]
    assert table in compiled.params
    n = compiled.params.index(table) + 1
    assert f"1.0::float8 * ((${n}::float8[])[(e.flags & 12) + 1] + CASE WHEN coalesce((e.\"category\"" in compiled.sql
    assert "(e.flags & 4 <> 0) AS b0" in compiled.sql and "(e.flags & 8 <> 0) AS b2" in compiled.sql


def test_stream_is_keyset_paginated() -> None:
    from datetime import datetime, timezone

    after = (datetime(2026, 1, 1, tzinfo=timezone.utc), "id9")
    compiled = compile_stream(EmailQuery(user_id="a"), 100, after)
    assert "(e.received_at < $2::timestamptz OR (e.received_at = $2::timestamptz AND e.id > $3::text))" in compiled.sql
    assert compiled.params == ["a", after[0], "id9", 100] and "OFFSET" not in compiled.sql


def test_rank_weights_fit_postgres_limits() -> None:
    assert rank_weights(EmailQuery(user_id="a")) == [0.1 * 0.2, 0.2, 0.4, 1.0]
    heavy = EmailQuery(user_id="a", text_weights=TextWeights(subject=4, **{"from": 2}, body_text=1))
    assert rank_weights(heavy) == [0.025, 0.25, 0.5, 1.0]


def test_search_ranks_narrow_rows_and_parses_each_text_once() -> None:
    query = EmailQuery(user_id="a", text="onsite interview", filters=[TextAny(words=("acme",))],
                       boosts=[Boost(when=TextAny(words=("event",)), value=1), Boost(when=categories("event"), value=2)],
                       explain=True)
    sql = compile_search(query).sql
    # each text is a one-row FROM item, parsed once per statement (also under a generic plan)
    assert sql.count("websearch_to_tsquery") == 3 + 1  # text, filter, boost in the CTE; the boost again for explain
    assert "@@ websearch_to_tsquery" not in sql and "e.tsv @@ q1" in sql
    ranked = sql[: sql.index(") SELECT")]
    assert ranked.startswith("WITH m AS MATERIALIZED (SELECT e.id, e.received_at, ")
    assert "body_text" not in ranked and "count(" not in ranked  # only id, received_at, score are carried
    assert "(SELECT count(*) FROM m) AS total" in sql and "AS b0" in sql and "AS b1" in sql
    quiet = compile_search(query.model_copy(update={"explain": False})).sql
    assert "AS b0" not in quiet and quiet.count("websearch_to_tsquery") == 3


def test_stream_text_filters_are_from_items() -> None:
    compiled = compile_stream(EmailQuery(user_id="a", filters=[TextAny(words=("acme",))]), 10, None)
    assert "FROM emails e, websearch_to_tsquery('english'::regconfig, $2::text) AS q1 WHERE" in compiled.sql
    assert compiled.params == ["a", "acme", 10]
