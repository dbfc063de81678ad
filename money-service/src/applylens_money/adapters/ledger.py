"""``money_receipts``: money-service's PostgreSQL read model of the receipts in the index.

Why a table of our own: ``/money/summary`` must answer in well under 100 ms for a user
with 100k receipts, and streaming 100k documents out of the index takes seconds on
either engine. The index contract has no aggregations (and should not grow engine-specific
ones for one service), so extraction writes each receipt twice: here (one row per
(user, email); non-receipts deleted) and then into the index's ``money.*``. The
summary and the duplicate search aggregate here in SQL; the CSV export streams the index.

The summary is materialised: ``money_summary`` holds, per user, one row per
(currency, merchant, month) of charges, so ``/money/summary`` reads a few hundred rows
whatever the number of receipts (a ``GROUP BY`` over 100k rows took 45-60 ms, p99 over
100 ms). Each write re-aggregates, in its own transaction and under a per-user advisory
lock, exactly the groups it touched. ``resent`` marks a receipt whose merchant,
currency, amount and order number match an earlier one (the same charge re-sent: not
counted again); it is re-ranked for the order keys each write touches.

Order matters for crash safety: the row is written first, the index second. A crash in
between leaves the email pending in the index (no current ``rules_version``), so the
next ``extract`` run rewrites both; the upsert makes that repeat harmless.
``applylens-money reextract`` rebuilds every row from the index.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg

from applylens_platform.db import ping as pg_ping

from ..domain import Receipt
from .index import ReceiptFilter


@dataclass(frozen=True, slots=True)
class LedgerRow:
    user_id: str
    email_id: str
    received_at: datetime
    subject: str
    category: str | None
    message_id: str | None
    merchant: str | None
    amount: Decimal | None
    currency: str | None
    order_id: str | None
    rules_version: int


@dataclass(frozen=True, slots=True)
class SummaryGroup:
    """Receipts of one (currency, merchant, month): ``receipts`` in all, ``with_amount`` of
    them with an amount and currency, summing to ``total``."""

    currency: str | None
    merchant: str | None
    month: str
    receipts: int
    with_amount: int
    total: Decimal | None


_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('money_receipts:' || $1::text, 0))"

_UPSERT = """
INSERT INTO money_receipts (user_id, email_id, received_at, subject, category, message_id,
                            merchant, amount, currency, order_id, rules_version, month)
SELECT $1, *, to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM')
FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
            $7::text[], $8::numeric[], $9::text[], $10::text[], $11::int[])
     AS r(email_id, received_at, subject, category, message_id, merchant, amount, currency, order_id, rules_version)
ON CONFLICT (user_id, email_id) DO UPDATE SET
    received_at = excluded.received_at, subject = excluded.subject, category = excluded.category,
    message_id = excluded.message_id, merchant = excluded.merchant, amount = excluded.amount,
    currency = excluded.currency, order_id = excluded.order_id, rules_version = excluded.rules_version,
    month = excluded.month, resent = false  -- re-ranked below
"""

# What a batch touches, read before and after it: order keys (for the re-send ranking)
# and summary groups (to re-aggregate).
_TOUCHED = """
SELECT merchant, currency, amount, nullif(lower(btrim(order_id)), '') AS order_key,
       coalesce(currency, '') AS currency_key, coalesce(merchant, '') AS merchant_key, month
