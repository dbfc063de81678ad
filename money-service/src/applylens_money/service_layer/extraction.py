"""Use cases that run extraction: once per email, when it is imported or changed.

- :func:`extract_documents` — the import hook: the importer (or the local stack) hands
  over the documents it just upserted; their money fields are computed from the
  documents in hand (no read back) and stored. A changed email is re-extracted because
  it is re-imported.
- :func:`extract_pending` — ``applylens-money extract``: every email of a user with no
  ``money`` yet, or one written by an older ``RULES_VERSION``. Safe on a schedule and
  after a crash: a second run finds nothing to do.
- :func:`extract_pending` with ``everything=True`` — ``applylens-money reextract``.

Requests never extract: they read what was stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from applylens_contracts.email import EmailDocument, MoneyFields

from ..adapters.index import IndexReceipts
from ..adapters.ledger import LedgerRow, PostgresLedger
from ..domain import extract_money
from ..metrics import EXTRACTED

log = logging.getLogger(__name__)


@dataclass
class ExtractionReport:
    """``scanned`` emails, of which ``receipts`` are receipts; ``stored`` found in the index."""

    scanned: int = 0
    receipts: int = 0
    stored: int = 0

    def __iadd__(self, other: ExtractionReport) -> ExtractionReport:
        self.scanned += other.scanned
        self.receipts += other.receipts
        self.stored += other.stored
        return self


def _ledger_row(doc: EmailDocument, money: MoneyFields) -> LedgerRow:
    return LedgerRow(
        user_id=doc.user_id,
        email_id=doc.id,
        received_at=doc.received_at,
        subject=doc.subject,
        category=doc.category,
        message_id=doc.message_id,
        merchant=money.merchant,
        amount=money.amount,
        currency=money.currency,
        order_id=money.order_id,
        rules_version=money.rules_version or 0,
    )


async def _store_batch(index: IndexReceipts, ledger: PostgresLedger, user_id: str, docs: Sequence[EmailDocument]) -> ExtractionReport:
    results = [(doc, extract_money(doc)) for doc in docs]
    rows = [_ledger_row(doc, money) for doc, money in results if money.is_receipt]
    not_receipts = [doc.id for doc, money in results if not money.is_receipt]
    # Ledger first, index second: see adapters.ledger for why this order is crash-safe.
    await ledger.replace(user_id, rows, not_receipts)
    stored = await index.store(user_id, [(doc.id, money) for doc, money in results])
    EXTRACTED.labels("receipt").inc(len(rows))
    EXTRACTED.labels("not_receipt").inc(len(not_receipts))
    return ExtractionReport(scanned=len(docs), receipts=len(rows), stored=stored)


async def extract_documents(
    index: IndexReceipts, ledger: PostgresLedger, docs: Iterable[EmailDocument], *, batch_size: int = 500
) -> ExtractionReport:
    """Extract and store money fields for documents just imported (any users, any order)."""
    by_user: dict[str, list[EmailDocument]] = {}
    for doc in docs:
        by_user.setdefault(doc.user_id, []).append(doc)
    report = ExtractionReport()
    for user_id, user_docs in by_user.items():
        for start in range(0, len(user_docs), batch_size):
            report += await _store_batch(index, ledger, user_id, user_docs[start : start + batch_size])
    return report


async def extract_pending(
    index: IndexReceipts,
    ledger: PostgresLedger,
    user_id: str,
    *,
    everything: bool = False,
    batch_size: int = 500,
    progress=None,
) -> ExtractionReport:
    """Extract the user's pending emails (or, with ``everything``, all of them).

    Reads with keyset streaming and writes a batch at a time; writing ``money`` does not
    move an email in the stream's order, so nothing is skipped or read twice.
    ``progress``: optional callable taking the number of emails just handled.
    """
    report = ExtractionReport()
    batch: list[EmailDocument] = []
    async for doc in index.emails(user_id, pending_only=not everything, batch_size=batch_size):
        batch.append(doc)
        if len(batch) >= batch_size:
            report += await _store_batch(index, ledger, user_id, batch)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        report += await _store_batch(index, ledger, user_id, batch)
        if progress:
            progress(len(batch))
    log.info("money extraction for %s: %s", user_id, report)
    return report
