"""Possible duplicate charges: same merchant, amount and currency within a window.

Rules:

* Only receipts with a merchant, a currency and a positive amount take part
  (a refund is not a charge). Amounts compare as numbers (``5.0 == 5.00``).
* A re-sent receipt is not a second charge: within one (merchant, amount, currency)
  group, a receipt whose order number (compared case-insensitively, trimmed) or
  Message-ID was already seen is folded into the earliest receipt carrying it, and
  so is the same ``id`` seen twice.
* Distance is counted in UTC calendar days (``days_apart`` = later day − earlier
  day), and a pair is reported when ``days_apart <= window_days``. Every pair in the
  window is reported, not only neighbours: three charges in one window give three
  pairs.
* ``window_days`` must be >= 0 (0 = same day only); a negative value raises
  ValueError.

Cost: grouping O(n), sorting O(n log n) per group, then a sliding window — the work
beyond sorting is proportional to the number of pairs reported.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .receipts import Receipt


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two receipts that look like the same charge twice; ``earlier.day <= later.day``."""

    merchant: str
    amount: Decimal
    currency: str
    earlier: Receipt
    later: Receipt
    days_apart: int

    def to_dict(self) -> dict[str, Any]:
        """SPEC §3 shape; ``amount`` stays a Decimal, dates are ``YYYY-MM-DD`` (UTC)."""

        def side(r: Receipt) -> dict[str, str]:
            return {"id": r.id, "subject": r.subject, "date": r.day.isoformat()}

        return {
            "merchant": self.merchant,
            "amount": self.amount,
            "currency": self.currency,
            "earlier": side(self.earlier),
            "later": side(self.later),
            "days_apart": self.days_apart,
        }


def _norm(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().casefold()
    return value or None


def _distinct_charges(group: list[Receipt]) -> list[Receipt]:
    """Fold re-sent receipts (same order number, Message-ID or id) into the earliest."""
    seen: set[tuple[str, str]] = set()
    kept: list[Receipt] = []
    for receipt in sorted(group, key=lambda r: (r.date, r.id)):
        keys = {("id", receipt.id)}
        if order := _norm(receipt.order_id):
            keys.add(("order", order))
        if message := _norm(receipt.message_id):
            keys.add(("message", message))
        if keys & seen:
            seen |= keys
            continue
        seen |= keys
        kept.append(receipt)
    return kept


def find_duplicates(receipts: Iterable[Receipt], window_days: int = 7) -> list[DuplicatePair]:
    """Every pair of likely duplicate charges, ordered by (earlier day, later day, merchant).

    See the module docstring for the rules. An empty input gives an empty list.
    """
    if window_days < 0:
        raise ValueError(f"window_days must be >= 0, got {window_days}")
    groups: dict[tuple[str, Decimal, str], list[Receipt]] = defaultdict(list)
    for r in receipts:
        if r.merchant and r.currency and r.amount is not None and r.amount > 0:
            groups[(r.merchant, r.amount, r.currency)].append(r)

    pairs: list[DuplicatePair] = []
    for (merchant, amount, currency), group in groups.items():
        if len(group) < 2:
            continue
        window: deque[Receipt] = deque()
        for receipt in _distinct_charges(group):
            day = receipt.day
            while window and (day - window[0].day).days > window_days:
                window.popleft()
            for earlier in window:
                pairs.append(DuplicatePair(merchant, amount, currency, earlier, receipt, (day - earlier.day).days))
            window.append(receipt)
    pairs.sort(key=lambda p: (p.earlier.day, p.later.day, p.merchant, p.earlier.id, p.later.id))
    return pairs
