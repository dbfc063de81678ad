"""One raw RFC 5322 message -> one :class:`EmailDocument` (pure: bytes in, document out).

Ids are stable: ``id`` is derived from the Message-ID alone, so importing the same
mail again (from an mbox or as an .eml) yields the same id and changes nothing.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from datetime import datetime, timezone
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache

from applylens_contracts.domains import registrable_domain
from applylens_contracts.email import EmailDocument

from .categorize import categorize, category_from_labels, normalise_labels
from .decode import clean_text, decode_bytes, html_to_text, normalise_plain
from .results import MessageParseError, ParsedOk, ParseFailed, ParseResult

MAX_HTML_CHARS = 512 * 1024  # body_html kept for schema.org readers; larger is cut here
MAX_TEXT_CHARS = 128 * 1024  # PostgreSQL's tsvector limit is 1 MB; nobody searches past this
UNKNOWN_DATE = datetime(1970, 1, 1, tzinfo=timezone.utc)
"""received_at of a message with no usable Date, From_ line or Received header.

Fixed (not "now") so that re-importing the same message yields the same document.
"""
_ID_HEX = 20  # 80 bits: collisions are negligible within one user's mailbox
_MIN_YEAR, _MAX_YEAR = 1980, 2200
_ADDR = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_MSGID = re.compile(r"<([^<>\s]+)>")
_POLICY = email.policy.default  # decodes the headers we read (RFC 2047, addresses)
_PARSE_POLICY = email.policy.compat32  # splits the MIME tree; builds no header objects


def normalise_message_id(value: str | None) -> str | None:
    """``" <AbC@Mail.Example.COM> "`` -> ``"<AbC@mail.example.com>"`` (domain lower-cased), None if empty."""
    if not value:
        return None
    value = value.strip()
    match = _MSGID.search(value)
    core = match.group(1) if match else value.strip("<> \t\r\n")
    if not core or _SPACE.search(core):
        return None
    local, at, domain = core.rpartition("@")
    core = f"{local}@{domain.lower()}" if at else core
    return f"<{core}>"


def email_id_for(message_id: str) -> str:
    """Document id of a Message-ID: the first 20 hex digits of SHA-256 of its normalised form."""
    normal = normalise_message_id(message_id) or message_id
    return hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()[:_ID_HEX]


def gmail_thread_id(thrid: str) -> str:
    """thread_id of a message carrying Gmail's ``X-GM-THRID`` header."""
    return f"gm-{thrid.strip()}"


