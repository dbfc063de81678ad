"""The emails index as rag reads it: the shared engine (PostgreSQL or Elasticsearch) and its readiness."""

from __future__ import annotations

import asyncio
import logging

from applylens_index.contract import EmailIndex
from applylens_index.factory import open_index
from applylens_index.query import EmailQuery

from ..settings import RagSettings

log = logging.getLogger(__name__)

_PROBE_USER = "rag-service-readiness-probe"


async def open_email_index(settings: RagSettings) -> EmailIndex:
    """The engine of ``ELASTICSEARCH_URL``, else of ``DATABASE_URL`` (nothing is contacted yet)."""
    return await open_index(settings)


class IndexGate:
    """Makes sure the index exists (``ensure`` is idempotent) before it is searched, and answers readiness.

    Start-up never blocks on the index: ``ensure`` runs on the first readiness check or
    search, and again after a failure, so the service recovers when the engine returns.
    """

    def __init__(self, index: EmailIndex) -> None:
        self.index = index
        self._ensured = False
        self._lock = asyncio.Lock()

    async def ready(self) -> EmailIndex:
        if not self._ensured:
            async with self._lock:
                if not self._ensured:
                    await self.index.ensure()
                    self._ensured = True
        return self.index

    async def check(self) -> None:
        """Raise unless the index answers a (tiny, empty) search."""
        index = await self.ready()
        await index.search(EmailQuery(user_id=_PROBE_USER, size=1))
