"""``extract_money``: everything money mode knows about one e-mail, in one pass.

Order of evidence: schema.org markup first (total, currency, order number, merchant
name), then the text — the plain-text body, or the HTML turned into text when the
plain body has no amount. Amounts are looked for in every e-mail (a payment
processor's mail is a receipt only when it carries one); the amount, currency and
order number are kept only when the e-mail is a receipt. Bump :data:`RULES_VERSION`
whenever a rule changes, so stored results can be re-extracted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from applylens_contracts.domains import registrable_domain
from applylens_contracts.email import EmailDocument, MoneyFields

from .amounts import AmountResult, extract_total
from .labels import REFUND_WORDS
from .currency import sender_country
from .detection import is_receipt
from .markup import MarkupOrder, read_markup
from .merchant import Merchant, resolve_merchant
from .order_numbers import extract_order_id
from .text import contains_any, html_to_text

RULES_VERSION = 1


@dataclass(frozen=True, slots=True)
class MoneyExtraction:
    """The full result; :meth:`fields` is what the e-mail document stores."""

    is_receipt: bool
    amount: Decimal | None
    currency: str | None
    merchant: str | None
    merchant_name: str | None
    processor: str | None
    order_id: str | None
    source: str | None  # "markup" | "text" | None: where the amount came from

    def fields(self) -> MoneyFields:
        return MoneyFields(
            is_receipt=self.is_receipt,
            amount=self.amount,
            currency=self.currency,
            merchant=self.merchant,
            merchant_name=self.merchant_name,
            processor=self.processor,
            order_id=self.order_id,
            rules_version=RULES_VERSION,
        )


def sender_domain_of(email: EmailDocument) -> str | None:
    """Registrable domain of the sender: from the ``From`` address, else ``sender_domain``."""
    return registrable_domain(email.from_) or registrable_domain(email.sender_domain)


def analyse_money(email: EmailDocument) -> MoneyExtraction:
    """All money facts of ``email`` (see the module docstring). Never raises on odd input."""
    domain = sender_domain_of(email)
    country = sender_country(domain)
    subject = email.subject or ""
    markup: MarkupOrder | None = read_markup(email.body_html)

    text = email.body_text or ""
    found: AmountResult | None = extract_total(subject, text, country)
    if found is None and email.body_html:
        text = html_to_text(email.body_html)
        found = extract_total(subject, text, country)

    amount, currency, source = None, None, None
    if markup is not None and markup.total is not None and markup.currency:
        amount, currency, source = markup.total, markup.currency, "markup"
        refund = markup.total < 0 or contains_any(subject, REFUND_WORDS)
        amount = -abs(amount) if refund else amount
    elif found is not None:
        amount, currency, source = found.amount, found.currency, "text"

    receipt = is_receipt(
        email.category,
        subject,
        has_markup=markup is not None,
        sender_domain=domain,
        has_amount=amount is not None,
    )
    if not receipt:
        return MoneyExtraction(False, None, None, None, None, None, None, None)
    merchant: Merchant = resolve_merchant(
        domain,
        subject,
        text,
        markup_name=markup.merchant_name if markup else None,
        markup_url=markup.merchant_url if markup else None,
    )
    order_id = (markup.order_number if markup else None) or extract_order_id(subject, text)
    return MoneyExtraction(
        is_receipt=True,
        amount=amount,
        currency=currency,
        merchant=merchant.key,
        merchant_name=merchant.display_name,
        processor=merchant.processor,
        order_id=order_id,
        source=source,
    )


def extract_money(email: EmailDocument) -> MoneyFields:
    """The ``money`` fields for ``email``: is_receipt, amount (Decimal, negative for a
    refund), currency (ISO 4217), merchant (registrable domain or processor-named
    merchant key), order_id, rules_version = :data:`RULES_VERSION`.

    A non-receipt gets ``is_receipt=False`` and every other field None.
    """
    return analyse_money(email).fields()
