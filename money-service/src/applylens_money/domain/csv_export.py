"""CSV rows for ``GET /money/receipts.csv``, safe to open in a spreadsheet.

Formula injection: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (also after leading spaces, which spreadsheets skip) gets a leading
apostrophe, so it is shown as text, never evaluated (OWASP "CSV Injection").

Which columns: every text column we did not produce ourselves (merchant, email_id,
subject, category) is neutralised. ``amount`` is never neutralised: it is formatted
here from a Decimal as a plain number (``-12.50``, no exponent, no grouping), so a
refund stays a negative number a spreadsheet can add up, and it cannot carry a
formula. ``date`` (``YYYY-MM-DD``) and ``currency`` (ISO code, validated) are ours too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from .receipts import Receipt

COLUMNS = ("date", "merchant", "amount", "email_id", "subject", "category", "currency")
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_ISO = re.compile(r"[A-Z]{3}")


def neutralise_cell(value: str | None) -> str:
    """``value`` made safe for a spreadsheet cell; None becomes ``""``."""
    if not value:
        return ""
    stripped = value.lstrip(" ")
    if stripped.startswith(_DANGEROUS_START) or value.startswith(_DANGEROUS_START):
        return "'" + value
    return value


def format_amount(amount: Decimal | None) -> str:
    """A Decimal as a plain fixed-point number string (``Decimal('1E+3')`` → ``"1000"``);
    None or a non-finite value → ``""``."""
    if amount is None or not amount.is_finite():
        return ""
    return format(amount, "f")


def csv_row(receipt: Receipt) -> list[str]:
    """The cells of one receipt in :data:`COLUMNS` order."""
    currency = receipt.currency or ""
    return [
        receipt.day.isoformat(),
        neutralise_cell(receipt.merchant),
        format_amount(receipt.amount),
        neutralise_cell(receipt.id),
        neutralise_cell(receipt.subject),
        neutralise_cell(receipt.category),
        currency if _ISO.fullmatch(currency) else neutralise_cell(currency),
    ]


def csv_lines(receipts: Iterable[Receipt], header: bool = True) -> Iterator[str]:
    """Encoded CSV text, one line per item (the header first), for a streamed response.

    Lazy: holds one row at a time, whatever the number of receipts. Lines end in
    ``\\r\\n`` (RFC 4180); quoting is the csv module's minimal quoting.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush(row: Iterable[str]) -> str:
        writer.writerow(row)
        line = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return line

    if header:
        yield flush(COLUMNS)
    for receipt in receipts:
        yield flush(csv_row(receipt))
