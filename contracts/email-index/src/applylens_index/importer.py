"""The import use case: a mailbox file or folder → the emails index, and email.ingested for new mail."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from applylens_contracts.email import EmailDocument
from applylens_contracts.events import EmailIngested, IngestedEmail

from .contract import EmailIndex
from .ingest import ParseFailed, ParseResult, RawMessage, batched, iter_messages, parse_result

Progress = Callable[[int, int], None]
"""``on_progress(messages_done, bytes_done)``, called after every batch (bytes of raw messages read)."""


class Publisher(Protocol):
    async def publish(self, event: EmailIngested) -> str: ...


@dataclass
class ImportReport:
    """``total`` messages read = ``new`` + ``updated`` + ``unchanged`` + ``len(failed)``.

    ``unchanged`` counts messages already indexed with the same content, including a
    Message-ID repeated inside the source. ``failed`` holds ``(source, reason)`` per
    skipped message (source: the .eml path or ``<mbox>#<n>``).
    """

    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def ingested_event(doc: EmailDocument, occurred_at: datetime | None = None) -> EmailIngested:
    return EmailIngested(
        user_id=doc.user_id,
        email=IngestedEmail(
            id=doc.id, category=doc.category, sender_domain=doc.sender_domain, list_id=doc.list_id,
            subject=doc.subject, received_at=doc.received_at, labels=tuple(doc.labels), thread_id=doc.thread_id,
            message_id=doc.message_id, from_=doc.from_,
        ),
        occurred_at=occurred_at or datetime.now(timezone.utc),
    )


def _parse_chunk(user_id: str, items: list[RawMessage | ParseFailed]) -> list[ParseResult]:
    return [item if isinstance(item, ParseFailed) else parse_result(item.data, user_id, item.source) for item in items]


async def _parsed_batches(path: str | os.PathLike[str], user_id: str, batch_size: int,
                          workers: int) -> AsyncIterator[list[ParseResult]]:
    """Parsed batches in source order. Reading and parsing run off the event loop: in a thread
    (``workers == 1``) or in ``workers`` processes, up to two batches per process in flight."""
    raw = batched(iter_messages(path), batch_size)
    if workers <= 1:
        while (chunk := await asyncio.to_thread(next, raw, None)) is not None:
            yield await asyncio.to_thread(_parse_chunk, user_id, chunk)
        return
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: deque[asyncio.Future[list[ParseResult]]] = deque()
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * workers:
                chunk = await asyncio.to_thread(next, raw, None)
                if chunk is None:
                    exhausted = True
                else:
                    pending.append(loop.run_in_executor(pool, _parse_chunk, user_id, chunk))
            if not pending:
                return
            yield await pending.popleft()


async def _write(batch: Sequence[ParseResult], index: EmailIndex, publisher: Publisher | None,
                 report: ImportReport) -> None:
    docs = [r.doc for r in batch if r.ok]
    report.failed.extend((r.source, r.reason) for r in batch if not r.ok)
    result = await index.upsert(docs)
    report.new += result.new
    report.updated += result.updated
    report.unchanged += result.unchanged
    if publisher is not None and result.new_ids:
        fresh = set(result.new_ids)
        now = datetime.now(timezone.utc)
        events = [ingested_event(d, now) for d in docs if d.id in fresh]
        await asyncio.gather(*(publisher.publish(event) for event in events))
        report.published += len(events)


async def import_path(
    path: str | os.PathLike[str],
    user_id: str,
    index: EmailIndex,
    publisher: Publisher | None = None,
    *,
    batch_size: int = 500,
    on_progress: Progress | None = None,
    workers: int = 1,
) -> ImportReport:
    """Import an mbox, a folder of .eml files, or one .eml for ``user_id``.

    Messages are parsed off the event loop, overlapping the previous batch's write: in a
    thread, or with ``workers > 1`` in that many processes (parsing is CPU-bound; use the
    number of cores for big mailboxes, the process start costs about a second), then
    upserted ``batch_size`` at a time, and an ``EmailIngested`` event is published for
    each document that was new to the index, after its batch is written. Each message
    is one document written atomically, so a message is either indexed whole or not at
    all; bad messages are reported in ``failed`` and skipped. Importing the same source
    again gives ``new == 0`` and publishes nothing. A failing index or broker raises
    (batches already written stay written; re-running the import is safe, but events
    of the batch whose publish failed are not re-sent).
    """
    if not user_id:
        raise ValueError("user_id is required and must be non-empty")
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such mailbox file or folder: {os.fspath(path)!r}")
    report = ImportReport()
    done_bytes = 0
    writing: asyncio.Task[None] | None = None
    try:
        async for batch in _parsed_batches(path, user_id, batch_size, workers):
            if writing is not None:
                await writing
            report.total += len(batch)
            done_bytes += sum(r.size for r in batch)
            writing = asyncio.create_task(_write(batch, index, publisher, report))
            if on_progress is not None:
                on_progress(report.total, done_bytes)
        if writing is not None:
            await writing
    finally:
        if writing is not None and not writing.done():
            writing.cancel()
    return report
