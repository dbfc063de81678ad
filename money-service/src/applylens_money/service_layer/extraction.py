"""Use cases that run extraction: once per email, when it is imported or changed.

- :class:`IngestedExtractor` — the ``email.ingested`` consumer (group ``money-service``):
  mail any producer ingests gets its money fields within seconds.
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
from applylens_contracts.events import EmailIngested
from applylens_index import EmailIndex
from applylens_platform.consumer import ConsumedEvent

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


@dataclass
class IngestedExtractor:
    """The ``email.ingested`` batch handler: extract money fields of the mail just ingested.

    Extraction sets values (ledger upsert keyed by email, index partial update), so a
    redelivered batch writes the same rows again and changes nothing: no dedup table is
    needed. An email the index does not hold is skipped; ``applylens-money extract`` finds it later.
    """

    index: EmailIndex
    receipts: IndexReceipts
    ledger: PostgresLedger
    batch_size: int = 500

    async def __call__(self, events: Sequence[ConsumedEvent]) -> int:
        wanted: dict[str, dict[str, None]] = {}
        for event in events:
            data = event.envelope.data
            if isinstance(data, EmailIngested):
                wanted.setdefault(data.user_id, {})[data.email.id] = None
        for user_id, ids in wanted.items():
            docs = await self.index.get(user_id, list(ids))
            for start in range(0, len(docs), self.batch_size):
                await _store_batch(self.receipts, self.ledger, user_id, docs[start : start + self.batch_size])
        return len(events)
