"""What the ingestion iterators yield: one result per message, never an exception."""

from __future__ import annotations

from dataclasses import dataclass

from applylens_contracts.email import EmailDocument


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One message's bytes as read from a source.

    ``source`` names it for reports: ``"<file>"`` for an .eml, ``"<mbox>#<n>"`` (1-based)
    for the n-th message of an mbox. ``data`` of an mbox message starts with its
    ``From `` envelope line (the parser reads its date as a fallback) and has ``>From``
    unescaped. Unpacks as ``source, data = raw``.
    """

    source: str
    data: bytes

    def __iter__(self):  # so `for source, data in iter_messages(path)` works
        yield self.source
        yield self.data


class MessageParseError(ValueError):
    """A message that cannot be indexed faithfully (broken MIME, truncated, not an email)."""


@dataclass(frozen=True, slots=True)
class ParsedOk:
    """A message parsed into its document. ``size`` is the raw size in bytes (for progress bars)."""

    source: str
    doc: EmailDocument
    size: int = 0

    ok = True


@dataclass(frozen=True, slots=True)
class ParseFailed:
    """A message that was skipped, and why (what an operator needs to find and judge it)."""

    source: str
    reason: str
    size: int = 0

    ok = False


ParseResult = ParsedOk | ParseFailed
