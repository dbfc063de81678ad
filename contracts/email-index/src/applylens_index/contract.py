"""The emails index contract: what every engine does, in the same way (pure types, no I/O).

Engines: :class:`~applylens_index.postgres.PostgresEmailIndex` (the default) and
:class:`~applylens_index.elastic.ElasticsearchEmailIndex`. ``open_index`` picks one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from applylens_contracts.email import AtsFields, EmailDocument, MoneyFields

from .query import EmailQuery


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result. ``score`` is engine-specific in scale (see ``query``); ``matched`` lists
    the labels of the boosts this document matched (only when the query asked to explain)."""

    doc: EmailDocument
    score: float
    matched: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Up to ``query.size`` hits in the query's order; ``total`` counts every match (exact)."""

    hits: list[Hit]
    total: int


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """What an upsert did, per document: ``new_ids`` were not in the index before (in input order);
    ``updated`` documents existed and changed; ``unchanged`` existed with identical content
    (a repeated id inside one call counts as unchanged)."""

    new_ids: tuple[str, ...] = ()
    updated: int = 0
    unchanged: int = 0

    @property
    def new(self) -> int:
        return len(self.new_ids)


PartialUpdate = tuple[str, Mapping[str, Mapping[str, Any]]]
"""``(doc_id, {"ats": {...}})`` or ``(doc_id, {"money": {...}})`` (or both keys)."""

_NESTED = {"ats": AtsFields, "money": MoneyFields}


def validate_partial(doc_id: str, patch: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Check one partial update and return it JSON-ready (dates as ISO strings, amounts as strings).

    Only ``ats`` and ``money`` may be updated; their keys must be fields of AtsFields /
    MoneyFields and their values valid for them. A None value removes that field.
    Raises ValueError naming the document, the field and the value.
    """
    if not doc_id:
        raise ValueError("partial update needs a non-empty document id")
    if not patch:
        raise ValueError(f"partial update of {doc_id!r} is empty; expected an 'ats' or 'money' object")
    out: dict[str, dict[str, Any]] = {}
    for key, values in patch.items():
        model = _NESTED.get(key)
        if model is None:
            raise ValueError(f"partial update of {doc_id!r}: field {key!r} cannot be updated; only 'ats' and 'money'")
        if not isinstance(values, Mapping) or not values:
            raise ValueError(f"partial update of {doc_id!r}: {key!r} must be a non-empty object, got {values!r}")
        unknown = sorted(set(values) - set(model.model_fields))
        if unknown:
            raise ValueError(
                f"partial update of {doc_id!r}: unknown {key} field(s) {unknown}; known: {sorted(model.model_fields)}"
            )
        try:
            parsed = model.model_validate(dict(values))
        except ValueError as exc:
            raise ValueError(f"partial update of {doc_id!r}: invalid {key}: {exc}") from None
        dumped = parsed.model_dump(mode="json")
        out[key] = {name: dumped[name] for name in values}
    return out


def merge_partials(updates: Sequence[PartialUpdate]) -> dict[str, dict[str, dict[str, Any]]]:
    """Validate a batch and fold repeated ids together (a later value wins), keeping first-seen order."""
    merged: dict[str, dict[str, dict[str, Any]]] = {}
    for doc_id, patch in updates:
        for key, values in validate_partial(doc_id, patch).items():
            merged.setdefault(doc_id, {}).setdefault(key, {}).update(values)
    return merged


def dedupe_docs(docs: Sequence[EmailDocument]) -> tuple[list[EmailDocument], int]:
    """The last document per (user_id, id), in first-seen order, and how many repeats were dropped
    (a bulk write cannot hold the same key twice)."""
    by_key: dict[tuple[str, str], EmailDocument] = {}
    for doc in docs:
        by_key[(doc.user_id, doc.id)] = doc
    return list(by_key.values()), len(docs) - len(by_key)


@runtime_checkable
class EmailIndex(Protocol):
    """The emails index. All methods are coroutines; every read and write is scoped to one user.

    Read-after-write: PostgreSQL sees a write at once; Elasticsearch after its refresh
    (immediately when the engine was built with ``refresh="wait_for"``).
    """

    async def ensure(self) -> None:
        """Create the index (mapping / tables) if missing and apply the ``ats.*`` mapping update.
        Idempotent: safe at every start, by several replicas at once."""

    async def upsert(self, docs: Sequence[EmailDocument]) -> UpsertResult:
        """Insert or update documents, idempotent by (user_id, id). Mail fields are replaced;
        ``ats``/``money`` are replaced only when the incoming document carries them (an
        import never wipes enrichment). An empty sequence is a no-op."""

    async def update_partial(self, user_id: str, updates: Sequence[PartialUpdate]) -> int:
        """Merge each patch into the document's ``ats``/``money`` object, keeping the fields
        it does not name. Returns how many documents were found and updated; unknown ids are
        skipped. ValueError for invalid patches (nothing is written then)."""

    async def get(self, user_id: str, ids: Sequence[str]) -> list[EmailDocument]:
        """The user's documents with these ids, in the order of ``ids``; missing ids are left out."""

    async def search(self, query: EmailQuery) -> SearchResult:
        """The best ``query.size`` matches in ``query.sort`` order and the exact total."""

    def stream(self, query: EmailQuery, batch_size: int = 500) -> AsyncIterator[EmailDocument]:
        """Every match, fetched ``batch_size`` at a time (keyset / search_after), in a stable
        order: received_at descending, or ascending when ``query.sort`` is OLDEST; ties by id
        ascending. Relevance is not computed; boosts and size are ignored."""

    async def close(self) -> None:
        """Release connections (only those the engine opened itself)."""
