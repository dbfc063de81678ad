"""Read use cases: the CSV export, duplicate charges, the spending summary.

Amounts in JSON answers are **strings** (``"1234.56"``, ``"-12.50"`` for a refund):
exact decimals, no binary-float rounding, in the currency's own notation. Every
amount travels with its ISO 4217 currency.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from ..adapters.index import IndexReceipts, ReceiptFilter, receipt_of
from ..adapters.ledger import PostgresLedger
from ..domain import COLUMNS, Receipt, SummaryAccumulator, csv_row, find_duplicates, format_amount
from ..metrics import CSV_ROWS

CSV_CHUNK_CHARS = 64 * 1024


def receipts_from_index(index: IndexReceipts, user_id: str, where: ReceiptFilter) -> AsyncIterator[Receipt]:
    async def gen() -> AsyncIterator[Receipt]:
        async for doc in index.receipts(user_id, where):
            yield receipt_of(doc)

    return gen()


async def export_csv(receipts: AsyncIterator[Receipt]) -> AsyncIterator[bytes]:
    """Receipts as UTF-8 CSV (header first, in the order given), yielded in chunks of
    about 64 KiB. Memory is the source's page plus one chunk, whatever the count.

    Sources: ``PostgresLedger.stream_receipts`` (the default: a server-side cursor over
    money_receipts) or :func:`receipts_from_index` (the index's keyset stream), chosen by
    ``MONEY_CSV_SOURCE``; both hold what one extraction wrote."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = 0
    async for receipt in receipts:
        writer.writerow(csv_row(receipt))
        rows += 1
        if buffer.tell() >= CSV_CHUNK_CHARS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate(0)
            CSV_ROWS.inc(rows)
            rows = 0
    yield buffer.getvalue().encode()
    CSV_ROWS.inc(rows)


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format_amount(value)


async def duplicates(ledger: PostgresLedger, user_id: str, window_days: int) -> dict[str, Any]:
    """``{"duplicates": [...], "count", "window_days"}`` (SPEC §3; each pair also names its
    ``currency``). Pairs follow the domain rules: every pair within the window, re-sent
    receipts (same order number or Message-ID) excluded, refunds ignored."""
    pairs = find_duplicates(await ledger.charge_candidates(user_id), window_days)
    out = []
    for pair in pairs:
        item = pair.to_dict()
        item["amount"] = _amount(pair.amount)
        out.append(item)
    return {"duplicates": out, "count": len(out), "window_days": window_days}


async def summary(ledger: PostgresLedger, user_id: str) -> dict[str, Any]:
    """``{total_amount, currency, count, avg_amount, by_merchant, by_month, by_currency}``.

    The currency rule (domain.summary): ``currency`` is the user's main currency;
    total, average, by_merchant and by_month are in it; by_currency lists every
    currency's own total; nothing is converted or added across currencies.
    """
    acc = SummaryAccumulator()
    for g in await ledger.summary_groups(user_id):
        acc.add_group(
            receipts=g.receipts,
            currency=g.currency,
            merchant=g.merchant,
            month=g.month,
            with_amount=g.with_amount,
            total=g.total,
        )
    result = acc.result()
    result["total_amount"] = _amount(result["total_amount"])
    result["avg_amount"] = _amount(result["avg_amount"])
    for key in ("by_merchant", "by_month", "by_currency"):
        result[key] = {k: _amount(v) for k, v in result[key].items()}
    return result
