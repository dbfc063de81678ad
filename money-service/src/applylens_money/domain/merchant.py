"""The merchant of a receipt, as a stable lower-case key.

* An ordinary sender: the merchant is the registrable domain of the sender
  (``Amazon <ship-confirm@email.amazon.com>`` → ``amazon.com``; ``amazon.com.evil.io``
  → ``evil.io``, never Amazon). Markup naming another merchant is not believed — a
  sender could claim to be anyone — it only supplies a display name.
* A payment processor (PayPal, Stripe, Square, …, matched by registrable domain, see
  :data:`PAYMENT_PROCESSORS`) sends on behalf of the real merchant. The merchant is
  then taken from, in order: the markup's seller/merchant URL (its registrable
  domain), the markup's seller name, the subject ("Receipt for your payment to
  Spotify AB", "Your receipt from Acme Inc #1234-5678", "You paid $5.00 to Joe's
  Café"), a body line "Merchant: …"/"Paid to: …". A name that is itself a domain
  ("Amazon.com") becomes its registrable domain; any other name becomes a lower-case,
  space-collapsed key ("spotify ab"). When nothing names the merchant, the processor's
  domain is the merchant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from applylens_contracts.domains import registrable_domain

PAYMENT_PROCESSORS = frozenset(
    {
        "paypal.com",
        "paypal.co.uk",
        "paypal.de",
        "paypal.fr",
        "paypal.ca",
        "paypal.com.au",
        "paypal.es",
        "paypal.it",
        "paypal.nl",
        "stripe.com",
        "squareup.com",
        "square.com",
        "venmo.com",
        "cash.app",
        "wise.com",
        "transferwise.com",
        "klarna.com",
        "afterpay.com",
        "affirm.com",
        "paddle.com",
        "paddle.net",
        "gumroad.com",
        "fastspring.com",
        "2checkout.com",
        "braintreegateway.com",
        "shopifyemail.com",
        "zelle.com",
    }
)

_NAME = r"(?P<name>[^\n#\[\]()|]{2,60}?)"
_END = r"(?=\s*(?:#|\[|\(|\||$|\s+for\s|\s+on\s|\s+-\s|\s+–\s|[.!]\s|[.!]$))"
_SUBJECT_PATTERNS = [
    re.compile(rf"\b(?:payment|paid|sent)\b.*?\bto\s+{_NAME}{_END}", re.IGNORECASE),
    re.compile(rf"\b(?:receipt|invoice|order|purchase)\s+(?:from|with|at)\s+{_NAME}{_END}", re.IGNORECASE),
]
_BODY_PATTERN = re.compile(
    rf"^\s*(?:merchant|seller|paid to|payee|sold by|business)\s*:\s*{_NAME}\s*$", re.IGNORECASE | re.MULTILINE
)
_AMOUNT_IN_NAME = re.compile(r"^[\s$€£¥\d.,A-Z]*\d[\d.,]*\s*(?:[A-Z]{3})?\s+to\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Merchant:
    """``key`` groups receipts (a domain or a lower-case name); ``processor`` is the
    payment processor's domain when one sent the receipt, else None."""

    key: str | None
    display_name: str | None
    processor: str | None


def is_payment_processor(domain: str | None) -> bool:
    """True for a registrable domain in :data:`PAYMENT_PROCESSORS` (exact, never substring)."""
    return domain is not None and domain in PAYMENT_PROCESSORS


def merchant_key(name: str | None) -> str | None:
    """Grouping key for a merchant name: a domain-like name → its registrable domain
    ("Amazon.com" → "amazon.com"), else the name lower-cased with spaces collapsed."""
    if not name:
        return None
    name = " ".join(name.split()).strip(" .,:;-–")
    if not name:
        return None
    if " " not in name and "." in name:
        domain = registrable_domain(name)
        if domain:
            return domain
    return name.lower()


def _url_domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    return registrable_domain(host)


def named_in_text(subject: str, body: str) -> str | None:
    """The merchant a processor's receipt names in its subject or body, or None."""
    for pattern in _SUBJECT_PATTERNS:
        match = pattern.search(subject)
        if match:
            return match.group("name").strip()
    match = _BODY_PATTERN.search(body)
    return match.group("name").strip() if match else None


def resolve_merchant(
    sender_domain: str | None,
    subject: str = "",
    body: str = "",
    markup_name: str | None = None,
    markup_url: str | None = None,
) -> Merchant:
    """The merchant of one receipt; see the module docstring for the rules.

    ``sender_domain`` is the registrable domain of the sender (None when unknown: the
    merchant is then None too — an anonymous sender is not a merchant).
    """
    if not is_payment_processor(sender_domain):
        return Merchant(key=sender_domain, display_name=markup_name, processor=None)
    url_domain = _url_domain(markup_url)
    if url_domain and not is_payment_processor(url_domain):
        return Merchant(key=url_domain, display_name=markup_name or url_domain, processor=sender_domain)
    name = markup_name or named_in_text(subject, body)
    key = merchant_key(name)
    if key and not is_payment_processor(key):
        return Merchant(key=key, display_name=name, processor=sender_domain)
    return Merchant(key=sender_domain, display_name=None, processor=sender_domain)
