"""The receipt record the pure money functions work on (duplicates, summary, CSV)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Receipt:
    """One stored receipt. ``date`` is the received time (aware; a naive value is read
    as UTC); ``amount`` a Decimal in ``currency`` (ISO 4217), negative for a refund,
    None when no amount was found."""

    id: str
    subject: str
    date: datetime
    merchant: str | None
    amount: Decimal | None
    currency: str | None
    order_id: str | None = None
    message_id: str | None = None
    category: str | None = None

    @property
    def day(self) -> date:
        """The UTC calendar day of :attr:`date`."""
        when = self.date if self.date.tzinfo else self.date.replace(tzinfo=timezone.utc)
        return when.astimezone(timezone.utc).date()
