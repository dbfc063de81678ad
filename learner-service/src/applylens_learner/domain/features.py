"""Features of an email, as the learner sees it.

Every feature is a string ``<kind>:<value>``:

- ``category:<c>``        the email's category, case-folded;
- ``sender_domain:<d>``   the registrable domain of the sender (``email.amazon.com`` ->
                          ``amazon.com``), so sub-domains share one weight;
- ``listid:<id>``         the List-Id (RFC 2919), the part inside ``<…>`` when a
                          description is present, case-folded;
- ``contains:<token>``    a whole word of the subject (see :func:`subject_tokens`).

Whole words, not substrings: the original matched ``"sale" in subject`` and so learned
from *wholesale*; here ``contains:sale`` exists only when "sale" is a word of the subject.
"""

from __future__ import annotations

import re
import unicodedata

from applylens_contracts.domains import registrable_domain
from applylens_contracts.events import EmailSnapshot

from .stopwords import STOP_WORDS

MAX_TOKENS = 20
"""At most this many distinct subject tokens per email (the first ones, in subject order)."""

MIN_TOKEN_LENGTH = 2
MAX_TOKEN_LENGTH = 40
"""Longer "words" are tracking codes, hashes or glued URLs: noise that would only grow the table."""

# A word is a run of Unicode letters/digits (``\w`` minus ``_``), optionally joined by
# apostrophes ("don't", "o'reilly"). Hyphens, dots, slashes, emoji and punctuation split words.
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def _fold(text: str) -> str:
    """NFKC-normalise (full-width forms, ligatures) and case-fold (``Straße`` -> ``strasse``)."""
    return unicodedata.normalize("NFKC", text).casefold()


def subject_tokens(subject: str | None, *, max_tokens: int = MAX_TOKENS) -> list[str]:
    """The distinct whole-word tokens of a subject, in order of first appearance.

    Tokens are Unicode-aware (``café``, ``Zürich``, ``東京`` are words; a script written
    without spaces yields one token per run), case-folded, with a trailing possessive
    ``'s`` removed. Dropped: stop words (:data:`STOP_WORDS`), pure numbers (``50``, ``2026``,
    ``٣``), tokens shorter than 2 or longer than 40 characters. At most ``max_tokens`` are
    kept. An empty or missing subject gives ``[]``.
    """
    if not subject:
        return []
    seen: dict[str, None] = {}
    for token in _WORD.findall(_fold(subject).translate(_APOSTROPHES)):
        if token.endswith("'s"):
            token = token[:-2]
        if (
            len(token) < MIN_TOKEN_LENGTH
            or len(token) > MAX_TOKEN_LENGTH
            or token.isnumeric()
            or token in STOP_WORDS
            or token in seen
        ):
            continue
        seen[token] = None
        if len(seen) >= max_tokens:
            break
    return list(seen)


def normalise_list_id(list_id: str | None) -> str | None:
    """``"Deals <Deals.Groupon.com>"`` -> ``"deals.groupon.com"``; blank -> None."""
    if not list_id:
        return None
    value = list_id.strip()
    if "<" in value and ">" in value:
        value = value[value.rindex("<") + 1 : value.rindex(">")]
    value = _fold(value.strip().strip("<>").strip())
    return value or None


def normalise_sender_domain(sender_domain: str | None) -> str | None:
    """Registrable domain of a host or address, case-folded.

    Falls back to the bare lower-cased host when no public suffix matches (``localhost``,
    an intranet name), so such senders still get a weight of their own; blank -> None.
    """
    if not sender_domain or not sender_domain.strip():
        return None
    domain = registrable_domain(sender_domain)
    if domain:
        return domain
    host = sender_domain.strip().strip("<>").lower()
    host = host.rsplit("@", 1)[-1].strip().strip(".")
    return host or None


def features(email: EmailSnapshot, *, max_tokens: int = MAX_TOKENS) -> list[str]:
    """The sorted, duplicate-free feature strings of an email snapshot.

    A missing category, sender domain or list id simply produces no feature of that kind;
    an email with nothing usable gives ``[]``.
    """
    out: set[str] = set()
    if email.category and email.category.strip():
        out.add(f"category:{_fold(email.category.strip())}")
    domain = normalise_sender_domain(email.sender_domain)
    if domain:
        out.add(f"sender_domain:{domain}")
    list_id = normalise_list_id(email.list_id)
    if list_id:
        out.add(f"listid:{list_id}")
    out.update(f"contains:{t}" for t in subject_tokens(email.subject, max_tokens=max_tokens))
    return sorted(out)
