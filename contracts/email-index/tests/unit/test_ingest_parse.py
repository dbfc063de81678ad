"""parse_message: headers, bodies, encodings, charsets, ids, dates, categories, bad MIME."""

from __future__ import annotations

import base64
import time
from datetime import datetime, timedelta, timezone

import pytest
from applylens_index.ingest import (
    UNKNOWN_DATE,
    MessageParseError,
    email_id_for,
    parse_message,
    parse_result,
)

USER = "alice@example.com"


def msg(headers: str, body: bytes | str = b"Hello there.\n") -> bytes:
    body_bytes = body.encode("utf-8") if isinstance(body, str) else body
    return headers.strip("\n").replace("\n", "\r\n").encode("utf-8") + b"\r\n\r\n" + body_bytes


BASIC = """
From: "Jordan Lee" <Jordan.Lee@Mail.NorthwindLabs.com>
To: Alice <alice@example.com>, bob@example.com
Cc: carol@example.com
Subject: Lunch plans
Date: Tue, 20 Feb 2024 08:00:00 +0100
Message-ID: <abc123@mail.northwindlabs.com>
"""


def test_headers_and_plain_body():
    doc = parse_message(msg(BASIC, "Hi Alice,\r\nSee you at noon.\r\n"), USER)
    assert doc.user_id == USER
    assert doc.from_ == "Jordan Lee <Jordan.Lee@Mail.NorthwindLabs.com>"
    assert doc.to == ["alice@example.com", "bob@example.com", "carol@example.com"]
    assert doc.subject == "Lunch plans"
    assert doc.body_text == "Hi Alice,\nSee you at noon."
    assert doc.body_html is None
    assert doc.message_id == "<abc123@mail.northwindlabs.com>"
    assert doc.received_at == datetime(2024, 2, 20, 7, 0, tzinfo=timezone.utc)
    assert doc.received_at.utcoffset() == timedelta(0)  # normalised to UTC
    assert doc.sender_domain == "northwindlabs.com"
    assert doc.thread_id == doc.id
    assert doc.to_index()["from"] == doc.from_


def test_registrable_sender_domain_multi_part_suffix_and_lookalike():
    uk = parse_message(msg(BASIC.replace("Jordan.Lee@Mail.NorthwindLabs.com", "news@email.amazon.co.uk")), USER)
    assert uk.sender_domain == "amazon.co.uk"
    evil = parse_message(msg(BASIC.replace("Jordan.Lee@Mail.NorthwindLabs.com", "x@amazon.com.evil.io")), USER)
    assert evil.sender_domain == "evil.io"


def test_same_message_twice_gives_same_id_and_document():
    raw = msg(BASIC)
    assert parse_message(raw, USER) == parse_message(raw, USER)
    # the id depends on the Message-ID only (not on folding, Date or the mbox envelope line)
    other = msg(BASIC.replace("Lunch plans", "Lunch plans (edited)"))
    assert parse_message(other, USER).id == parse_message(raw, USER).id
    with_envelope = b"From MAILER-DAEMON Tue Feb 20 08:00:00 2024\n" + raw
    assert parse_message(with_envelope, USER).id == parse_message(raw, USER).id
    assert parse_message(raw, USER).id == email_id_for("<abc123@mail.northwindlabs.com>")
    assert email_id_for(" <abc123@MAIL.northwindlabs.com> ") == email_id_for("<abc123@mail.northwindlabs.com>")
    assert email_id_for("<abc124@mail.northwindlabs.com>") != email_id_for("<abc123@mail.northwindlabs.com>")


def test_missing_message_id_gets_stable_content_id():
    headers = BASIC.replace("Message-ID: <abc123@mail.northwindlabs.com>\n", "")
    a = parse_message(msg(headers, "body one"), USER)
    b = parse_message(msg(headers, "body one"), USER)
    c = parse_message(msg(headers, "body two"), USER)
    assert a.message_id is None
    assert a.id == b.id != c.id
    assert a.id.startswith("c")


def test_thread_id_from_gmail_then_references_then_in_reply_to():
    gm = parse_message(msg(BASIC + "X-GM-THRID: 1790000000000000001\nReferences: <root@x.com>\n"), USER)
    assert gm.thread_id == "gm-1790000000000000001"
    refs = parse_message(msg(BASIC + "References: <root@x.com> <mid@x.com>\nIn-Reply-To: <mid@x.com>\n"), USER)
    assert refs.thread_id == email_id_for("<root@x.com>")
    reply = parse_message(msg(BASIC + "In-Reply-To: <parent@x.com>\n"), USER)
    assert reply.thread_id == email_id_for("<parent@x.com>")
    root = parse_message(msg(BASIC.replace("abc123@mail.northwindlabs.com", "root@x.com")), USER)
    assert root.thread_id == root.id == refs.thread_id  # the root and its replies share a thread


