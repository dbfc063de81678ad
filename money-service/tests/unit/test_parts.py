"""Unit tests of the building blocks: whole words, HTML text, currencies, order numbers,
markup, merchants and detection."""

from __future__ import annotations

from decimal import Decimal

import pytest

from applylens_money.domain.amounts import extract_total, find_mentions
from applylens_money.domain.currency import resolve_marker, sender_country
from applylens_money.domain.detection import is_receipt, subject_says_receipt
from applylens_money.domain.markup import read_markup
from applylens_money.domain.merchant import merchant_key, resolve_merchant
from applylens_money.domain.order_numbers import extract_order_id
from applylens_money.domain.text import contains_any, html_to_text, lines


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Your order", True),
        ("ORDER #5", True),
        ("e-order", True),
        ("border", False),
        ("disorder", False),
        ("orders", False),
        ("reorder", False),
        ("order_id", False),
    ],
)
def test_whole_words(text, expected):
    assert contains_any(text, ("order",)) is expected


def test_html_to_text_keeps_table_rows_on_one_line_and_drops_scripts():
    html = (
        "<html><head><title>T $1</title><style>p{}</style></head><body><table>"
        "<tr><td>Total</td><td>$12.00</td></tr></table><script>var a='$5'</script>"
        "<p>a<br>b</p></body></html>"
    )
    assert lines(html_to_text(html)) == ["Total $12.00", "a", "b"]
    assert html_to_text(None) == "" and html_to_text("   ") == ""


@pytest.mark.parametrize(
    "domain,country",
    [
        ("amazon.ca", "CA"),
        ("amazon.com.au", "AU"),
        ("amazon.co.uk", "GB"),
        ("amazon.com", None),
        ("vercel.io", None),
        ("angel.co", None),
        (None, None),
        ("shop.de", "DE"),
    ],
)
def test_sender_country(domain, country):
    assert sender_country(domain) == country


@pytest.mark.parametrize(
    "marker,country,code",
    [
        ("$", None, "USD"),
        ("$", "CA", "CAD"),
        ("$", "AU", "AUD"),
        ("$", "MX", "MXN"),
        ("$", "DE", "USD"),
        ("$", "GB", "USD"),
        ("€", None, "EUR"),
        ("£", "US", "GBP"),
        ("CA$", None, "CAD"),
        ("C$", None, "CAD"),
        ("A$", None, "AUD"),
        ("US$", "CA", "USD"),
        ("¥", None, "JPY"),
        ("¥", "CN", "CNY"),
        ("kr", "SE", "SEK"),
        ("kr", "NO", "NOK"),
        ("kr", "DK", "DKK"),
        ("kr", None, None),
        ("usd", None, "USD"),
        ("XYZ", None, None),
        ("R$", None, "BRL"),
    ],
)
def test_resolve_marker(marker, country, code):
    assert resolve_marker(marker, country) == code


def test_unknown_currency_amount_is_not_a_total():
    assert extract_total("Kvitto", "Totalt 99,00 kr", country=None) is None
    assert extract_total("Kvitto", "Totalt 99,00 kr", country="SE").currency == "SEK"


def test_mentions_keep_order_labels_and_sign():
    found = find_mentions(["Subtotal $10.00 | Tax $0.80", "Refund -€3,00"])
    assert [(m.amount, m.currency, m.negative) for m in found] == [
        (Decimal("10.00"), "USD", False),
        (Decimal("0.80"), "USD", False),
        (Decimal("3.00"), "EUR", True),
    ]
    assert found[1].label.endswith("Tax")


def test_numbers_without_currency_or_percent_are_not_money():
    assert find_mentions(["Order 123456 shipped 2 items, 20% off, call 555-1234"]) == []


def test_bare_dollar_uses_sender_country_but_explicit_code_wins():
    assert extract_total("Receipt", "Total $20.00", "CA").currency == "CAD"
    assert extract_total("Receipt", "Total US$20.00", "CA").currency == "USD"


