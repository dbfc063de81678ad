"""Money mode's reads and writes of the emails index, through the index contract only.

Works with either engine (PostgreSQL or Elasticsearch): every query is an
``EmailQuery`` for one user, every write a partial update of ``money.*``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from applylens_contracts.email import EmailDocument, MoneyFields
from applylens_index.contract import EmailIndex
from applylens_index.query import AnyOf, EmailQuery, Exists, Not, Range, Sort, Term, received_between, terms

from ..domain import RULES_VERSION, Receipt


@dataclass(frozen=True, slots=True)
class ReceiptFilter:
    """Which receipts to list: ``start`` ≤ received_at < ``end`` (either may be None),
    ``merchant`` (a merchant key, lower case) and ``currency`` (ISO 4217) when given."""

    start: datetime | None = None
    end: datetime | None = None
    merchant: str | None = None
    currency: str | None = None


def receipt_of(doc: EmailDocument) -> Receipt:
    """The receipt record of an email whose ``money`` was extracted."""
    money = doc.money or MoneyFields()
    return Receipt(
        id=doc.id,
        subject=doc.subject,
        date=doc.received_at,
        merchant=money.merchant,
        amount=money.amount,
        currency=money.currency,
        order_id=money.order_id,
        message_id=doc.message_id,
        category=doc.category,
    )


def money_patch(fields: MoneyFields) -> dict[str, dict[str, object]]:
    """A partial update that sets every ``money`` field, so stale values of an older
    extraction are removed (None removes a field) rather than kept."""
    return {"money": fields.model_dump()}


class IndexReceipts:
    """The emails index as money mode sees it."""

    def __init__(self, index: EmailIndex, *, page_size: int = 500) -> None:
        self.index = index
        self.page_size = page_size

    def receipts(self, user_id: str, where: ReceiptFilter = ReceiptFilter()) -> AsyncIterator[EmailDocument]:
        """The user's receipts, oldest first (ties by id), streamed a page at a time."""
        filters: list = [terms("money.is_receipt", True)]
        if where.start or where.end:
            filters.append(received_between(where.start, where.end))
        if where.merchant:
            filters.append(terms("money.merchant", where.merchant))
        if where.currency:
            filters.append(terms("money.currency", where.currency))
        query = EmailQuery(user_id=user_id, filters=tuple(filters), sort=Sort.OLDEST)
        return self.index.stream(query, batch_size=self.page_size)

    def emails(self, user_id: str, *, pending_only: bool = True, batch_size: int | None = None) -> AsyncIterator[EmailDocument]:
        """The user's emails; with ``pending_only``, those never extracted or extracted by an
        older ``RULES_VERSION`` (a rule change makes them pending again)."""
        filters: tuple = ()
        if pending_only:
            stale = AnyOf(
                clauses=(
                    Not(clause=Exists(field="money.rules_version")),
                    Range(field="money.rules_version", lt=RULES_VERSION),
                )
            )
            filters = (stale,)
        query = EmailQuery(user_id=user_id, filters=filters, sort=Sort.OLDEST)
        return self.index.stream(query, batch_size=batch_size or self.page_size)

    async def store(self, user_id: str, results: Sequence[tuple[str, MoneyFields]]) -> int:
        """Write the extracted ``money`` of each email; returns how many emails were found."""
        if not results:
            return 0
        return await self.index.update_partial(user_id, [(doc_id, money_patch(fields)) for doc_id, fields in results])

    async def ping(self) -> None:
        """Raise unless the index answers a (scoped, empty) query."""
        await self.index.search(EmailQuery(user_id="readyz@applylens.invalid", filters=(Term(field="id", values=("-",)),), size=1))


async def index_users(index: EmailIndex, fallback=None) -> list[str]:  # type: ignore[no-untyped-def]
    """Every user with mail in the index, for commands run without ``--user``.

    The contract has no user listing: engines that offer ``users()`` are asked, else
    ``fallback()`` (money-service's read of the PostgreSQL engine's table).
    """
    users = getattr(index, "users", None) or fallback
    if users is None:
        raise RuntimeError(f"{type(index).__name__} cannot list its users; pass --user USER (repeatable)")
    return sorted(await users())
