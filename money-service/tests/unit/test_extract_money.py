"""extract_money beyond the table: order ids, non-receipts, HTML fallback."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from applylens_contracts.email import EmailDocument, MoneyFields

from applylens_money.domain import RULES_VERSION, analyse_money, extract_money


def email(**kw):
    base = {"id": "m1", "user_id": "u", "received_at": datetime(2026, 1, 1, tzinfo=timezone.utc)}
    base.update(kw)
    return EmailDocument(**base)


def test_order_id_and_fields():
    money = extract_money(
        email(
            **{"from": "auto-confirm@amazon.com"},
            subject="Your Amazon.com order #112-1234567-7654321",
            body_text="Order Total: $23.10",
        )
    )
    assert money == MoneyFields(
        is_receipt=True,
        amount=Decimal("23.10"),
        currency="USD",
        merchant="amazon.com",
        order_id="112-1234567-7654321",
        rules_version=RULES_VERSION,
    )


def test_non_receipt_has_only_the_flag():
    money = extract_money(email(**{"from": "news@shop.com"}, subject="Spring sale", body_text="Total savings $50"))
    assert money.is_receipt is False
    assert (money.amount, money.currency, money.merchant, money.order_id) == (None, None, None, None)


def test_sender_domain_field_used_when_from_missing():
    money = extract_money(email(sender_domain="mail.uber.com", subject="Your receipt", body_text="Total $9.00"))
    assert money.merchant == "uber.com"


def test_html_used_when_plain_text_has_no_amount():
    e = email(
        **{"from": "x@shop.com"},
        subject="Your receipt",
        body_text="View this email in your browser",
        body_html="<table><tr><td>Total</td><td>€7,00</td></tr></table>",
    )
    assert (extract_money(e).amount, extract_money(e).currency) == (Decimal("7.00"), "EUR")


def test_markup_amount_beats_text_and_is_reported():
    html = (
        '<script type="application/ld+json">{"@type": "Order", "price": "30.00", "priceCurrency": "USD",'
        ' "orderNumber": "Z9"}</script>'
    )
    result = analyse_money(email(**{"from": "a@shop.com"}, subject="Hi", body_text="Item $99.00", body_html=html))
    assert (result.is_receipt, result.amount, result.source, result.order_id) == (
        True,
        Decimal("30.00"),
        "markup",
        "Z9",
    )


def test_markup_refund_subject_is_negative():
    html = '<script type="application/ld+json">{"@type": "Order", "price": 12, "priceCurrency": "EUR"}</script>'
    assert extract_money(
        email(**{"from": "a@shop.de"}, subject="Refund for your order", body_html=html)
    ).amount == Decimal("-12")


def test_processor_details():
    result = analyse_money(
        email(
            **{"from": "service@paypal.com"},
            subject="Receipt for your payment to Spotify AB",
            body_text="Total €9,99 EUR",
        )
    )
    assert (result.merchant, result.merchant_name, result.processor) == ("spotify ab", "Spotify AB", "paypal.com")


ODD_HTML = [
    "<html><body><div itemscope itemtype='http://schema.org/Order'><span itemprop='price'>abc</span></div>",
    '<script type="application/ld+json">{"@type": ["Order"], "seller": [], "price": {"value": null}}</script>',
    '<script type="application/ld+json">[1, "x", null, {"@graph": "nope"}]</script>',
    '<script type="application/ld+json">{"@type": "Invoice", "totalPaymentDue": "lots"}</script>',
    "<<<>>>&&&\x00",
    "",
]


def test_odd_input_never_raises_and_keeps_types():
    for html in ODD_HTML:
        money = extract_money(email(**{"from": "not an address"}, subject="Invoice", body_text="Total $", body_html=html))
        assert money.is_receipt is True
        assert money.amount is None or isinstance(money.amount, Decimal)
    huge = extract_money(email(subject="Receipt", body_text="Total $99,999,999,999.99"))
    assert huge.amount == Decimal("99999999999.99") and huge.merchant is None
