"""Duplicate charges: every pair in the window, re-sent receipts excluded."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import combinations

import pytest

from applylens_money.domain import Receipt, find_duplicates

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def r(id, days, merchant="netflix.com", amount="15.49", currency="USD", order_id=None, message_id=None):
    return Receipt(
        id=id,
        subject=f"Receipt {id}",
        date=T0 + timedelta(days=days),
        merchant=merchant,
        amount=Decimal(amount) if amount is not None else None,
        currency=currency,
        order_id=order_id,
        message_id=message_id,
    )


def ids(pairs):
    return [(p.earlier.id, p.later.id) for p in pairs]


def test_three_charges_in_window_give_three_pairs():
    pairs = find_duplicates([r("c", 5), r("a", 0), r("b", 2)], window_days=7)
    assert ids(pairs) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert [p.days_apart for p in pairs] == [2, 5, 3]


def test_shape_matches_spec():
    (pair,) = find_duplicates([r("a", 0), r("b", 1)], window_days=7)
    assert pair.to_dict() == {
        "merchant": "netflix.com",
        "amount": Decimal("15.49"),
        "currency": "USD",
        "earlier": {"id": "a", "subject": "Receipt a", "date": "2026-03-01"},
        "later": {"id": "b", "subject": "Receipt b", "date": "2026-03-02"},
        "days_apart": 1,
    }


def test_resent_receipt_same_order_is_not_a_duplicate():
    assert find_duplicates([r("a", 0, order_id="112-1"), r("b", 1, order_id=" 112-1 ")]) == []


def test_resent_receipt_same_message_id_is_not_a_duplicate():
    assert find_duplicates([r("a", 0, message_id="<x@m>"), r("b", 0, message_id="<X@M>")]) == []


def test_resent_copy_does_not_double_report_a_real_duplicate():
    pairs = find_duplicates([r("a", 0, order_id="1"), r("a2", 1, order_id="1"), r("c", 2, order_id="2")])
    assert ids(pairs) == [("a", "c")]


def test_outside_window_excluded_and_boundary_included():
    assert ids(find_duplicates([r("a", 0), r("b", 7)], window_days=7)) == [("a", "b")]
    assert find_duplicates([r("a", 0), r("b", 8)], window_days=7) == []
    assert find_duplicates([r("a", 0), r("b", 1)], window_days=0) == []
    assert ids(find_duplicates([r("a", 0), r("b", 0)], window_days=0)) == [("a", "b")]


def test_different_currency_amount_or_merchant_not_paired():
    receipts = [r("a", 0), r("b", 1, currency="CAD"), r("c", 1, amount="15.50"), r("d", 1, merchant="hulu.com")]
    assert find_duplicates(receipts) == []


def test_amounts_compare_as_numbers_and_refunds_or_missing_are_ignored():
    assert ids(find_duplicates([r("a", 0, amount="5.0"), r("b", 1, amount="5.00")])) == [("a", "b")]
    assert find_duplicates([r("a", 0, amount="-5.00"), r("b", 1, amount="-5.00")]) == []
    assert find_duplicates([r("a", 0, amount=None), r("b", 1, amount=None)]) == []
    assert find_duplicates([r("a", 0, merchant=None), r("b", 1, merchant=None)]) == []


def test_negative_window_rejected_and_empty_input():
    with pytest.raises(ValueError, match="window_days"):
        find_duplicates([], window_days=-1)
    assert find_duplicates([]) == []


def test_sliding_window_equals_brute_force():
    rng = random.Random(7)
    receipts = [
        r(
            f"m{i}",
            rng.randint(0, 60),
            merchant=rng.choice(["a.com", "b.com"]),
            amount=rng.choice(["9.99", "20.00"]),
            order_id=rng.choice([None, None, "o1", "o2"]),
        )
        for i in range(120)
    ]
    got = {(p.earlier.id, p.later.id) for p in find_duplicates(receipts, window_days=5)}

    kept, seen = [], set()
    for x in sorted(receipts, key=lambda x: (x.date, x.id)):
        group = (x.merchant, x.amount, x.currency)
        keys = {(group, "id", x.id)} | ({(group, "order", x.order_id)} if x.order_id else set())
        if not keys & seen:
            kept.append(x)
        seen |= keys
    want = {
        (a.id, b.id)
        for a, b in combinations(kept, 2)
        if (a.merchant, a.amount, a.currency) == (b.merchant, b.amount, b.currency) and abs((b.day - a.day).days) <= 5
    }
    assert got == want and len(want) > 50
