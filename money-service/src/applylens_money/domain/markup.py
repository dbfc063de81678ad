"""schema.org ``Order`` / ``Invoice`` markup in an HTML e-mail (JSON-LD and microdata).

Senders that follow Google's e-mail markup put the facts in the HTML; when present
they are read before any text heuristics. From the first Order or Invoice found
(JSON-LD first, then microdata; an Order nested in ``ParcelDelivery.partOfOrder`` or
``Invoice.referencesOrder`` counts) we read:

* merchant: ``seller`` / ``merchant`` / ``provider`` / ``broker`` (``name`` and ``url``);
* order number: ``orderNumber`` / ``confirmationNumber`` / ``identifier``, else the
  referenced order's number;
* total: ``totalPaymentDue`` (MonetaryAmount ``value``/``currency`` or
  PriceSpecification ``price``/``priceCurrency``), else ``price`` + ``priceCurrency``,
  else ``priceSpecification``. Line items (``acceptedOffer``) are never summed.

Malformed JSON or markup is ignored (returns None), never raised.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from price_parser import Price
from selectolax.lexbor import LexborHTMLParser, LexborNode

from .amounts import parse_number
from .currency import iso_code, resolve_marker

_KINDS = ("Order", "Invoice")
_ORDER_HOLDERS = ("partOfOrder", "referencesOrder", "orderedItem")


@dataclass(frozen=True, slots=True)
class MarkupOrder:
    """What the markup says. ``total`` is a Decimal in ``currency`` (ISO 4217) or None."""

    kind: str  # "Order" | "Invoice"
    merchant_name: str | None = None
    merchant_url: str | None = None
    order_number: str | None = None
    total: Decimal | None = None
    currency: str | None = None


def read_markup(html: str | None) -> MarkupOrder | None:
    """The first schema.org Order/Invoice in ``html`` (JSON-LD, then microdata), or None."""
    if not html or "schema.org" not in html and "ld+json" not in html:
        return None
    tree = LexborHTMLParser(html)
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(deep=True) or "")
        except ValueError:
            continue
        found = _find_kind(data)
        if found is not None:
            return _to_order(*found)
    for node in tree.css("[itemscope][itemtype]"):
        kind = _kind_of(node.attributes.get("itemtype"))
        if kind:
            return _to_order(kind, _microdata_item(node))
    return None


def _kind_of(value: Any) -> str | None:
    values = value if isinstance(value, list) else str(value or "").split()
    for item in values:
        name = str(item).rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        if name in _KINDS:
            return name
    return None


def _find_kind(data: Any, depth: int = 0) -> tuple[str, dict[str, Any]] | None:
    """Breadth-first: a top-level Order beats one nested deeper."""
    if depth > 6:
        return None
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, dict):
            kind = _kind_of(item.get("@type"))
            if kind:
                return kind, item
    for item in items:
        if isinstance(item, dict):
            children = [item["@graph"]] if "@graph" in item else []
            children += [item[k] for k in _ORDER_HOLDERS if k in item]
            for child in children:
                found = _find_kind(child, depth + 1)
                if found:
                    return found
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id")
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _amount(value: Any, currency: Any) -> tuple[Decimal | None, str | None]:
    if isinstance(value, dict):
        inner_value = value.get("value", value.get("price"))
        inner_currency = value.get("currency", value.get("priceCurrency", currency))
        return _amount(inner_value, inner_currency)
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, (int, float)):
        amount: Decimal | None = Decimal(str(value))
    else:
        amount = parse_number(str(value))
    code = iso_code(str(currency)) if currency else None
    if code is None and isinstance(value, str):  # "$12.00" written in the value itself
        marker = Price.fromstring(value).currency
        code = resolve_marker(marker) if marker else None
    return amount, code


def _to_order(kind: str, item: dict[str, Any]) -> MarkupOrder:
    merchant = next((item[k] for k in ("seller", "merchant", "provider", "broker") if item.get(k)), None)
    merchant_url = merchant.get("url") if isinstance(merchant, dict) else None
    number = next((item[k] for k in ("orderNumber", "confirmationNumber", "identifier") if item.get(k)), None)
    if number is None and isinstance(item.get("referencesOrder"), dict):
        number = item["referencesOrder"].get("orderNumber")
    total, currency = None, None
    for key in ("totalPaymentDue", "price", "priceSpecification"):
        if item.get(key) is not None:
            total, currency = _amount(item[key], item.get("priceCurrency"))
            if total is not None:
                break
    return MarkupOrder(
        kind=kind,
        merchant_name=_text(merchant),
        merchant_url=_text(merchant_url),
        order_number=_text(number),
        total=total,
        currency=currency,
    )


def _microdata_item(scope: LexborNode) -> dict[str, Any]:
    """itemprop → value for the props that belong to ``scope`` (not to nested items)."""
    item: dict[str, Any] = {"@type": scope.attributes.get("itemtype")}
    for node in scope.css("[itemprop]"):
        if _owner(node) != scope.mem_id:
            continue
        value: Any
        if "itemscope" in node.attributes:
            value = _microdata_item(node)
        else:
            attrs = node.attributes
            value = next(
                (attrs[a] for a in ("content", "href", "src", "datetime", "value") if attrs.get(a)),
                node.text(deep=True),
            )
        for name in (node.attributes.get("itemprop") or "").split():
            item.setdefault(name, value)
    return item


def _owner(node: LexborNode) -> int | None:
    """mem_id of the nearest itemscope ancestor of ``node`` (itself excluded)."""
    parent = node.parent
    while parent is not None:
        if parent.attributes and "itemscope" in parent.attributes:
            return parent.mem_id
        parent = parent.parent
    return None
