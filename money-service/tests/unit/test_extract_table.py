"""The extraction table: realistic e-mails → is_receipt, amount, currency, merchant.

Rows whose id ends in "bug7" reproduce a bug of the original implementation.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from applylens_contracts.email import EmailDocument

from applylens_money.domain import RULES_VERSION, extract_money

AMAZON_JSONLD = """<html><body><p>Thanks for your order</p>
<script type="application/ld+json">{"@context": "http://schema.org", "@type": "Order",
 "merchant": {"@type": "Organization", "name": "Amazon.com"},
 "orderNumber": "112-4455667-8899001", "priceCurrency": "USD", "price": "1,234.56",
 "acceptedOffer": {"@type": "Offer", "price": "29.99", "priceCurrency": "USD"}}</script>
<table><tr><td>Item</td><td>$29.99</td></tr><tr><td>Order Total:</td><td>$1,234.56</td></tr></table>
</body></html>"""

PAYPAL_MICRODATA = """<div itemscope itemtype="http://schema.org/Order">
 <div itemprop="merchant" itemscope itemtype="http://schema.org/Organization">
   <span itemprop="name">Acme Widgets</span><link itemprop="url" href="https://shop.acme-widgets.com/"/>
 </div>
 <span itemprop="orderNumber">AW-2231</span>
 <meta itemprop="priceCurrency" content="EUR"/><span itemprop="price" content="54.00">54,00 €</span>
 <div itemprop="acceptedOffer" itemscope itemtype="http://schema.org/Offer"><span itemprop="price">10.00</span></div>
</div>"""

INVOICE_JSONLD = """<script type="application/ld+json">[{"@context": "https://schema.org",
 "@type": "Invoice", "provider": {"name": "Linear"}, "confirmationNumber": "INV-0042",
 "totalPaymentDue": {"@type": "PriceSpecification", "price": 96, "priceCurrency": "GBP"}}]</script>
