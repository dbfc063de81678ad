"""Find the total of a receipt in its text: a Decimal and an ISO 4217 code.

How the total is chosen (pure, line by line):

1. Every money mention is found: a currency marker before or after a number
   (``$1,234.56``, ``USD 1,234.56``, ``1.234,56 €``, ``€12,50``, ``£12``, ``EUR 12.50``,
   ``CA$ 45``, ``12.50 USD``, ``$12.50 CAD``). Numbers without a marker are ignored;
   decimal and thousands separators are read by ``price-parser`` (``1.234,56`` and
   ``1,234.56`` are both 1234.56). The marker becomes an ISO code by
   :mod:`.currency` (a bare "$" by the sender's country, else USD).
2. Each mention gets a label: the text before it on its line, or the line above when
   the amount stands alone on its line (HTML tables, "Total\\n$12.00").
3. Mentions labelled or followed by subtotal, tax/VAT/GST, shipping/delivery, fees,
   tips, "you saved"/savings/discount/coupon/"$5 off", minimum payment, previous
   balance, list/regular prices … are never the total. "incl. tax" style phrases are
   removed first, so "Total (incl. VAT) €54,00" is still the total.
4. Of the rest, the strongest label wins ("grand total"/"amount charged"/"you paid"
   > "order total"/"amount due"/"refund total" > "total"/"amount"/"payment" > "price"
   > none); ties between labelled totals go to the last one (totals sit at the
   bottom), ties between unlabelled amounts to the largest.
5. A refund is negative: when the subject or the chosen label speaks of a refund
   (refund, refunded, credited, reversal), or the amount is written negative
   (``-$5.00``, ``$-5.00``, ``($5.00)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from price_parser import Price

from .currency import TEXT_CODES, resolve_marker
from .labels import EXCLUDE_AFTER, EXCLUDE_BEFORE, REFUND_WORDS, TOTAL_RANKS
from .text import contains_any, lines

_PREFIX_SYMBOLS = [
    "US$",
    "USD$",
    "CA$",
    "CAD$",
    "CAN$",
    "C$",
    "A$",
    "AU$",
    "AUD$",
    "NZ$",
    "NZD$",
    "HK$",
    "S$",
    "SG$",
    "R$",
    "MX$",
    "NT$",
    "CN¥",
    "JP¥",
    "$",
    "€",
    "£",
    "¥",
    "￥",
    "₹",
    "₩",
    "₽",
    "₺",
    "₪",
    "₫",
    "₱",
    "฿",
    "₴",
    "₦",
    "Rs.",
    "Rs",
]
_SUFFIX_SYMBOLS = ["€", "£", "kr.", "kr", "zł", "Kč", "Ft", "₽", "₺", "₴", "₫", "₪", "₹", "¥", "￥"]
_CODE = "(?:" + "|".join(sorted(TEXT_CODES)) + ")"
_SIGN = r"[-−]"  # only when touching the amount: "Total - $5" is a separator, not a sign
_NUM = r"\d{1,3}(?:[,.'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
# Space-grouped thousands ("1 234,56 €") are only read before a suffix marker.
_NUM_SPACED = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d{1,2})?"


def _alt(items: list[str]) -> str:
    return "|".join(re.escape(s) for s in sorted(items, key=len, reverse=True))


_MONEY = re.compile(
    rf"""
    (?P<open>\(\s*)?
    (?:
        (?:(?<![\w\-−])(?P<sign1>{_SIGN}))?
        (?<![A-Za-z0-9])(?P<pre>{_alt(_PREFIX_SYMBOLS)}|{_CODE})
        \s?(?P<sign2>{_SIGN})?
        (?P<num1>{_NUM})(?![\d.,]*\d)
        (?:\s?(?P<code_after>{_CODE})(?![A-Za-z]))?
    |
        (?:(?<![\w\-−])(?P<sign3>{_SIGN}))?
        (?<![\d.,])(?P<num2>{_NUM_SPACED}|{_NUM})
        \s?(?P<suf>{_alt(_SUFFIX_SYMBOLS)}|{_CODE})(?![A-Za-z])
    )
    (?P<close>\s*\))?
    """,
    re.VERBOSE,
)

_DIGIT = re.compile(r"\d")
_INCLUSIVE = re.compile(
    r"\(?\s*\b(?:incl\.?|including|inc\.?|includes|inclusive\s+of|with|after|w/)\s+"
    r"(?:all\s+|any\s+)?(?:applicable\s+)?"
    r"(?:taxes|tax|vat|gst|hst|shipping|delivery|fees|discounts?|savings|coupons?|promotions?)"
    r"(?:\s*(?:&|and|,)\s*(?:taxes|tax|vat|gst|hst|shipping|delivery|fees))*\s*\)?"
    r"|\b(?:taxes|tax|vat|gst)\s+included\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class MoneyMention:
    """One amount written in the text. ``amount`` is the absolute value as written."""

    amount: Decimal
    currency: str | None
    negative: bool
    label: str
    trailer: str
    position: int  # order of appearance; the subject is first


@dataclass(frozen=True, slots=True)
class AmountResult:
    """The chosen total: negative ``amount`` for a refund; ``currency`` ISO 4217."""

    amount: Decimal
    currency: str
    is_refund: bool
    label: str


def parse_number(text: str) -> Decimal | None:
    """Decimal value of a written number ("1,234.56", "1.234,56", "12,50", "1 234") or None."""
    price = Price.fromstring(text.replace("’", ",").replace("'", ","))
    return price.amount


def find_mentions(text_lines: list[str], country: str | None = None) -> list[MoneyMention]:
    """Every money mention in ``text_lines`` (already split), in order of appearance.

    ``country`` resolves a bare "$"/"¥"/"kr" (see :mod:`.currency`); a mention whose
    currency stays unknown is kept with ``currency=None``.
    """
    out: list[MoneyMention] = []
    prev_line_bare = ""
    for line in text_lines:
        matches = list(_MONEY.finditer(line)) if _DIGIT.search(line) else []
        if not matches:
            prev_line_bare = line
            continue
        for i, m in enumerate(matches):
            start = matches[i - 1].end() if i else 0
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            label = line[start : m.start()].strip()
            if i == 0 and not re.search(r"[A-Za-z]", label) and len(prev_line_bare) <= 40:
                label = f"{prev_line_bare} {label}".strip()
            trailer = line[m.end() : end].strip()
            mention = _mention(m, label, trailer, len(out), country)
            if mention is not None:
                out.append(mention)
        prev_line_bare = ""
    return out


def _mention(m: re.Match[str], label: str, trailer: str, pos: int, country: str | None) -> MoneyMention | None:
    num = m.group("num1") or m.group("num2")
    marker = m.group("pre") or m.group("suf")
    code_after = m.group("code_after")
    currency = resolve_marker(code_after or marker, country)
    amount = parse_number(num)
    if amount is None:
        return None
    negative = bool(m.group("sign1") or m.group("sign2") or m.group("sign3")) or bool(
        m.group("open") and m.group("close")
    )
    return MoneyMention(amount, currency, negative, label, trailer, pos)


def _rank(label: str) -> int:
    for rank, phrases in TOTAL_RANKS:
        if contains_any(label, phrases):
            return rank
    return 0


def _excluded(mention: MoneyMention) -> bool:
    label = _INCLUSIVE.sub(" ", mention.label)
    if contains_any(_last_clause(label), EXCLUDE_BEFORE):
        return True
    return contains_any(_first_words(mention.trailer), EXCLUDE_AFTER)


def _last_clause(label: str) -> str:
    """Only the last clause of a label speaks about its amount ("Save $5. Total $30")."""
    parts = [part for part in _CLAUSE.split(label) if part.strip()]
    return parts[-1] if parts else ""


def _first_words(trailer: str, n: int = 3) -> str:
    """The first words after an amount, up to the end of the clause ("$5 off your order")."""
    return " ".join(_CLAUSE.split(trailer, maxsplit=1)[0].split()[:n])


_CLAUSE = re.compile(r"[|•·;!?]|[.,:](?:\s|$)|\s[-–—]\s")


def choose_total(mentions: list[MoneyMention], subject: str = "") -> AmountResult | None:
    """The receipt's total from ``mentions`` (see the module docstring), or None.

    Mentions without a currency are skipped. ``subject`` is only consulted for the
    refund rule.
    """
    best: tuple[tuple[int, Decimal], MoneyMention] | None = None
    for mention in mentions:
        if mention.currency is None or _excluded(mention):
            continue
        rank = _rank(_last_clause(_INCLUSIVE.sub(" ", mention.label)))
        if rank == 0:  # "€12.50 charged to your card", "$45.00 total"
            rank = _rank(_first_words(mention.trailer, 2))
        tiebreak = Decimal(mention.position) if rank >= 2 else mention.amount
        key = (rank, tiebreak)
        if best is None or key >= best[0]:
            best = (key, mention)
    if best is None:
        return None
    chosen = best[1]
    refund = chosen.negative or contains_any(subject, REFUND_WORDS) or contains_any(chosen.label, REFUND_WORDS)
    amount = -abs(chosen.amount) if refund else abs(chosen.amount)
    return AmountResult(amount=amount, currency=chosen.currency, is_refund=refund, label=chosen.label)  # type: ignore[arg-type]


def extract_total(subject: str, body: str, country: str | None = None) -> AmountResult | None:
    """The total of a receipt whose subject and plain-text body are given.

    ``body`` is text (use :func:`.text.html_to_text` for HTML). ``country`` is the
    sender's ISO country for a bare "$". None when no amount with a currency is found.
    """
    mentions = find_mentions(lines(subject) + lines(body), country)
    return choose_total(mentions, subject)
