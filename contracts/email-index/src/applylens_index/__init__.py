"""The emails index contract and its two engines (PostgreSQL full-text, Elasticsearch), plus mail ingestion.

Services depend on this package, not on an engine::

    index = await open_index(settings)          # PostgreSQL unless ELASTICSEARCH_URL is set
    await index.ensure()
    result = await index.search(EmailQuery(user_id=user, text="interview", boosts=[...]))

``applylens_contracts`` stays free of engine drivers; this package holds them.
"""

from .contract import EmailIndex, Hit, PartialUpdate, SearchResult, UpsertResult
from .factory import open_index
from .query import (
    AnyOf,
    Boost,
    EmailQuery,
    Exists,
    Not,
    Range,
    Sort,
    Term,
    TextAny,
    TextWeights,
    at_least,
    categories,
    received_between,
    sender_domains,
    terms,
)

__all__ = [
    "AnyOf",
    "Boost",
    "EmailIndex",
    "EmailQuery",
    "Exists",
    "Hit",
    "Not",
    "PartialUpdate",
    "Range",
    "SearchResult",
    "Sort",
    "Term",
    "TextAny",
    "TextWeights",
    "UpsertResult",
    "at_least",
    "categories",
    "open_index",
    "received_between",
    "sender_domains",
    "terms",
]
