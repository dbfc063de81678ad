"""The query model refuses what no engine could answer, naming the field and the value (pure)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from applylens_index import Boost, EmailQuery, Exists, Range, Term, TextAny, at_least, terms
from applylens_index.contract import merge_partials
from applylens_index.fields import FIELDS, Kind


def test_user_id_is_required_and_not_a_filter() -> None:
    with pytest.raises(ValueError, match="user_id"):
        EmailQuery()  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="user_id"):
        EmailQuery(user_id="")
    with pytest.raises(ValueError, match="unknown field 'user_id'"):
        terms("user_id", "mallory@example.com")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: terms("ats.stagee", "Onsite"), "unknown field 'ats.stagee'"),
        (lambda: terms("received_at", "2026"), "'received_at' \\(date\\) cannot be used in a term filter"),
        (lambda: terms("money.is_receipt", "yes"), "needs bool values, got 'yes'"),
        (lambda: terms("category", True), "needs str values, got True"),
        (lambda: Term(field="category", values=()), "at least 1"),
        (lambda: Range(field="category", gte=1), "'category' \\(keyword\\) cannot be used in a range"),
        (lambda: Range(field="ats.ghosting_risk"), "at least one of gte"),
        (lambda: Range(field="received_at", gte=datetime(2026, 1, 1)), "timezone-aware datetime"),
        (lambda: Range(field="money.amount", gte=datetime(2026, 1, 1, tzinfo=timezone.utc)), "needs a number"),
        (lambda: Exists(field="nope"), "unknown field 'nope'"),
        (lambda: TextAny(words=("event", "drop table")), "letters and digits only, got 'drop table'"),
        (lambda: Boost(when=at_least("ats.ghosting_risk", 0.6), value=0), "greater than 0"),
        (lambda: EmailQuery(user_id="a", size=0), "size"),
        (lambda: EmailQuery(user_id="a", size=5000), "size"),
        (lambda: EmailQuery(user_id="a", sort="random"), "sort"),
    ],
)
def test_bad_input_is_a_clear_value_error(build, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_blank_text_means_every_document() -> None:
    assert EmailQuery(user_id="a", text="   ").text is None


def test_queries_round_trip_as_json() -> None:
    query = EmailQuery(
        user_id="a@example.com", text="interview",
        filters=[Range(field="received_at", gte=datetime(2026, 1, 1, tzinfo=timezone.utc))],
        boosts=[Boost(when=terms("ats.stage", "Onsite", "Offer", case_insensitive=True), value=1.5, name="late stage")],
    )
    assert EmailQuery.model_validate_json(query.model_dump_json()) == query


def test_labels_describe_the_clause() -> None:
    assert Boost(when=at_least("ats.ghosting_risk", 0.6), value=1).label == "ats.ghosting_risk >= 0.6"
    assert Boost(when=TextAny(words=("Event", "meetup")), value=1).label == "mentions event or meetup"
    assert Boost(when=terms("category", "event"), value=1, name="events").label == "events"


def test_field_catalog_follows_the_contracts_mapping() -> None:
    assert FIELDS["labels"].kind is Kind.KEYWORD_ARRAY
    assert FIELDS["money.amount"].kind is Kind.DECIMAL
    assert FIELDS["ats.ghosting_risk"].kind is Kind.FLOAT
    assert "body_html" not in FIELDS and "user_id" not in FIELDS


def test_partial_updates_are_validated_and_merged() -> None:
    merged = merge_partials([
        ("a", {"ats": {"stage": "Onsite"}}),
        ("b", {"money": {"amount": "12.50", "currency": "USD"}}),
        ("a", {"ats": {"ghosting_risk": 0.5, "stage": "Offer"}}),
    ])
    assert merged == {
        "a": {"ats": {"stage": "Offer", "ghosting_risk": 0.5}},
        "b": {"money": {"amount": "12.50", "currency": "USD"}},
    }
    with pytest.raises(ValueError, match="'a'.*only 'ats' and 'money'"):
        merge_partials([("a", {"labels": {"x": 1}})])
    with pytest.raises(ValueError, match="empty"):
        merge_partials([("a", {})])
