"""Summary: main-currency totals, every currency listed, never summed across currencies."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from applylens_money.domain import Receipt, SummaryAccumulator, summarise


def r(amount, currency="USD", merchant="amazon.com", month=1, day=5):
    return Receipt(
        id=f"{merchant}-{amount}-{month}",
        subject="s",
        date=datetime(2026, month, day, tzinfo=timezone.utc),
        merchant=merchant,
        amount=Decimal(amount) if amount is not None else None,
        currency=currency,
    )


def test_main_currency_totals_and_other_currencies_listed():
    s = summarise([r("10.00"), r("20.00", merchant="uber.com", month=2), r("5.00"), r("100.00", "EUR"), r(None, None)])
    assert s["currency"] == "USD"
    assert s["total_amount"] == Decimal("35.00")  # EUR 100 is not added to dollars
    assert s["count"] == 5
    assert s["avg_amount"] == Decimal("11.67")  # 35 / 3 USD receipts with an amount
    assert s["by_merchant"] == {"uber.com": Decimal("20.00"), "amazon.com": Decimal("15.00")}
    assert s["by_month"] == {"2026-01": Decimal("15.00"), "2026-02": Decimal("20.00")}
    assert s["by_currency"] == {"EUR": Decimal("100.00"), "USD": Decimal("35.00")}


def test_main_currency_is_most_receipts_not_largest_sum():
    s = summarise([r("1000", "EUR"), r("1", "GBP"), r("2", "GBP")])
    assert s["currency"] == "GBP" and s["total_amount"] == Decimal("3")


def test_tie_breaks_by_total_then_code():
    assert summarise([r("5", "EUR"), r("7", "GBP")])["currency"] == "GBP"
    assert summarise([r("5", "GBP"), r("5", "EUR")])["currency"] == "EUR"


def test_refunds_net_out_and_jpy_average_has_no_decimals():
    assert summarise([r("50.00"), r("-20.00")])["total_amount"] == Decimal("30.00")
    s = summarise([r("1000", "JPY"), r("1001", "JPY")])
    assert s["avg_amount"] == Decimal("1000")  # 1000.5 rounded half-even to yen


def test_empty_and_amountless():
    s = SummaryAccumulator().result()
    assert s == {
        "total_amount": Decimal(0),
        "currency": None,
        "count": 0,
        "avg_amount": None,
        "by_merchant": {},
        "by_month": {},
        "by_currency": {},
    }
    s = summarise([r(None, None), r(None, None)])
    assert s["count"] == 2 and s["avg_amount"] is None and s["total_amount"] == 0


def test_accumulator_consumes_a_generator_one_at_a_time():
    fed = []

    def stream():
        for i in range(1000):
            fed.append(i)
            yield r("1.00", day=1 + i % 28)

    acc = SummaryAccumulator()
    for receipt in stream():
        acc.add(receipt)
    assert acc.result()["total_amount"] == Decimal("1000.00") and len(fed) == 1000


def test_add_group_gives_the_same_result_as_adding_each_receipt():
    """The SQL read model feeds GROUP BY rows; the result must equal feeding receipts one by one."""
    import random
    from collections import defaultdict

    rng = random.Random(3)
    receipts = [
        r(
            rng.choice([None, "9.99", "10.00", "-4.50", "120.00", "3"]),
            rng.choice(["USD", "EUR", "GBP", None]),
            rng.choice(["amazon.com", "uber.com", None]),
            month=rng.randint(1, 4),
        )
        for _ in range(300)
    ]
    groups: dict = defaultdict(lambda: [0, 0, Decimal(0)])
    for x in receipts:
        g = groups[(x.currency, x.merchant, x.day.strftime("%Y-%m"))]
        g[0] += 1
        if x.amount is not None and x.currency:
            g[1] += 1
            g[2] += x.amount
    acc = SummaryAccumulator()
    for (currency, merchant, month), (n, with_amount, total) in groups.items():
        acc.add_group(receipts=n, currency=currency, merchant=merchant, month=month, with_amount=with_amount,
                      total=total if with_amount else None)
    assert acc.result() == summarise(receipts)