def test_html_only_mail_becomes_text_and_html_is_kept():
    html = (
        "<html><head><title>T</title><style>p{color:red}</style>"
        '<script type="application/ld+json">{"@type":"Order"}</script></head>'
        "<body><h1>Your order</h1><p>Total:&nbsp;<b>$1,234.56</b></p><table><tr><td>Item</td><td>$1.00</td></tr></table>"
        "<script>var x = 'hidden';</script></body></html>"
    )
    doc = parse_message(msg(BASIC + "Content-Type: text/html; charset=utf-8\n", html), USER)
    assert doc.body_text.splitlines() == ["Your order", "Total: $1,234.56", "Item $1.00"]
    assert "hidden" not in doc.body_text and "color" not in doc.body_text and "@type" not in doc.body_text
    assert doc.body_html is not None and '"@type":"Order"' in doc.body_html


def test_multipart_alternative_prefers_plain():
    body = (
        "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain version\r\n"
        "--XX\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html version</p>\r\n--XX--\r\n"
    )
    doc = parse_message(
        msg(BASIC + 'MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="XX"\n', body), USER
    )
    assert doc.body_text == "plain version"
    assert doc.body_html == "<p>html version</p>"


def test_quoted_printable_body():
    body = b"Caf=C3=A9 cr=C3=A8me, a very long line that was soft=\r\n-wrapped here.\r\n"
    headers = BASIC + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n"
    assert (
        parse_message(msg(headers, body), USER).body_text == "Café crème, a very long line that was soft-wrapped here."
    )


def test_base64_html_body():
    body = base64.encodebytes("<p>Grüße aus Zürich</p>".encode()).replace(b"\n", b"\r\n")
    headers = BASIC + "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n"
    assert parse_message(msg(headers, body), USER).body_text == "Grüße aus Zürich"


@pytest.mark.parametrize(
    ("charset", "raw", "expected"),
    [
        ("iso-8859-1", "Café déjà vu".encode("latin-1"), "Café déjà vu"),
        ("windows-1252", "Total: 12,50 € – “quoted”".encode("cp1252"), "Total: 12,50 € – “quoted”"),
        # iso-8859-1 labels are read as windows-1252 (what senders actually mean): 0x80 is €
        ("iso-8859-1", "Preis 9 €".encode("cp1252"), "Preis 9 €"),
        ("koi8-r", "Привет".encode("koi8-r"), "Привет"),
        ("x-no-such-charset", "naïve".encode("utf-8"), "naïve"),  # unknown label, UTF-8 bytes
        ("x-no-such-charset", "naïve".encode("latin-1"), "naïve"),  # unknown label, 8-bit bytes
    ],
)
def test_body_charsets(charset, raw, expected):
    headers = BASIC + f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: 8bit\n"
    assert parse_message(msg(headers, raw), USER).body_text == expected


def test_invalid_bytes_in_declared_charset_are_replaced_not_raised():
    headers = BASIC + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
    doc = parse_message(msg(headers, b"ok \xff\xfe bytes"), USER)
    assert doc.body_text.startswith("ok ") and doc.body_text.endswith(" bytes")


def test_rfc2047_subject_and_from_and_unknown_charset_header():
    headers = BASIC.replace(
        "Subject: Lunch plans", "Subject: =?utf-8?q?Caf=C3=A9_=E2=82=AC?= =?iso-8859-1?b?ZOlq4A==?="
    )
    headers = headers.replace('"Jordan Lee"', "=?utf-8?b?SsO8cmdlbiBNw7xsbGVy?=")
    doc = parse_message(msg(headers), USER)
    assert doc.subject == "Café €déjà"
    assert doc.from_ == "Jürgen Müller <Jordan.Lee@Mail.NorthwindLabs.com>"
    bogus = parse_message(msg(BASIC.replace("Subject: Lunch plans", "Subject: =?x-bogus?q?caf=E9?= ok")), USER)
    assert bogus.subject.startswith("caf") and bogus.subject.endswith("ok")
    bogus.model_dump_json()  # no lone surrogates survive into the document


def test_raw_8bit_header_bytes_are_decoded():
    raw = msg(BASIC.replace("Subject: Lunch plans", "Subject: Grüße"))
    assert parse_message(raw, USER).subject == "Grüße"
    latin = raw.replace("Grüße".encode(), "Grüße".encode("latin-1"))
    assert parse_message(latin, USER).subject == "Grüße"


