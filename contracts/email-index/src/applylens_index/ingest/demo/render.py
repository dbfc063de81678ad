"""Fast, hand-rolled MIME rendering for the demo mailbox (the stdlib email generator is too slow for 100k)."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from decimal import Decimal
from email.utils import format_datetime

_MBOX_FROM = re.compile(rb"^(>*From )", re.MULTILINE)


def format_amount(amount: Decimal, style: str) -> str:
    """An amount as receipts print it: ``usd_symbol`` $1,234.56, ``usd_code`` USD 12.00,
    ``eur_suffix`` 1.234,56 €, ``gbp_symbol`` £12 (pence only when non-zero), ``eur_code``
    EUR 12.50, ``cad_symbol`` CA$45.00. A negative amount (refund) is printed as -… ."""
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    us = f"{value:,.2f}"
    if style == "usd_symbol":
        return f"{sign}${us}"
    if style == "usd_code":
        return f"{sign}USD {us}"
    if style == "eur_suffix":
        return sign + us.replace(",", " ").replace(".", ",").replace(" ", ".") + " €"
    if style == "gbp_symbol":
        return f"{sign}£{value:,.0f}" if value == value.to_integral_value() else f"{sign}£{us}"
    if style == "eur_code":
        return f"{sign}EUR {us}"
    if style == "cad_symbol":
        return f"{sign}CA${us}"
    raise ValueError(f"unknown amount style {style!r}")


def encode_header(value: str) -> str:
    """RFC 2047 (base64, UTF-8) for a non-ASCII header value; ASCII passes through."""
    if value.isascii():
        return value
    return "=?utf-8?b?" + base64.b64encode(value.encode("utf-8")).decode("ascii") + "?="


def address(name: str, addr: str) -> str:
    if not name:
        return addr
    if name.isascii():
        quoted = f'"{name}"' if any(c in name for c in ",;:<>@()&.") else name
        return f"{quoted} <{addr}>"
    return f"{encode_header(name)} <{addr}>"


def _body(text: str, subtype: str, charset: str, transfer: str) -> str:
    data = text.replace("\n", "\r\n").encode(charset, errors="replace")
    if transfer == "base64":
        payload = base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")
    elif transfer == "quoted-printable":
        payload = binascii.b2a_qp(data, istext=False).decode("ascii").replace("\r\n", "\n").replace("\n", "\r\n")
    else:
        transfer, payload = ("8bit", data.decode(charset)) if not data.isascii() else ("7bit", data.decode("ascii"))
    return (
        f'Content-Type: text/{subtype}; charset="{charset}"\r\nContent-Transfer-Encoding: {transfer}\r\n\r\n{payload}'
    )


def render_message(
    headers: list[tuple[str, str]],
    *,
    text: str | None,
    html: str | None,
    charset: str = "utf-8",
    transfer: str = "quoted-printable",
    boundary: str = "b1",
) -> bytes:
    """One RFC 5322 message (CRLF line ends). Both bodies -> multipart/alternative; one -> a single part.

    ``transfer`` is ``quoted-printable``, ``base64`` or ``8bit``; 8bit bodies are encoded
    in ``charset`` (so a windows-1252 body really holds windows-1252 bytes).
    """
    head = "".join(f"{name}: {value}\r\n" for name, value in headers) + "MIME-Version: 1.0\r\n"
    if text is not None and html is not None:
        body = (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\n{_body(text, 'plain', charset, transfer)}\r\n"
            f"--{boundary}\r\n{_body(html, 'html', charset, transfer)}\r\n"
            f"--{boundary}--\r\n"
        )
    elif html is not None:
        body = _body(html, "html", charset, transfer)
    else:
        body = _body(text or "", "plain", charset, transfer)
    out = head + body
    if transfer == "8bit" and charset != "utf-8":
        return out.encode(charset, errors="replace")
    return out.encode("utf-8")


def date_header(dt: datetime) -> str:
    return format_datetime(dt)


def mbox_entry(raw: bytes, envelope_sender: str, when: datetime) -> bytes:
    """One mboxrd entry: ``From`` line, the message with ``>*From `` lines escaped, a blank line."""
    stamp = when.strftime("%a %b %d %H:%M:%S %z %Y")
    body = raw.replace(b"\r\n", b"\n")
    body = _MBOX_FROM.sub(rb">\1", body)
    if not body.endswith(b"\n"):
        body += b"\n"
    return f"From {envelope_sender} {stamp}\n".encode("ascii") + body + b"\n"