<p>Invoice INV-0042 — Subtotal £80.00, VAT £16.00, Total £96.00</p>"""

NESTED_DELIVERY = """<script type="application/ld+json">{"@context": "http://schema.org",
 "@type": "ParcelDelivery", "partOfOrder": {"@type": "Order", "orderNumber": "W123",
 "seller": {"name": "Walmart"}, "price": 42.1, "priceCurrency": "USD"}}</script>"""

HTML_TABLE = """<html><head><style>td{color:red}</style></head><body>
<h1>Your receipt</h1><table>
<tr><td>Subtotal</td><td>$40.00</td></tr>
<tr><td>Shipping</td><td>$5.99</td></tr>
<tr><td>Sales tax</td><td>$3.60</td></tr>
<tr><td><b>Total</b></td><td><b>$49.59</b></td></tr>
</table><p>You saved $10.00 today!</p></body></html>"""

BROKEN_JSONLD = """<script type="application/ld+json">{"@type": "Order", "price": </script>
<p>Order total: $18.00</p>"""

# (case id, from, subject, body text, body html, category, is_receipt, amount, currency, merchant)
CASES = [
    # --- §7: amounts the original misread -------------------------------------------------
    ("usd-thousands-bug7", "Shop <orders@shop.example.com>", "Your receipt", "Total: $1,234.56", None, None, True, "1234.56", "USD", "example.com"),
    ("usd-code-prefix", "billing@vendor.com", "Invoice 2291", "Amount due: USD 1,234.56", None, None, True, "1234.56", "USD", "vendor.com"),
    ("eur-suffix-comma-bug7", "rechnung@shop.de", "Ihre Rechnung / invoice", "Gesamtbetrag: 1.234,56 €", None, None, True, "1234.56", "EUR", "shop.de"),
    ("eur-prefix-comma-bug7", "noreply@bahn.de", "Your purchase", "Total €12,50", None, None, True, "12.50", "EUR", "bahn.de"),
    ("gbp-no-decimals-bug7", "receipts@pret.co.uk", "Your Pret receipt", "Total £12", None, None, True, "12", "GBP", "pret.co.uk"),
    ("eur-code-bug7", "billing@hetzner.com", "Invoice", "Total: EUR 12.50", None, None, True, "12.50", "EUR", "hetzner.com"),
    ("eur-code-suffix", "no-reply@ovh.com", "Payment confirmation", "Amount paid: 12.50 EUR", None, None, True, "12.50", "EUR", "ovh.com"),
    ("you-saved-bug7", "deals@target.com", "Your Target order", "You saved $5.00\nOrder total: $45.00", None, None, True, "45.00", "USD", "target.com"),
    ("you-saved-only-first-bug7", "orders@gap.com", "Order confirmation", "You saved $5.00 on this order!\nItem: Jeans $50.00\nTotal $45.00", None, None, True, "45.00", "USD", "gap.com"),
    ("you-saved-larger-than-price-bug7", "receipts@oldnavy.com", "Your receipt", "You saved $60.00 today!\nJeans $45.00", None, None, True, "45.00", "USD", "oldnavy.com"),
    ("dollars-off-trailer-bug7", "orders@shop.com", "Your receipt", "$75.00 off with your member discount\nCoat $60.00", None, None, True, "60.00", "USD", "shop.com"),
    ("refund-subject-bug7", "Amazon <return@amazon.com>", "Your refund of $20.00 has been issued", "We've issued a refund of $20.00 to your Visa.", None, None, True, "-20.00", "USD", "amazon.com"),
    ("refund-label-bug7", "help@lyft.com", "Your Lyft receipt", "Refund amount: $7.25", None, None, True, "-7.25", "USD", "lyft.com"),
    ("refund-negative-sign", "store@apple.com", "Your receipt from Apple", "Total: -$9.99", None, None, True, "-9.99", "USD", "apple.com"),
    ("refund-parentheses", "billing@github.com", "Payment receipt", "Total ($4.00)", None, None, True, "-4.00", "USD", "github.com"),
    ("spoof-amazon-bug7", "Amazon <auto-confirm@amazon.com.evil.io>", "Your Amazon.com order #112-1111111-2222222", "Order Total: $99.99", None, None, True, "99.99", "USD", "evil.io"),
    ("spoof-paypal-not-processor", "PayPal <service@paypal.com.evil.io>", "Receipt for your payment to Amazon", "Total $310.00", None, None, True, "310.00", "USD", "evil.io"),
    # --- subtotal / tax / shipping / fees are never the total ------------------------------
    ("dash-separator-not-minus", "orders@crate.com", "Order confirmation", "Order total - $45.00\nTax – $3.00", None, None, True, "45.00", "USD", "crate.com"),
    ("minus-suffix-refund", "remboursement@sncf.fr", "Remboursement / refund", "Montant: -12,50 €", None, None, True, "-12.50", "EUR", "sncf.fr"),
    ("subtotal-tax-total", "receipts@store.com", "Your receipt", "Subtotal: $1,100.00\nTax: $134.56\nTotal: $1,234.56", None, None, True, "1234.56", "USD", "store.com"),
    ("total-first-then-lines", "orders@chewy.com", "Order confirmation", "Order total: $62.10\nSubtotal $55.00\nShipping $4.99\nTax $2.11", None, None, True, "62.10", "USD", "chewy.com"),
    ("grand-total-beats-total", "orders@bestbuy.com", "Order #BBY01-806 confirmed", "Total items: $200.00\nGrand Total: $216.50", None, None, True, "216.50", "USD", "bestbuy.com"),
    ("charged-beats-order-total", "orders@store.com", "Your order", "Order total: $50.00\nGift card: $5.00\nAmount charged: $45.00", None, None, True, "45.00", "USD", "store.com"),
    ("total-incl-vat", "orders@zalando.de", "Order confirmation", "Total (incl. VAT) €54,00\nVAT €9,00", None, None, True, "54.00", "EUR", "zalando.de"),
    ("tip-and-fee-lines", "uber.us@uber.com", "Your Thursday evening trip receipt", "Trip fare $12.30\nBooking fee $2.50\nTip $3.00\nTotal $17.80", None, None, True, "17.80", "USD", "uber.com"),
    ("percent-and-off", "orders@nike.com", "Order confirmed", "Get $10 off your next order!\n20% off applied\nTotal $80.00", None, None, True, "80.00", "USD", "nike.com"),
    ("unlabelled-largest", "hello@smallshop.com", "Thanks for your purchase", "Mug $12.00\nPoster $25.00", None, None, True, "25.00", "USD", "smallshop.com"),
    ("label-on-line-above", "receipts@cafe.com", "Receipt", "Total\n$8.75", None, None, True, "8.75", "USD", "cafe.com"),
    ("trailing-charged", "billing@railway.app", "Payment received", "€19.00 charged to your card ending 4242", None, None, True, "19.00", "EUR", "railway.app"),
    ("html-table-total", "Shop <no-reply@mail.bigshop.com>", "Your receipt from Big Shop", "", HTML_TABLE, None, True, "49.59", "USD", "bigshop.com"),
    ("statement-min-payment", "alerts@chase.com", "Your statement is ready", "Statement balance: $1,523.40\nMinimum payment due: $35.00", None, None, True, "1523.40", "USD", "chase.com"),
    ("payment-of", "billing@comcast.net", "Payment received", "Your payment of $89.99 was received. Thank you!", None, None, True, "89.99", "USD", "comcast.net"),
    ("bill-is-ready", "noreply@verizon.com", "Your bill is ready", "Amount due: $75.20 by Mar 3", None, None, True, "75.20", "USD", "verizon.com"),
    # --- currencies and the sender's country ----------------------------------------------
    ("cad-code-symbol", "orders@indigo.ca", "Order confirmation", "Total: CA$ 45.00", None, None, True, "45.00", "CAD", "indigo.ca"),
    ("bare-dollar-ca", "orders@canadiantire.ca", "Your order", "Total $45.00", None, None, True, "45.00", "CAD", "canadiantire.ca"),
    ("bare-dollar-com-au", "orders@jbhifi.com.au", "Tax invoice", "Total $129.00", None, None, True, "129.00", "AUD", "jbhifi.com.au"),
    ("a-dollar", "noreply@woolworths.com", "Your receipt", "Total A$12.30", None, None, True, "12.30", "AUD", "woolworths.com"),
    ("c-dollar", "shop@example.org", "Order #A-991", "Total C$9.99", None, None, True, "9.99", "CAD", "example.org"),
    ("bare-dollar-default-usd", "orders@etsy.com", "Your Etsy purchase", "Order total: $31.40", None, None, True, "31.40", "USD", "etsy.com"),
    ("bare-dollar-de-stays-usd", "billing@shop.de", "Invoice", "Total $31.40", None, None, True, "31.40", "USD", "shop.de"),
    ("bare-dollar-io-generic", "billing@vercel.io", "Invoice", "Total $20.00", None, None, True, "20.00", "USD", "vercel.io"),
    ("explicit-code-beats-country", "orders@shop.ca", "Order confirmation", "Total $12.50 USD", None, None, True, "12.50", "USD", "shop.ca"),
    ("code-after-dollar", "orders@store.com", "Order confirmation", "Total $12.50 CAD", None, None, True, "12.50", "CAD", "store.com"),
    ("nzd", "orders@thewarehouse.co.nz", "Your receipt", "Total NZ$59.00", None, None, True, "59.00", "NZD", "thewarehouse.co.nz"),
    ("jpy-yen", "order@rakuten.co.jp", "Order confirmation", "合計 Total ¥1,200", None, None, True, "1200", "JPY", "rakuten.co.jp"),
    ("inr", "orders@flipkart.com", "Your order", "Order total ₹1,499.00", None, None, True, "1499.00", "INR", "flipkart.com"),
    ("sek-kr-by-country", "kvitto@ica.se", "Kvitto / receipt", "Totalt 249,00 kr", None, None, True, "249.00", "SEK", "ica.se"),
    ("chf-code", "billing@proton.me", "Payment receipt", "Total CHF 48.00", None, None, True, "48.00", "CHF", "proton.me"),
    ("eur-space-grouped", "facture@fnac.fr", "Votre commande / order", "Total TTC 1 234,56 €", None, None, True, "1234.56", "EUR", "fnac.fr"),
    # --- markup first -----------------------------------------------------------------------
    ("jsonld-order", "Amazon.com <auto-confirm@amazon.com>", "Your Amazon.com order of \"Desk\"", "", AMAZON_JSONLD, None, True, "1234.56", "USD", "amazon.com"),
    ("microdata-processor", "PayPal <service@paypal.com>", "Receipt for your payment", "", PAYPAL_MICRODATA, None, True, "54.00", "EUR", "acme-widgets.com"),
    ("jsonld-invoice", "Linear <billing@linear.app>", "Your invoice", "", INVOICE_JSONLD, None, True, "96", "GBP", "linear.app"),
    ("jsonld-nested-delivery", "walmart <help@walmart.com>", "Your package is on its way", "", NESTED_DELIVERY, None, True, "42.1", "USD", "walmart.com"),
    ("broken-jsonld-falls-back", "orders@shop.com", "Your order", "", BROKEN_JSONLD, None, True, "18.00", "USD", "shop.com"),
    # --- payment processors ------------------------------------------------------------------
    ("paypal-subject-merchant", "service@paypal.com", "Receipt for your payment to Spotify AB", "You sent €9,99 EUR to Spotify AB", None, None, True, "9.99", "EUR", "spotify ab"),
    ("paypal-you-paid", "PayPal <service@intl.paypal.com>", "You paid $5.00 USD to Amazon.com", "Total $5.00 USD", None, None, True, "5.00", "USD", "amazon.com"),
    ("stripe-receipt-from", "Acme Inc <receipts+acct_1@stripe.com>", "Your receipt from Acme Inc #1234-5678", "Amount paid $20.00", None, None, True, "20.00", "USD", "acme inc"),
    ("square-no-keyword", "Blue Bottle <messenger@squareup.com>", "Blue Bottle Coffee", "Total $6.50", None, None, True, "6.50", "USD", "squareup.com"),
    ("paypal-notice-no-amount", "service@paypal.com", "An update to our user agreement", "We're updating our terms.", None, None, False, None, None, None),
    # --- detection: whole words and phrases ----------------------------------------------
    ("finance-category", "alerts@bank.com", "Account alert", "A withdrawal of $40.00 was made", None, "finance", True, "40.00", "USD", "bank.com"),
    ("border-not-order", "news@travel.com", "Crossing the border this summer", "Tickets from $99", None, None, False, None, None, None),
    ("disorder", "info@health.org", "Understanding sleep disorder", "Donate $10 today", None, None, False, None, None, None),
    ("billboard", "news@billboard.com", "Billboard Hot 100 this week", "Subscribe for $1", None, None, False, None, None, None),
    ("bill-the-person", "bill@startup.io", "Bill Smith wants to connect", "Coffee on me ($5)", None, None, False, None, None, None),
    ("receipt-of-application", "jobs@greenhouse.io", "Confirming receipt of your application", "Thanks for applying to Acme.", None, None, False, None, None, None),
    ("in-order-to", "recruiting@acme.com", "Next steps in order to schedule your interview", "Please pick a slot.", None, None, False, None, None, None),
    ("order-now-promo", "promo@pizza.com", "Order now and get 20% off", "Large pizza $9.99", None, None, False, None, None, None),
    ("personal-statement", "admissions@uni.edu", "Your personal statement", "Fee waived ($0)", None, None, False, None, None, None),
    ("newsletter-with-price", "news@shop.com", "New arrivals for spring", "Dresses from $49.00", None, None, False, None, None, None),
    ("recruiter", "jane@recruit.co", "Senior engineer role — $180,000 base", "Let's talk", None, None, False, None, None, None),
    ("order-shipped-no-amount", "ship-confirm@amazon.com", "Your order has shipped", "Track your package.", None, None, True, None, None, "amazon.com"),
    ("transaction-keyword", "alerts@wise.com", "Transaction completed", "You sent £250.00 to Jane", None, None, True, "250.00", "GBP", "wise.com"),
    ("purchase-keyword-caps", "no_reply@email.apple.com", "YOUR PURCHASE AT APPLE", "TOTAL $3.99", None, None, True, "3.99", "USD", "apple.com"),
    ("invoice-from-subdomain", "Invoices <billing@mail.notion.so>", "Invoice #NTN-8812", "Total: $96.00", None, None, True, "96.00", "USD", "notion.so"),
    ("receipt-no-currency", "receipts@store.com", "Your receipt", "Total 12.00", None, None, True, None, None, "store.com"),
]


def _email(sender, subject, text, html, category) -> EmailDocument:
    return EmailDocument(
        id="msg-1",
        user_id="alice@example.com",
        **{"from": sender},
        subject=subject,
        body_text=text,
        body_html=html,
        category=category,
        received_at=datetime(2026, 2, 20, 8, 0, tzinfo=timezone.utc),
    )


def test_table_is_large_enough():
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "sender,subject,text,html,category,receipt,amount,currency,merchant",
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_extract_money(sender, subject, text, html, category, receipt, amount, currency, merchant):
    money = extract_money(_email(sender, subject, text, html, category))
    assert money.is_receipt is receipt
    assert money.amount == (Decimal(amount) if amount is not None else None)
    if amount is not None:
        assert isinstance(money.amount, Decimal)
        assert str(money.amount) == amount  # exact digits, never a float round-trip
    assert money.currency == currency
    assert money.merchant == merchant
    assert money.rules_version == RULES_VERSION