@pytest.mark.parametrize(
    "subject,body,expected",
    [
        ("Order #123-4567 confirmed", "", "123-4567"),
        ("Thanks!", "Order ID: ABC123", "ABC123"),
        ("Your Amazon.com order #112-1234567-1234567", "", "112-1234567-1234567"),
        ("Order no. 5566 shipped", "", "5566"),
        ("Invoice #INV-001", "", "INV-001"),
        ("Your receipt from Acme Inc #1234-5678", "", "1234-5678"),
        ("Order Confirmation", "Order number: W-99812", "W-99812"),
        ("Order Confirmation", "Thanks for your order", None),
        ("Payment received", "Transaction ID: 9XY12345AB", "9XY12345AB"),
    ],
)
def test_order_numbers(subject, body, expected):
    assert extract_order_id(subject, body) == expected


def test_markup_json_ld_graph_and_microdata_nesting():
    graph = (
        '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
        '{"@type": "Order", "orderNumber": "G-1", "seller": {"name": "Shop", "url": "https://www.shop.co.uk/x"},'
        ' "totalPaymentDue": {"@type": "MonetaryAmount", "value": "19.90", "currency": "GBP"}}]}</script>'
    )
    order = read_markup(graph)
    assert (order.kind, order.order_number, order.total, order.currency) == ("Order", "G-1", Decimal("19.90"), "GBP")
    assert order.merchant_url == "https://www.shop.co.uk/x"
    micro = (
        '<div itemscope itemtype="https://schema.org/Invoice"><span itemprop="confirmationNumber">I-7</span>'
        '<div itemprop="totalPaymentDue" itemscope itemtype="https://schema.org/PriceSpecification">'
        '<meta itemprop="price" content="70.50"><meta itemprop="priceCurrency" content="EUR"></div></div>'
    )
    invoice = read_markup(micro)
    assert (invoice.kind, invoice.order_number, invoice.total, invoice.currency) == (
        "Invoice",
        "I-7",
        Decimal("70.50"),
        "EUR",
    )
    assert read_markup("<p>no markup</p>") is None
    assert read_markup('<script type="application/ld+json">{"@type": "Person"}</script>') is None


def test_ordinary_sender_markup_cannot_claim_another_merchant():
    m = resolve_merchant("evil.io", "Your order", "", markup_name="Amazon.com", markup_url="https://amazon.com")
    assert m.key == "evil.io" and m.processor is None


def test_processor_merchant_sources_in_order():
    assert resolve_merchant("paypal.com", markup_url="https://shop.example.co.uk/").key == "example.co.uk"
    assert resolve_merchant("paypal.com", "Receipt for your payment to Netflix").key == "netflix"
    assert resolve_merchant("stripe.com", "Receipt", "Merchant: Fly.io").key == "fly.io"
    assert resolve_merchant("paypal.com", "Your payment").key == "paypal.com"
    assert resolve_merchant(None, "Receipt").key is None


def test_merchant_key():
    assert merchant_key("  Spotify   AB ") == "spotify ab"
    assert merchant_key("Shop.Amazon.co.uk") == "amazon.co.uk"
    assert merchant_key("") is None


@pytest.mark.parametrize(
    "subject,expected",
    [
        ("Your receipt", True),
        ("INVOICE 44", True),
        ("Order confirmation", True),
        ("Your bill is ready", True),
        ("Bill Gates on AI", False),
        ("Billboard charts", False),
        ("Border control", False),
        ("Acknowledging receipt of your application", False),
        ("Statement of purpose tips", False),
        ("Your monthly statement", True),
        ("Pre-order the new phone", False),
        ("Save on your next purchase", False),
        ("Purchase confirmed", True),
        ("Refund processed", True),
        ("Meeting notes", False),
    ],
)
def test_subject_keywords(subject, expected):
    assert subject_says_receipt(subject) is expected


def test_detection_rules():
    assert is_receipt("Finance", "Hello")
    assert is_receipt(None, "Hello", has_markup=True)
    assert is_receipt(None, "Hello", sender_domain="paypal.com", has_amount=True)
    assert not is_receipt(None, "Hello", sender_domain="paypal.com", has_amount=False)
    assert not is_receipt(None, "Hello", sender_domain="evil.io", has_amount=True)
    assert not is_receipt("promo", "Hello")
