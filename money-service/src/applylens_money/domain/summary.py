"""Spending summary, built one receipt at a time (constant memory in the number of
receipts: state grows only with distinct currencies × merchants/months).

The currency rule — different currencies are never added together:

* ``currency`` is the user's main currency: the currency with the most receipts that
  have an amount (ties: the larger absolute total, then the alphabetically first
  code). None when no receipt has an amount.
* ``total_amount``, ``avg_amount``, ``by_merchant`` and ``by_month`` count only
  receipts in the main currency. ``by_currency`` lists every currency's total, so
  money in other currencies is shown, never converted or silently summed.
* ``count`` is every receipt fed in (with or without an amount); ``avg_amount`` is
  ``total_amount`` divided by the number of main-currency receipts with an amount,
  rounded half-even to the currency's minor units (USD 2, JPY 0); None when there is
  none.
* Refunds are negative amounts, so totals are net spending.
* Months are ``"YYYY-MM"`` of the received date in UTC.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from .currency import minor_units
from .receipts import Receipt

UNKNOWN_MERCHANT = "(unknown)"


class SummaryAccumulator:
    """Feed receipts with :meth:`add`; read the summary with :meth:`result`."""

    def __init__(self) -> None:
        self.count = 0
        self._counts: Counter[str] = Counter()
        self._totals: defaultdict[str, Decimal] = defaultdict(Decimal)
        self._by_merchant: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self._by_month: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)

    def add(self, receipt: Receipt) -> None:
        """Count one receipt; its amount only when it has both amount and currency."""
        self.count += 1
        if receipt.amount is None or not receipt.currency:
            return
        cur = receipt.currency
        self._counts[cur] += 1
        self._totals[cur] += receipt.amount
        self._by_merchant[(cur, receipt.merchant or UNKNOWN_MERCHANT)] += receipt.amount
        self._by_month[(cur, receipt.day.strftime("%Y-%m"))] += receipt.amount

    def add_group(
        self,
        *,
        receipts: int,
        currency: str | None = None,
        merchant: str | None = None,
        month: str | None = None,
        with_amount: int = 0,
        total: Decimal | None = None,
    ) -> None:
        """Count ``receipts`` pre-aggregated receipts (e.g. one SQL ``GROUP BY`` row).

        ``with_amount`` of them have an amount, summing to ``total``, all in ``currency``,
        from ``merchant`` in ``month`` ("YYYY-MM", UTC). Same result as :meth:`add` on each
        receipt of the group, so the currency rule stays in this one class.
        """
        self.count += receipts
        if not with_amount or not currency or total is None or month is None:
            return
        self._counts[currency] += with_amount
        self._totals[currency] += total
        self._by_merchant[(currency, merchant or UNKNOWN_MERCHANT)] += total
        self._by_month[(currency, month)] += total

    def main_currency(self) -> str | None:
        """The currency with most receipts (ties: larger |total|, then code order)."""
        if not self._counts:
            return None
        return min(self._counts, key=lambda c: (-self._counts[c], -abs(self._totals[c]), c))

    def result(self) -> dict[str, Any]:
        """``{total_amount, currency, count, avg_amount, by_merchant, by_month, by_currency}``.

        Amounts are Decimals; ``by_*`` are dicts sorted by key (by_merchant by total,
        descending). Empty input: totals 0, avg None, currency None, empty dicts.
        """
        main = self.main_currency()
        total = self._totals.get(main, Decimal(0)) if main else Decimal(0)
        n = self._counts.get(main, 0) if main else 0
        avg = None
        if n:
            step = Decimal(1).scaleb(-minor_units(main))
            avg = (total / n).quantize(step, rounding=ROUND_HALF_EVEN)
        by_merchant = {m: v for (c, m), v in self._by_merchant.items() if c == main}
        return {
            "total_amount": total,
            "currency": main,
            "count": self.count,
            "avg_amount": avg,
            "by_merchant": dict(sorted(by_merchant.items(), key=lambda kv: (-kv[1], kv[0]))),
            "by_month": dict(sorted((m, v) for (c, m), v in self._by_month.items() if c == main)),
            "by_currency": dict(sorted(self._totals.items())),
        }


def summarise(receipts: Iterable[Receipt]) -> dict[str, Any]:
    """Convenience: feed an iterable (consumed lazily) and return the summary."""
    acc = SummaryAccumulator()
    for receipt in receipts:
        acc.add(receipt)
    return acc.result()