FROM money_receipts WHERE user_id = $1 AND email_id = ANY($2::text[])
"""

# Re-rank every receipt of those keys: the earliest is the charge, later ones are re-sends.
_MARK_RESENT = """
UPDATE money_receipts AS r SET resent = ranked.nth > 1
FROM (
    SELECT email_id, row_number() OVER (PARTITION BY merchant, currency, amount, lower(btrim(order_id))
                                        ORDER BY received_at, email_id) AS nth
    FROM money_receipts
    WHERE user_id = $1 AND order_id IS NOT NULL
      AND (merchant, currency, amount, lower(btrim(order_id))) IN (
          SELECT * FROM unnest($2::text[], $3::text[], $4::numeric[], $5::text[]))
) AS ranked
WHERE r.user_id = $1 AND r.email_id = ranked.email_id AND r.resent IS DISTINCT FROM (ranked.nth > 1)
RETURNING coalesce(r.currency, '') AS currency_key, coalesce(r.merchant, '') AS merchant_key, r.month
"""

_GROUPS = "SELECT * FROM unnest($2::text[], $3::text[], $4::text[])"
_DROP_GROUPS = f"DELETE FROM money_summary WHERE user_id = $1 AND (currency, merchant, month) IN ({_GROUPS})"
# A re-sent receipt (same merchant, currency, amount and order number as an earlier one)
# is one charge, so it counts once; receipts without an order number all count.
_AGGREGATE_GROUPS = f"""
INSERT INTO money_summary (user_id, currency, merchant, month, receipts, with_amount, total)
SELECT $1, coalesce(currency, ''), coalesce(merchant, ''), month,
       count(*),
       count(*) FILTER (WHERE amount IS NOT NULL AND currency IS NOT NULL AND currency <> ''),
       sum(amount) FILTER (WHERE currency IS NOT NULL AND currency <> '')
FROM money_receipts
WHERE user_id = $1 AND NOT resent AND month = ANY($4::text[])
  AND (coalesce(currency, ''), coalesce(merchant, ''), month) IN ({_GROUPS})
GROUP BY 2, 3, 4
"""

# One row of six parallel arrays, not one row per group: a few thousand asyncpg Records (and
# objects built from them) alive at once are GC-tracked containers, and at 100k receipts they
# triggered a full garbage collection every ~60 requests (~100 ms each: the summary's p99).
# Arrays decode to lists of str / int / Decimal, which the collector does not track.
_SUMMARY = """
SELECT array_agg(currency), array_agg(merchant), array_agg(month), array_agg(receipts),
       array_agg(with_amount), array_agg(total)
