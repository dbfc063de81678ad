"""Plain text from e-mail bodies, and whole-word matching.

Pure functions: no I/O. HTML is turned into lines the way a reader sees them: block
elements (p, div, tr, li, br, headings …) end a line, table cells in one row stay on
one line separated by a tab, so "Total | $12.00" in an HTML table becomes the line
``"Total\t$12.00"``. Scripts, styles and ``<head>`` are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser

_BLOCK_TAGS = (
    "p,div,tr,li,h1,h2,h3,h4,h5,h6,table,thead,tbody,tfoot,section,article,header,"
    "footer,blockquote,pre,ul,ol,dl,dt,dd,hr,center,address,caption"
)
_SPACES = re.compile(r"[ \u00a0\u2007\u202f\t]+")


def html_to_text(html: str | None) -> str:
    """Visible text of an HTML document, one visual line per text line.

    Empty or None input gives ``""``. Never raises on malformed HTML (the parser is
    forgiving); non-breaking spaces are kept as-is here and folded by :func:`lines`.
    """
    if not html or not html.strip():
        return ""
    tree = LexborHTMLParser(html)
    tree.strip_tags(["script", "style", "head", "noscript", "template", "title"])
    for node in tree.css("br"):
        node.insert_after("\n")
    for node in tree.css(_BLOCK_TAGS):
        node.insert_before("\n")
        node.insert_after("\n")
    for node in tree.css("td,th"):
        node.insert_after("\t")
    root = tree.body or tree.root
    if root is None:
        return ""
    return root.text(deep=True, separator="")


def lines(text: str) -> list[str]:
    """Non-empty lines of ``text`` with runs of spaces, tabs and NBSPs folded to one space."""
    out = []
    for raw in text.splitlines():
        line = _SPACES.sub(" ", raw).strip()
        if line:
            out.append(line)
    return out


@lru_cache(maxsize=256)
def word_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """A case-insensitive regex matching any of ``phrases`` as whole words.

    Word characters are letters, digits and ``_``: "order" matches "Order #12" and "e-order" but
    not "border" or "disorder"; inner spaces of a phrase match any run of whitespace.
    """
    alternatives = sorted(phrases, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def contains_any(text: str, phrases: Iterable[str]) -> bool:
    """True when ``text`` contains one of ``phrases`` as whole words (case-insensitive)."""
    return word_pattern(tuple(phrases)).search(text) is not None
