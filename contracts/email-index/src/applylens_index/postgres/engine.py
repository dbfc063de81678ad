"""The PostgreSQL engine of the emails index: a table with a weighted tsvector and a GIN index."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg

from applylens_contracts.email import EmailDocument
from applylens_platform.db import create_pool

from ..contract import PartialUpdate, SearchResult, Hit, UpsertResult, dedupe_docs, merge_partials
from ..query import EmailQuery
from . import migrations
from .compile import COLUMNS, compile_search, compile_stream

_RECORD = (
    'user_id text, id text, thread_id text, message_id text, "from" text, sender_domain text, list_id text, '
    '"to" text[], subject text, body_text text, body_html text, received_at timestamptz, category text, '
    "labels text[], ats jsonb, money jsonb"
)
_MAIL = ("thread_id", "message_id", '"from"', "sender_domain", "list_id", '"to"', "subject", "body_text",
         "body_html", "received_at", "category", "labels")
_UPSERT = f"""
INSERT INTO emails AS e (user_id, id, {", ".join(_MAIL)}, ats, money)
SELECT user_id, id, thread_id, message_id, "from", sender_domain, list_id, coalesce("to", '{{}}'),
       coalesce(subject, ''), coalesce(body_text, ''), body_html, received_at, category,
       coalesce(labels, '{{}}'), ats, money
FROM jsonb_to_recordset($1::jsonb) AS r({_RECORD})
ON CONFLICT (user_id, id) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in _MAIL)},
    ats = coalesce(excluded.ats, e.ats),
    money = coalesce(excluded.money, e.money),
    updated_at = now()
WHERE ({", ".join(f"e.{c}" for c in _MAIL)}) IS DISTINCT FROM ({", ".join(f"excluded.{c}" for c in _MAIL)})
   OR (excluded.ats IS NOT NULL AND excluded.ats IS DISTINCT FROM e.ats)
   OR (excluded.money IS NOT NULL AND excluded.money IS DISTINCT FROM e.money)
RETURNING e.user_id, e.id, (xmax = 0) AS inserted
"""
_MERGE = "CASE WHEN u.{f} IS NULL THEN e.{f} ELSE nullif(jsonb_strip_nulls(coalesce(e.{f}, '{{}}') || u.{f}), '{{}}') END"
_PARTIAL = f"""
UPDATE emails AS e SET ats = {_MERGE.format(f="ats")}, money = {_MERGE.format(f="money")}, updated_at = now()
FROM jsonb_to_recordset($2::jsonb) AS u(id text, ats jsonb, money jsonb)
WHERE e.user_id = $1::text AND e.id = u.id
"""
_GET = f"SELECT {COLUMNS} FROM emails e WHERE e.user_id = $1::text AND e.id = ANY($2::text[])"
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")  # PostgreSQL text cannot hold NUL


def _json(rows: list[dict[str, Any]]) -> str:
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return _NUL_ESCAPE.sub(r"\1", text) if "\\u0000" in text else text


def _document(row: asyncpg.Record) -> EmailDocument:
    data = dict(row.items())
    for key in ("ats", "money"):
        if data[key] is not None:
            data[key] = json.loads(data[key])
    data["from_"] = data.pop("from")
    return EmailDocument.model_validate(data)


class PostgresEmailIndex:
    """The emails index in PostgreSQL (see ``EmailIndex`` for the contract).

    ``database_url`` is needed by ``ensure()`` (migrations); ``pool`` serves everything
    else. Build with :meth:`connect` to have the index own (and close) its pool.
    """

    def __init__(self, pool: asyncpg.Pool, database_url: str, *, owns_pool: bool = False) -> None:
        self._pool = pool
        self._database_url = database_url
        self._owns_pool = owns_pool

    @classmethod
    async def connect(cls, database_url: str, *, pool_size: int = 10) -> PostgresEmailIndex:
        return cls(await create_pool(database_url, max_size=pool_size), database_url, owns_pool=True)

    async def ensure(self) -> None:
        await asyncio.to_thread(migrations.upgrade, self._database_url)

    async def upsert(self, docs: Sequence[EmailDocument]) -> UpsertResult:
        unique, repeats = dedupe_docs(docs)
        if not unique:
            return UpsertResult(unchanged=repeats)
        rows = await self._pool.fetch(_UPSERT, _json([doc.to_index() for doc in unique]))
        inserted = {(r["user_id"], r["id"]) for r in rows if r["inserted"]}
        new_ids = tuple(doc.id for doc in unique if (doc.user_id, doc.id) in inserted)
        updated = len(rows) - len(inserted)
        return UpsertResult(new_ids=new_ids, updated=updated, unchanged=len(unique) - len(rows) + repeats)

    async def update_partial(self, user_id: str, updates: Sequence[PartialUpdate]) -> int:
        _require_user(user_id)
        merged = merge_partials(updates)
        if not merged:
            return 0
        rows = [{"id": doc_id, **patch} for doc_id, patch in merged.items()]
        status = await self._pool.execute(_PARTIAL, user_id, _json(rows))
        return int(status.rsplit(" ", 1)[-1])

    async def get(self, user_id: str, ids: Sequence[str]) -> list[EmailDocument]:
        _require_user(user_id)
        if not ids:
            return []
        rows = await self._pool.fetch(_GET, user_id, list(ids))
        by_id = {row["id"]: _document(row) for row in rows}
        return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]

    async def search(self, query: EmailQuery) -> SearchResult:
        compiled = compile_search(query)
        rows = await self._pool.fetch(compiled.sql, *compiled.params)
        labels = [b.label for b in query.boosts]
        hits = [
            Hit(
                doc=_document(row),
                score=float(row["score"]),
                matched=tuple(label for i, label in enumerate(labels) if row[f"b{i}"]) if query.explain else (),
            )
            for row in rows
        ]
        return SearchResult(hits=hits, total=int(rows[0]["total"]) if rows else 0)

    async def stream(self, query: EmailQuery, batch_size: int = 500) -> AsyncIterator[EmailDocument]:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        after = None
        while True:
            compiled = compile_stream(query, batch_size, after)
            rows = await self._pool.fetch(compiled.sql, *compiled.params)
            for row in rows:
                yield _document(row)
            if len(rows) < batch_size:
                return
            after = (rows[-1]["received_at"], rows[-1]["id"])

    async def close(self) -> None:
        if self._owns_pool:
            await self._pool.close()


def _require_user(user_id: str) -> None:
    if not user_id:
        raise ValueError("user_id is required and must be non-empty")
