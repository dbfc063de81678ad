"""Is this e-mail a receipt? Pure rules over category, subject, markup and sender.

An e-mail is a receipt when any of these holds:

1. its category is ``finance`` (case-insensitive);
2. its subject names a money document as whole words (:data:`SUBJECT_KEYWORDS`:
   receipt, invoice, order, payment, purchase, transaction, refund, "order
   confirmation", "your bill", "your statement", …) once the phrases that use those
   words for something else are removed (:data:`NOT_MONEY_PHRASES`: "receipt of your
   application", "in order to", "order now", "your next purchase", "personal
   statement", …). Whole words: "border", "disorder", "billboard" never count, and
   "bill"/"statement" only count in money phrases ("Bill Smith" is a person);
3. its HTML carries schema.org ``Order`` or ``Invoice`` markup;
4. its sender is a payment processor (by registrable domain, never by substring)
   and an amount was found.
"""

from __future__ import annotations


from .merchant import is_payment_processor
from .text import contains_any, word_pattern

FINANCE_CATEGORIES = frozenset({"finance"})

SUBJECT_KEYWORDS = (
    "receipt",
    "receipts",
    "e-receipt",
    "invoice",
    "invoices",
    "payment",
    "payments",
    "purchase",
    "purchases",
    "purchased",
    "transaction",
    "transactions",
    "refund",
    "refunded",
    "order",
    "orders",
    "ordered",
    "order confirmation",
    "order confirmed",
    "charged",
    "your bill",
    "new bill",
    "bill is ready",
    "bill is available",
    "bill due",
    "bill payment",
    "monthly bill",
    "e-bill",
    "ebill",
    "billing statement",
    "your statement",
    "statement is ready",
    "statement is available",
    "new statement",
    "monthly statement",
    "account statement",
    "card statement",
    "e-statement",
    "estatement",
    "subscription renewed",
    "renewal receipt",
    "amount due",
    "payment due",
)
NOT_MONEY_PHRASES = (
    "receipt of",
    "in order to",
    "in order for",
    "out of order",
    "in the order",
    "in order of",
    "order now",
    "order today",
    "order online",
    "pre-order",
    "preorder",
    "first order",
    "next order",
    "orders over",
    "order over",
    "minimum order",
    "next purchase",
    "first purchase",
    "with purchase",
    "with any purchase",
    "purchase now",
    "no purchase necessary",
    "personal statement",
    "statement of purpose",
    "mission statement",
    "privacy statement",
    "diversity statement",
)


def _without(text: str, phrases: tuple[str, ...]) -> str:
    return word_pattern(phrases).sub(" ", text)


def subject_says_receipt(subject: str) -> bool:
    """Rule 2 alone: the subject names a money document (see the module docstring)."""
    return contains_any(_without(subject, NOT_MONEY_PHRASES), SUBJECT_KEYWORDS)


def is_receipt(
    category: str | None,
    subject: str,
    *,
    has_markup: bool = False,
    sender_domain: str | None = None,
    has_amount: bool = False,
) -> bool:
    """True when one of the four rules of the module docstring holds.

    ``sender_domain`` is the sender's registrable domain; ``has_amount`` whether an
    amount with a currency was found (rule 4 needs both).
    """
    if category and category.strip().lower() in FINANCE_CATEGORIES:
        return True
    if has_markup or subject_says_receipt(subject):
        return True
    return has_amount and is_payment_processor(sender_domain)
