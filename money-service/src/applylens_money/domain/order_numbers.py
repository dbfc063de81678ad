"""Order numbers from a receipt's subject and text.

Recognised: "Order #123-4567", "Order ID: ABC123", "Order number 112-1234567-1234567",
"Order no. 5566", "Invoice #INV-001", "Receipt #1234-5678", "Confirmation #K7Q2",
"Transaction ID: 9XY…", "Booking reference: ABC123"; in the subject also a bare
"#1234-5678" (Stripe: "Your receipt from Acme #1234-5678"). The number must contain a
digit (so "Order Confirmation" is not a number), 3–40 characters of letters, digits,
``-``, ``_`` and ``/``. Kinds are tried in order (order, invoice, receipt, confirmation,
transaction, reference); within a kind the subject comes before the body.
"""

from __future__ import annotations

import re

_ID = r"(?P<id>[A-Z0-9][A-Z0-9\-_/]{1,38}[A-Z0-9])"
_SEP = r"\s*(?:number|num\.?|no\.?|nr\.?|id|code|ref\.?)?\s*[:#]?\s*#?\s*"
_KINDS = (
    r"order",
    r"invoice",
    r"receipt",
    r"confirmation",
    r"transaction",
    r"(?:booking\s+)?reference",
)
_PATTERNS = [re.compile(rf"(?<![^\W_]){kind}{_SEP}{_ID}", re.IGNORECASE) for kind in _KINDS]
_BARE_HASH = re.compile(rf"#\s?{_ID}", re.IGNORECASE)


def _valid(candidate: str) -> bool:
    return any(ch.isdigit() for ch in candidate)


def extract_order_id(subject: str, body: str) -> str | None:
    """The order (or invoice/receipt) number, as written (case kept), or None."""
    for pattern in _PATTERNS:
        for text in (subject, body):
            for match in pattern.finditer(text):
                if _valid(match.group("id")):
                    return match.group("id")
    for match in _BARE_HASH.finditer(subject):
        if _valid(match.group("id")):
            return match.group("id")
    return None
