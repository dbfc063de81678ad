"""Text decoding helpers: charsets, surrogate clean-up and HTML to text.

Mail arrives in every charset, declared correctly or not. Nothing here raises on
bad input: undecodable bytes become U+FFFD, never an exception.
"""

from __future__ import annotations

import codecs
import re

from selectolax.lexbor import LexborHTMLParser

# Declared charsets that are, in practice, windows-1252 (WHATWG encoding standard).
_AS_CP1252 = frozenset({"us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "iso8859-1", "l1"})
_SURROGATES = re.compile("[\ud800-\udfff]")


def _codec(charset: str | None) -> str | None:
    """The Python codec name for a MIME charset label, or None when unknown."""
    if not charset:
        return None
    label = charset.strip().strip('"').lower()
    if label in _AS_CP1252:
        return "cp1252"
    if label in {"utf8", "utf-8", "unicode-1-1-utf-8"}:
        return "utf-8"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode a body part: the declared charset when Python knows it, else UTF-8, else windows-1252.

    A known charset decodes with replacement (bad bytes become U+FFFD); an unknown or
    missing charset tries strict UTF-8 first because most undeclared mail is UTF-8.
    """
    codec = _codec(charset)
    if codec == "cp1252" or codec is None:
        try:
            return data.decode("utf-8")  # mislabelled UTF-8 is the common case
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    try:
        return data.decode(codec, errors="replace")
    except (LookupError, UnicodeError, ValueError):  # e.g. a stateful codec choking
        return data.decode("utf-8", errors="replace")


def clean_text(value: str) -> str:
    """Repair strings the stdlib produced with surrogate escapes (raw 8-bit or unknown-charset headers)."""
    if not _SURROGATES.search(value):
        return value
    raw = value.encode("utf-8", errors="surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252", errors="replace")
        except UnicodeEncodeError:  # a lone surrogate that was not an escape
            return _SURROGATES.sub("\ufffd", value)
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", value)


_BLOCK_END = re.compile(
    r"<br\s*/?>|</(?:p|div|tr|li|h[1-6]|table|ul|ol|section|article|header|footer|blockquote|pre|dd|dt)\s*>",
    re.IGNORECASE,
)
_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)
_PARA = "\u2029"  # sentinel for a line break that survives whitespace collapsing
_SPACES = re.compile(r"[^\S\u2029]+")
_BREAKS = re.compile(r" ?\u2029[\u2029 ]*")
_DROP = ["script", "style", "head", "noscript", "template", "svg"]


def html_to_text(html: str) -> str:
    """Visible text of an HTML body: scripts, styles and <head> dropped, one line per block element."""
    if not html:
        return ""
    marked = _CELL_END.sub(lambda m: m.group(0) + " ", _BLOCK_END.sub(lambda m: m.group(0) + _PARA, html))
    tree = LexborHTMLParser(marked)
    tree.strip_tags(_DROP)
    root = tree.body or tree.root
    if root is None:
        return ""
    text = root.text(separator="", deep=True) or ""
    text = _SPACES.sub(" ", text)
    return _BREAKS.sub("\n", text).strip()


def normalise_plain(text: str) -> str:
    """Plain-text body tidied for indexing: unified newlines, trailing spaces and runs of blank lines removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