def _content_id(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return "c" + digest[: _ID_HEX - 1]


_LINESEP = re.compile(r"\r\n|\r|\n")
_SPACE = re.compile(r"\s")


def _plain(raw: str) -> bool:
    return raw.isascii() and "=?" not in raw


@lru_cache(maxsize=256)
def _header_class(name: str) -> type:
    # HeaderRegistry builds a new class on every lookup; build each one once.
    return _POLICY.header_factory[name]


class _Headers:
    """First value of each header, raw; decoded on demand exactly as ``email.policy.default`` would.

    The MIME tree is parsed with compat32 (fast: no header objects built while parsing)
    and only the handful of headers we read go through policy.default's header factory
    (RFC 2047 decoding, address parsing).
    """

    __slots__ = ("msg", "first")

    def __init__(self, msg: Message) -> None:
        self.msg = msg
        self.first: dict[str, str] = {}
        for key, value in msg.raw_items():
            self.first.setdefault(key.lower(), value if isinstance(value, str) else str(value))

    def raw(self, name: str) -> str | None:
        value = self.first.get(name.lower())
        # Raw 8-bit header bytes arrive as surrogate escapes: decode them (UTF-8, else windows-1252) first.
        return None if value is None else clean_text(_LINESEP.sub("", value))

    def parsed(self, name: str):
        raw = self.raw(name)
        if raw is None:
            return None
        try:
            return _header_class(name.lower())(name, raw)
        except Exception:  # the stdlib header parser has edge-case crashes; keep the raw text instead
            return raw

    def text(self, name: str) -> str | None:
        """The header's decoded value (RFC 2047), surrogate-free and stripped."""
        raw = self.raw(name)
        if raw is not None and _plain(raw):
            return raw.strip()  # nothing to decode: skip the (slow) header parser
        value = self.parsed(name)
        return None if value is None else clean_text(str(value)).strip()

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """(display name, addr-spec) pairs; tolerant of malformed values."""
        raw = self.raw(name)
        if raw is not None and _plain(raw) and '"' not in raw and "(" not in raw:
            found = [(n, a) for n, a in getaddresses([raw]) if "@" in a]
            if found:  # simple ASCII lists parse the same with email.utils, much faster
                return found
        header = self.parsed(name)
        if header is None:
            return []
        try:
            found = [(clean_text(a.display_name), clean_text(a.addr_spec)) for a in header.addresses if a.addr_spec]
            if found:
                return found
        except Exception:
            pass
        raw = clean_text(str(header))
        pairs = [(n, a) for n, a in getaddresses([raw]) if "@" in a]
        return pairs or [("", a) for a in _ADDR.findall(raw)]


def _format_address(name: str, addr: str) -> str:
    if not name:
        return addr
    if any(c in name for c in ',;:<>@"()[]\\'):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{addr}>"


def _sane(dt: datetime | None) -> datetime | None:
    if dt is None or not (_MIN_YEAR <= dt.year <= _MAX_YEAR):
        return None
    if dt.tzinfo is None:  # "-0000" means UTC with the origin's zone unknown
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _sane(parsedate_to_datetime(value.strip()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _received_at(msg: Message, heads: _Headers) -> datetime:
    """Date header; else the mbox ``From `` line's date; else the newest Received hop; else UNKNOWN_DATE."""
    raw_date = heads.raw("Date")
    found = _parse_date(clean_text(raw_date) if raw_date else None)
    if found:
        return found
    unixfrom = msg.get_unixfrom()
    if unixfrom:
        parts = unixfrom.split(None, 2)  # "From", envelope sender, date
        found = _parse_date(parts[2] if len(parts) == 3 else None)
        if found:
            return found
    for key, value in msg.raw_items():
        if key.lower() == "received" and ";" in str(value):
            found = _parse_date(str(value).rsplit(";", 1)[1])
            if found:
                return found
    return UNKNOWN_DATE


def _thread_id(heads: _Headers, own_id: str) -> str:
    thrid = heads.raw("X-GM-THRID")
    if thrid and thrid.strip():
        return gmail_thread_id(thrid)
    for name in ("References", "In-Reply-To"):
        raw = heads.raw(name)
        if raw:
            match = _MSGID.search(raw)
            if match:
                return email_id_for(f"<{match.group(1)}>")
    return own_id


def _list_id(heads: _Headers) -> str | None:
    value = heads.text("List-Id")
    if not value:
        return None
    match = re.search(r"<([^<>]+)>", value)
    list_id = (match.group(1) if match else value).strip().lower()
    return list_id or None


def _labels(heads: _Headers) -> list[str]:
    value = heads.text("X-Gmail-Labels")
    if not value:
        return []
    # Comma-separated; a label holding a comma is double-quoted.
    tokens = re.findall(r'"((?:[^"\\]|\\.)*)"|([^,]+)', value)
    return normalise_labels(q.replace('\\"', '"') if q else p for q, p in tokens)


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def _check_structure(msg: Message) -> None:
    """Raise MessageParseError for messages that cannot be indexed faithfully."""
    if not any(k.lower() in ("from", "date", "message-id", "subject", "to") for k in msg.keys()):
        raise MessageParseError("no email headers (From, Date, Message-ID, Subject, To all missing)")
    for defect in msg.defects:
        name = type(defect).__name__
        if name == "MissingHeaderBodySeparatorDefect":
            raise MessageParseError("malformed header block: a non-header line before the blank line")
    for part in msg.walk():
        for defect in part.defects:
            name = type(defect).__name__
            if name == "StartBoundaryNotFoundDefect":
                raise MessageParseError(
                    f"broken MIME: multipart boundary {part.get_boundary()!r} never appears in the body"
                )
            if name == "CloseBoundaryNotFoundDefect":
                raise MessageParseError(
                    f"truncated MIME: closing boundary --{part.get_boundary()}-- missing (message cut off?)"
                )
            if name == "NoBoundaryInMultipartDefect":
                raise MessageParseError("broken MIME: multipart content type without a boundary parameter")


def _text_parts(msg: Message) -> tuple[Message | None, Message | None]:
    """First inline text/plain and text/html parts, depth first.

    Attachments (Content-Disposition: attachment) and forwarded messages (message/*)
    are not entered, and their bodies are never decoded.
    """
    plain = html = None
    stack = [msg]
    while stack and (plain is None or html is None):
        part = stack.pop()
        ctype = part.get_content_type()
        if part.is_multipart():
            if not ctype.startswith("message/"):
                payload = part.get_payload()
                stack.extend(reversed(payload if isinstance(payload, list) else []))
            continue
        if ctype not in ("text/plain", "text/html"):
            continue
        disposition = (part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
        if disposition == "attachment":
            continue
        if ctype == "text/plain" and plain is None:
            plain = part
        elif ctype == "text/html" and html is None:
            html = part
    return plain, html


def _bodies(msg: Message) -> tuple[str, str | None]:
    """(body_text, body_html): text/plain preferred, else HTML as text."""
    plain_part, html_part = _text_parts(msg)
    html = _part_text(html_part) if html_part is not None else None
    if html is not None:  # the same mail from an mbox (LF) and an .eml (CRLF) must give the same document
        html = html.replace("\r\n", "\n").strip()
    text = normalise_plain(_part_text(plain_part)) if plain_part is not None else ""
    if not text and html:
        text = html_to_text(html)
    if html is not None and len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
    return text[:MAX_TEXT_CHARS], html


def parse_message(raw: bytes, user_id: str, *, unknown_date: datetime = UNKNOWN_DATE) -> EmailDocument:
    """Parse one message (bytes, optionally starting with an mbox ``From `` line) for ``user_id``.

    - ``id``: :func:`email_id_for` of the Message-ID; without one, a hash of From, To,
      Date, Subject and body text (prefixed ``c``), stable across re-imports.
    - ``thread_id``: ``gm-<X-GM-THRID>`` for Gmail exports; else the id of the root of
      References (or In-Reply-To); else the message's own id.
    - ``from``: ``"Name <addr>"`` as decoded; ``to``: addr-specs of To and Cc.
    - ``received_at``: in UTC, from the Date header; else the mbox ``From `` line; else
      the newest Received hop; else ``unknown_date`` (default 1970-01-01Z, fixed so
      that re-imports are idempotent).
    - ``category``: Gmail category label when present, else :func:`categorize`.
    - ``body_text``: text/plain preferred, else HTML as text; capped at MAX_TEXT_CHARS;
      ``body_html`` capped at MAX_HTML_CHARS. Attachments are skipped, never decoded.

    Raises :class:`MessageParseError` for broken or truncated MIME and non-emails.
    """
    msg = email.message_from_bytes(raw, policy=_PARSE_POLICY)  # type: ignore[arg-type]
    _check_structure(msg)
    heads = _Headers(msg)

    senders = heads.addresses("From")
    sender_name, sender_addr = senders[0] if senders else ("", "")
    from_ = _format_address(sender_name, sender_addr) if sender_addr else heads.text("From")
    to = [addr.lower() for _, addr in heads.addresses("To") + heads.addresses("Cc")]
    subject = " ".join((heads.text("Subject") or "").split())
    body_text, body_html = _bodies(msg)
    received_at = _received_at(msg, heads)
    if received_at is UNKNOWN_DATE:
        received_at = unknown_date

    message_id = normalise_message_id(clean_text(heads.raw("Message-ID") or ""))
    if message_id:
        doc_id = email_id_for(message_id)
    else:
        doc_id = _content_id(from_ or "", ",".join(to), heads.text("Date") or "", subject, body_text)
    sender_domain = registrable_domain(sender_addr) if sender_addr else None
    list_id = _list_id(heads)
    labels = _labels(heads)
    category = category_from_labels(labels) or categorize(
        subject, body_text, sender_domain=sender_domain, list_id=list_id
    )
    return EmailDocument(
        id=doc_id,
        user_id=user_id,
        thread_id=_thread_id(heads, doc_id),
        message_id=message_id,
        from_=from_ or None,
        sender_domain=sender_domain,
        list_id=list_id,
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        received_at=received_at,
        category=category,
        labels=labels,
    )


def parse_result(raw: bytes, user_id: str, source: str = "<bytes>") -> ParseResult:
    """:func:`parse_message` that never raises: ParsedOk, or ParseFailed with the reason."""
    try:
        return ParsedOk(source=source, doc=parse_message(raw, user_id), size=len(raw))
    except MessageParseError as exc:
        return ParseFailed(source=source, reason=str(exc), size=len(raw))
    except Exception as exc:  # noqa: BLE001 - one bad message must never stop an import
        return ParseFailed(source=source, reason=f"unparseable message: {type(exc).__name__}: {exc}", size=len(raw))
