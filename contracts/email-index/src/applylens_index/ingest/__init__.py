"""Mail ingestion: sources (mbox, .eml), parsing into EmailDocument, categories, and the demo mailbox.

Typical use (what ``applylens import`` does)::

    for batch in batched(iter_parsed(path, user_id), 1000):
        docs = [r.doc for r in batch if r.ok]
        failures = [r for r in batch if not r.ok]   # report, skip
"""

from .categorize import CATEGORIES, categorize, category_from_labels, normalise_labels
from .decode import decode_bytes, html_to_text
from .parse import (
    MAX_HTML_CHARS,
    MAX_TEXT_CHARS,
    UNKNOWN_DATE,
    email_id_for,
    gmail_thread_id,
    normalise_message_id,
    parse_message,
    parse_result,
)
from .results import MessageParseError, ParsedOk, ParseFailed, ParseResult, RawMessage
from .sources import (
    MAX_MESSAGE_BYTES,
    batched,
    iter_eml_folder,
    iter_mbox,
    iter_messages,
    iter_parsed,
    source_size,
)

__all__ = [
    "CATEGORIES",
    "MAX_HTML_CHARS",
    "MAX_MESSAGE_BYTES",
    "MAX_TEXT_CHARS",
    "UNKNOWN_DATE",
    "MessageParseError",
    "ParseFailed",
    "ParseResult",
    "ParsedOk",
    "RawMessage",
    "batched",
    "categorize",
    "category_from_labels",
    "decode_bytes",
    "email_id_for",
    "gmail_thread_id",
    "html_to_text",
    "iter_eml_folder",
    "iter_mbox",
    "iter_messages",
    "iter_parsed",
    "normalise_labels",
    "normalise_message_id",
    "parse_message",
    "parse_result",
    "source_size",
]