def test_list_id_and_gmail_labels_category():
    headers = (
        BASIC
        + 'List-Id: "Deals & Co" <Deals.Shop.Example.com>\nX-Gmail-Labels: Inbox,Category Promotions,"Trips, 2024",Opened\n'
    )
    doc = parse_message(msg(headers), USER)
    assert doc.list_id == "deals.shop.example.com"
    assert doc.labels == ["INBOX", "CATEGORY_PROMOTIONS", "Trips, 2024", "Opened"]
    assert doc.category == "promo"


@pytest.mark.parametrize(
    ("label", "category"),
    [
        ("Category Updates", "updates"),
        ("CATEGORY_SOCIAL", "social"),
        ("Category Forums", "forums"),
        ("Category Personal", "personal"),
        ("Category Purchases", "finance"),
        ("Purchases", "finance"),
    ],
)
def test_gmail_category_labels_win_over_rules(label, category):
    headers = BASIC.replace("Lunch plans", "50% off flash sale") + f"X-Gmail-Labels: {label}\n"
    assert parse_message(msg(headers), USER).category == category


def test_without_labels_category_comes_from_rules():
    headers = BASIC.replace("Jordan.Lee@Mail.NorthwindLabs.com", "no-reply@us.greenhouse-mail.io").replace(
        "Lunch plans", "Thank you for applying to Northwind Labs"
    )
    assert parse_message(msg(headers), USER).category == "recruiting"
    assert parse_message(msg(BASIC), USER).category == "personal"


def test_date_fallbacks_are_timezone_aware():
    no_date = BASIC.replace("Date: Tue, 20 Feb 2024 08:00:00 +0100\n", "")
    envelope = b"From sender@x.com Mon Jan  1 09:30:00 2024\n" + msg(no_date)
    assert parse_message(envelope, USER).received_at == datetime(2024, 1, 1, 9, 30, tzinfo=timezone.utc)
    received = msg("Received: from a by b; Wed, 3 Jan 2024 10:00:00 -0500\n" + no_date.lstrip("\n"))
    assert parse_message(received, USER).received_at == datetime(2024, 1, 3, 15, 0, tzinfo=timezone.utc)
    garbage = msg(BASIC.replace("Tue, 20 Feb 2024 08:00:00 +0100", "sometime last week"))
    assert parse_message(garbage, USER).received_at == UNKNOWN_DATE
    minus_zero = msg(BASIC.replace("+0100", "-0000"))
    assert parse_message(minus_zero, USER).received_at == datetime(2024, 2, 20, 8, 0, tzinfo=timezone.utc)


def test_large_attachment_is_skipped_quickly():
    attachment = base64.encodebytes(bytes(range(256)) * (20 * 1024 * 1024 // 256)).replace(b"\n", b"\r\n")
    body = (
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attached video.\r\n"
        b"--B\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\n"
        b"attached text must not become the body\r\n"
        b"--B\r\nContent-Type: video/mp4\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename=big.mp4\r\n\r\n" + attachment + b"--B--\r\n"
    )
    raw = msg(BASIC + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n', body)
    assert len(raw) > 20 * 1024 * 1024
    started = time.perf_counter()
    doc = parse_message(raw, USER)
    assert time.perf_counter() - started < 10
    assert doc.body_text == "See the attached video."
    assert doc.body_html is None


def test_attachment_only_text_is_not_the_body():
    body = (
        "--B\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nsecret\r\n--B--\r\n"
    )
    doc = parse_message(msg(BASIC + 'Content-Type: multipart/mixed; boundary="B"\n', body), USER)
    assert doc.body_text == ""


def test_huge_html_is_capped():
    from applylens_index.ingest import MAX_HTML_CHARS, MAX_TEXT_CHARS

    html = "<p>" + "word " * (MAX_HTML_CHARS // 2) + "</p>"
    doc = parse_message(msg(BASIC + "Content-Type: text/html; charset=utf-8\n", html), USER)
    assert len(doc.body_html) == MAX_HTML_CHARS
    assert len(doc.body_text) <= MAX_TEXT_CHARS


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            msg(
                BASIC + 'Content-Type: multipart/mixed; boundary="B"\n',
                "--B\r\nContent-Type: text/plain\r\n\r\ncut off he",
            ),
            "truncated MIME",
        ),
        (msg(BASIC + 'Content-Type: multipart/mixed; boundary="B"\n', "no boundary anywhere"), "broken MIME"),
        (msg(BASIC + "Content-Type: multipart/mixed\n", "--B\r\nx\r\n--B--"), "broken MIME"),
        (b"just some text\r\nwithout any headers\r\n", "no email headers"),
        (msg(BASIC + "this line is not a header\n"), "malformed header block"),
    ],
)
def test_broken_messages_raise_and_parse_result_reports(raw, reason):
    with pytest.raises(MessageParseError, match=reason):
        parse_message(raw, USER)
    result = parse_result(raw, USER, "fixture#1")
    assert not result.ok and result.source == "fixture#1" and reason in result.reason
