"""The Elasticsearch engine of the emails index (async client, bulk helpers, point-in-time streaming).

Documents are routed by ``user_id`` (one user's mail sits on one shard) and their
``_id`` is ``"<len(user_id)>:<user_id>:<id>"``, unambiguous for any user id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch, BadRequestError
from elasticsearch.helpers import async_streaming_bulk

from applylens_contracts.email import EMAILS_INDEX, EmailDocument, ats_fields_mapping, emails_mapping

from ..contract import Hit, PartialUpdate, SearchResult, UpsertResult, dedupe_docs, merge_partials
from ..query import EmailQuery
from .compile import compile_search, compile_stream

Refresh = bool | Literal["wait_for"]
_PIT_KEEP_ALIVE = "2m"


class IndexWriteError(RuntimeError):
    """Some documents of a bulk write failed; ``errors`` holds the first few bulk item errors."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} bulk item(s) failed, first: {errors[:3]}")
        self.errors = errors


def doc_key(user_id: str, doc_id: str) -> str:
    return f"{len(user_id)}:{user_id}:{doc_id}"


class ElasticsearchEmailIndex:
    """The emails index in Elasticsearch (see ``EmailIndex`` for the contract).

    ``refresh``: passed to every write; ``"wait_for"`` makes writes visible to the next
    search (tests), False (default) leaves it to the index refresh interval (imports).
    """

    def __init__(self, client: AsyncElasticsearch, *, index: str = EMAILS_INDEX, refresh: Refresh = False,
                 owns_client: bool = False) -> None:
        self._client = client
        self._index = index
        self._refresh = refresh
        self._owns_client = owns_client

    @classmethod
    def connect(cls, url: str, *, index: str = EMAILS_INDEX, refresh: Refresh = False) -> ElasticsearchEmailIndex:
        return cls(AsyncElasticsearch(url, request_timeout=30), index=index, refresh=refresh, owns_client=True)

    async def ensure(self) -> None:
        if not await self._client.indices.exists(index=self._index):
            try:
                await self._client.indices.create(index=self._index, mappings=emails_mapping())
            except BadRequestError as exc:  # another replica created it first
                if exc.error != "resource_already_exists_exception":
                    raise
        await self._client.indices.put_mapping(index=self._index, properties=ats_fields_mapping()["properties"])

    async def _bulk(self, actions: list[dict[str, Any]]) -> list[tuple[bool, dict[str, Any]]]:
        results = []
        async for ok, item in async_streaming_bulk(
            self._client, actions, chunk_size=1000, raise_on_error=False, raise_on_exception=True, refresh=self._refresh
        ):
            results.append((ok, item["update"]))
        return results

    async def upsert(self, docs: Sequence[EmailDocument]) -> UpsertResult:
        unique, repeats = dedupe_docs(docs)
        if not unique:
            return UpsertResult(unchanged=repeats)
        actions = [
            {"_op_type": "update", "_index": self._index, "_id": doc_key(d.user_id, d.id), "routing": d.user_id,
             "doc": d.to_index(), "doc_as_upsert": True}
            for d in unique
        ]
        results = await self._bulk(actions)
        errors = [item for ok, item in results if not ok]
        if errors:
            raise IndexWriteError(errors)
        outcome = [item.get("result") for _, item in results]
        new_ids = tuple(d.id for d, result in zip(unique, outcome) if result == "created")
        updated = outcome.count("updated")
        return UpsertResult(new_ids=new_ids, updated=updated, unchanged=len(unique) - len(new_ids) - updated + repeats)

    async def update_partial(self, user_id: str, updates: Sequence[PartialUpdate]) -> int:
        if not user_id:
            raise ValueError("user_id is required and must be non-empty")
        merged = merge_partials(updates)
        if not merged:
            return 0
        actions = [
            {"_op_type": "update", "_index": self._index, "_id": doc_key(user_id, doc_id), "routing": user_id,
             "doc": patch}
            for doc_id, patch in merged.items()
        ]
        results = await self._bulk(actions)
        errors = [item for ok, item in results if not ok and item.get("status") != 404]
        if errors:
            raise IndexWriteError(errors)
        return sum(1 for ok, _ in results if ok)

    async def get(self, user_id: str, ids: Sequence[str]) -> list[EmailDocument]:
        if not user_id:
            raise ValueError("user_id is required and must be non-empty")
        ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        resp = await self._client.mget(
            index=self._index, docs=[{"_id": doc_key(user_id, i), "routing": user_id} for i in ids]
        )
        docs = [EmailDocument.model_validate(d["_source"]) for d in resp["docs"] if d.get("found")]
        return [d for d in docs if d.user_id == user_id]

    async def search(self, query: EmailQuery) -> SearchResult:
        resp = await self._client.search(index=self._index, routing=query.user_id, **compile_search(query))
        labels = [b.label for b in query.boosts]
        hits = []
        for h in resp["hits"]["hits"]:
            named = h.get("matched_queries") or []
            matched = tuple(label for i, label in enumerate(labels) if f"boost:{i}" in named) if query.explain else ()
            hits.append(Hit(doc=EmailDocument.model_validate(h["_source"]), score=float(h.get("_score") or 0.0),
                            matched=matched))
        return SearchResult(hits=hits, total=int(resp["hits"]["total"]["value"]))

    async def stream(self, query: EmailQuery, batch_size: int = 500) -> AsyncIterator[EmailDocument]:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        body = compile_stream(query)
        pit = await self._client.open_point_in_time(index=self._index, keep_alive=_PIT_KEEP_ALIVE, routing=query.user_id)
        pit_id = pit["id"]
        try:
            after = None
            while True:
                extra = {"search_after": after} if after is not None else {}
                resp = await self._client.search(
                    pit={"id": pit_id, "keep_alive": _PIT_KEEP_ALIVE}, size=batch_size, track_total_hits=False,
                    **body, **extra,
                )
                pit_id = resp.get("pit_id", pit_id)
                hits = resp["hits"]["hits"]
                for h in hits:
                    yield EmailDocument.model_validate(h["_source"])
                if len(hits) < batch_size:
                    return
                after = hits[-1]["sort"]
        finally:
            await self._client.close_point_in_time(id=pit_id)

    async def close(self) -> None:
        if self._owns_client:
            await self._client.close()
