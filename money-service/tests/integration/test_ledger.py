"""The materialised summary stays equal to a from-scratch aggregate through any sequence of writes."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from applylens_money.adapters.ledger import LedgerRow, PostgresLedger
from applylens_money.bootstrap import runtime
from applylens_money.service_layer.queries import summary
from applylens_money.settings import MoneySettings
from applylens_index.postgres import PostgresEmailIndex

pytestmark = pytest.mark.integration

USER = "ledger@example.com"
T0 = datetime(2026, 1, 31, 20, tzinfo=timezone.utc)

# Reference: every receipt, re-sends (same merchant, currency, amount, order; not the earliest) dropped.
_REFERENCE = """
WITH ranked AS (
    SELECT *, CASE WHEN order_id IS NULL OR btrim(order_id) = '' OR merchant IS NULL OR currency IS NULL
                        OR amount IS NULL THEN 1
                   ELSE row_number() OVER (PARTITION BY merchant, currency, amount, lower(btrim(order_id))
                                           ORDER BY received_at, email_id) END AS nth
    FROM money_receipts WHERE user_id = $1
)
SELECT coalesce(currency, '') c, coalesce(merchant, '') m, month, count(*) n,
       count(*) FILTER (WHERE amount IS NOT NULL AND currency IS NOT NULL AND currency <> '') a,
       sum(amount) FILTER (WHERE currency IS NOT NULL AND currency <> '') t
FROM ranked WHERE nth = 1 GROUP BY 1, 2, 3
"""


def row(email_id: str, hours: float, merchant="shop.com", amount="10.00", currency="USD", order="A1") -> LedgerRow:
    return LedgerRow(USER, email_id, T0 + timedelta(hours=hours), "s", "finance", None, merchant,
                     Decimal(amount) if amount else None, currency, order, 1)


async def check(ledger: PostgresLedger) -> None:
    async with ledger.pool.acquire() as conn:
        expected = {(r["c"], r["m"], r["month"]): (r["n"], r["a"], r["t"]) for r in await conn.fetch(_REFERENCE, USER)}
    got = {((g.currency or ""), (g.merchant or ""), g.month): (g.receipts, g.with_amount, g.total)
           for g in await ledger.summary_groups(USER)}
    assert got == expected


async def test_summary_table_tracks_every_write(database_url: str, jwt_secret: str):
    settings = MoneySettings(database_url=database_url, jwt_secret=jwt_secret)
    index = await PostgresEmailIndex.connect(database_url)
    await index.ensure()
    async with runtime(settings, index=index) as rt:
        ledger = rt.ledger
        await ledger.replace(USER, [row("b", 10), row("c", 1, order=None), row("d", 2, currency=None, amount=None)], [])
        await check(ledger)
        # the original arrives after its re-send, in an earlier month: the re-send moves out of the sum
        await ledger.replace(USER, [row("a", -30)], [])
        await check(ledger)
        s = await summary(ledger, USER)
        assert s["by_month"] == {"2026-01": "20.00"} and s["count"] == 3  # a + c counted, b is a re-send; d no amount
        # the original is re-extracted as a non-receipt: b counts again, in February
        await ledger.replace(USER, [], ["a"])
        await check(ledger)
        assert (await summary(ledger, USER))["by_month"] == {"2026-01": "10.00", "2026-02": "10.00"}
        # random churn
        rng = random.Random(5)
        for _ in range(30):
            batch = [row(f"r{rng.randint(0, 40)}", rng.uniform(-900, 900), merchant=rng.choice(["x.com", "y.com", None]),
                         amount=rng.choice(["1.00", "2.50", "-2.50", None]), currency=rng.choice(["USD", "EUR", None]),
                         order=rng.choice(["O1", "o1 ", "O2", None])) for _ in range(rng.randint(0, 6))]
            batch = list({r.email_id: r for r in batch}.values())
            gone = [f"r{rng.randint(0, 40)}" for _ in range(rng.randint(0, 3))]
            gone = [g for g in gone if g not in {r.email_id for r in batch}]
            await ledger.replace(USER, batch, gone)
            await check(ledger)
    await index.close()
