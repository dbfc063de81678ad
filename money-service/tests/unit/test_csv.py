"""CSV rows: column order, formula injection neutralised, amounts stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from applylens_money.domain import COLUMNS, Receipt, csv_lines, csv_row, format_amount, neutralise_cell


@pytest.mark.parametrize(
    "value,expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("  =1+1", "'  =1+1"),
        ("Amazon order", "Amazon order"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def receipt(**kw):
    base = dict(
        id="msg1",
        subject="Your Amazon order",
        date=datetime(2025, 10, 10, 23, 30, tzinfo=timezone.utc),
        merchant="amazon.com",
        amount=Decimal("49.99"),
        currency="USD",
        category="commerce",
    )
    base.update(kw)
    return Receipt(**base)


def test_row_matches_columns():
    assert COLUMNS == ("date", "merchant", "amount", "email_id", "subject", "category", "currency")
    assert csv_row(receipt()) == ["2025-10-10", "amazon.com", "49.99", "msg1", "Your Amazon order", "commerce", "USD"]


def test_negative_amount_stays_a_number_but_text_is_neutralised():
    row = csv_row(receipt(amount=Decimal("-20.00"), subject="=cmd|' /C calc'!A0", merchant="@evil", id="-x"))
    assert row[2] == "-20.00"
    assert row[1] == "'@evil" and row[3] == "'-x" and row[4].startswith("'=")


def test_format_amount_is_plain_fixed_point():
    assert format_amount(Decimal("1E+3")) == "1000"
    assert format_amount(Decimal("1234.5600")) == "1234.5600"
    assert format_amount(None) == "" and format_amount(Decimal("NaN")) == ""


def test_lines_are_valid_csv_and_lazy():
    rows = [receipt(subject='He said "hi", then left\nnew line'), receipt(amount=None, currency=None)]
    text = "".join(csv_lines(iter(rows)))
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == list(COLUMNS)
    assert parsed[1][4] == 'He said "hi", then left\nnew line'
    assert parsed[2][2] == "" and parsed[2][6] == ""

    def endless():
        while True:
            yield receipt()

    gen = csv_lines(endless())
    assert next(gen).startswith("date,merchant") and next(gen).startswith("2025-10-10")