FROM money_summary WHERE user_id = $1
"""

# Only receipts that could pair up: a positive amount whose (merchant, amount, currency)
# occurs more than once for this user. The pairing rules themselves stay in the domain.
_CHARGE_CANDIDATES = """
SELECT email_id, subject, received_at, merchant, amount, currency, order_id, message_id, category
FROM (
    SELECT *, count(*) OVER (PARTITION BY merchant, amount, currency) AS same
    FROM money_receipts
    WHERE user_id = $1 AND amount > 0 AND merchant IS NOT NULL AND currency IS NOT NULL
) charges
WHERE same > 1
ORDER BY merchant, currency, amount, received_at, email_id
"""


_RECEIPT_COLUMNS = "SELECT email_id, subject, received_at, merchant, amount, currency, order_id, message_id, category"


def _receipt(r: asyncpg.Record) -> Receipt:
    return Receipt(
        id=r["email_id"],
        subject=r["subject"],
        date=r["received_at"],
        merchant=r["merchant"],
        amount=r["amount"],
        currency=r["currency"],
        order_id=r["order_id"],
        message_id=r["message_id"],
        category=r["category"],
    )


class PostgresLedger:
    """The ``money_receipts`` table. Every method is scoped to one user."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def replace(self, user_id: str, rows: Sequence[LedgerRow], not_receipts: Sequence[str]) -> None:
        """In one transaction: upsert ``rows`` and delete the rows of ``not_receipts`` (email
        ids that are, after this extraction, not receipts)."""
        if any(row.user_id != user_id for row in rows):
            raise ValueError(f"every ledger row must belong to {user_id!r}")
        touched = [r.email_id for r in rows] + list(not_receipts)
        keys: set[tuple] = set()
        groups: set[tuple[str, str, str]] = set()

        def note(records) -> None:  # type: ignore[no-untyped-def]
            for rec in records:
                groups.add((rec["currency_key"], rec["merchant_key"], rec["month"]))
                key = (rec["merchant"], rec["currency"], rec["amount"], rec["order_key"])
                if None not in key:
                    keys.add(key)

        async with self.pool.acquire() as conn, conn.transaction():
            # one writer per user at a time, so rankings and aggregates see every earlier write
            await conn.execute(_LOCK, user_id)
            note(await conn.fetch(_TOUCHED, user_id, touched))
            if not_receipts:
                await conn.execute(
                    "DELETE FROM money_receipts WHERE user_id = $1 AND email_id = ANY($2::text[])",
                    user_id,
                    list(not_receipts),
                )
            if rows:
                await conn.execute(
                    _UPSERT,
                    user_id,
                    [r.email_id for r in rows],
                    [r.received_at for r in rows],
                    [r.subject for r in rows],
                    [r.category for r in rows],
                    [r.message_id for r in rows],
                    [r.merchant for r in rows],
                    [r.amount for r in rows],
                    [r.currency for r in rows],
                    [r.order_id for r in rows],
                    [r.rules_version for r in rows],
                )
                note(await conn.fetch(_TOUCHED, user_id, [r.email_id for r in rows]))
            if keys:
                merchants, currencies, amounts, orders = (list(col) for col in zip(*keys))
                changed = await conn.fetch(_MARK_RESENT, user_id, merchants, currencies, amounts, orders)
                groups.update((r["currency_key"], r["merchant_key"], r["month"]) for r in changed)
            if groups:
                cols = [list(col) for col in zip(*groups)]
                await conn.execute(_DROP_GROUPS, user_id, *cols)
                await conn.execute(_AGGREGATE_GROUPS, user_id, *cols)

    async def summary_groups(self, user_id: str) -> Iterator[SummaryGroup]:
        """The user's groups, built one at a time as the caller iterates (see ``_SUMMARY``)."""
        async with self.pool.acquire() as conn:
            columns = await conn.fetchrow(_SUMMARY, user_id)
        if columns[0] is None:  # no rows: array_agg of nothing is NULL
            return iter(())
        return (
            SummaryGroup(currency=currency or None, merchant=merchant or None, month=month,
                         receipts=receipts, with_amount=with_amount, total=total)
            for currency, merchant, month, receipts, with_amount, total in zip(*columns)
        )

    async def charge_candidates(self, user_id: str) -> list[Receipt]:
        """Receipts that share (merchant, amount, currency) with another positive charge."""
        async with self.pool.acquire() as conn:
            records = await conn.fetch(_CHARGE_CANDIDATES, user_id)
        return [_receipt(r) for r in records]

    async def stream_receipts(self, user_id: str, where: ReceiptFilter, *, prefetch: int = 1000) -> AsyncIterator[Receipt]:
        """The user's receipts, oldest first (ties by email id), through a server-side cursor:
        memory is ``prefetch`` rows whatever the count."""
        sql = [_RECEIPT_COLUMNS, "FROM money_receipts WHERE user_id = $1"]
        args: list = [user_id]
        for column, op, value in (("received_at", ">=", where.start), ("received_at", "<", where.end),
                                  ("merchant", "=", where.merchant), ("currency", "=", where.currency)):
            if value is not None:
                args.append(value)
                sql.append(f"AND {column} {op} ${len(args)}")
        sql.append("ORDER BY received_at, email_id")
        async with self.pool.acquire() as conn, conn.transaction(readonly=True):
            async for r in conn.cursor(" ".join(sql), *args, prefetch=prefetch):
                yield _receipt(r)

    async def index_users(self) -> list[str]:
        """Users of the PostgreSQL email index in this database (``emails`` table), for
        ``extract`` without ``--user`` when the index engine cannot list users itself."""
        async with self.pool.acquire() as conn:
            if await conn.fetchval("SELECT to_regclass('emails')") is None:
                return []
            return [r[0] for r in await conn.fetch("SELECT DISTINCT user_id FROM emails ORDER BY 1")]

    async def ping(self) -> None:
        await pg_ping(self.pool)
