"""Enrich newly ingested mail within seconds: the ``email.ingested`` batch handler.

Effectively-once: the index write is a partial update that sets values (idempotent),
so it happens first; then the batch's event ids are recorded in one transaction
(``ats_processed_events``) and the offsets are committed by the platform after it. A crash
between the two redelivers the batch, which writes the same fields again and records
the ids. Events already recorded are skipped. An email the index does not hold (yet)
is counted as ``missing`` and skipped: the nightly run picks it up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from applylens_contracts.events import EmailIngested
from applylens_index.contract import EmailIndex
from applylens_platform.consumer import ConsumedEvent

from applylens_ats.adapters.state import PostgresState
from applylens_ats.adapters.warehouse import PostgresWarehouse
from applylens_ats.metrics import ATS_CONSUMED

from .enrich import AtsWriter, MailboxEnricher


@dataclass
class IngestedHandler:
    index: EmailIndex
    state: PostgresState
    warehouse: PostgresWarehouse | None
    threshold: float
    batch_size: int = 1000
    risk_decimals: int = 3

    async def __call__(self, events: Sequence[ConsumedEvent]) -> int:
        ids = [event.id for event in events]
        unseen = await self.state.unseen(ids)
        ATS_CONSUMED.labels("duplicate").inc(len(ids) - len(unseen))
        wanted: dict[str, dict[str, None]] = defaultdict(dict)
        for event in events:
            data = event.envelope.data
            if event.id in unseen and isinstance(data, EmailIngested):
                wanted[data.user_id][data.email.id] = None
        applications = await self.warehouse.applications_for(list(wanted)) if self.warehouse and wanted else {}
        now = datetime.now(timezone.utc)
        for user_id, doc_ids in wanted.items():
            docs = await self.index.get(user_id, list(doc_ids))
            ATS_CONSUMED.labels("missing").inc(len(doc_ids) - len(docs))
            writer = AtsWriter(self.index, user_id, self.batch_size)
            enricher = MailboxEnricher(
                user_id=user_id, applications=applications.get(user_id.lower(), []), as_of=now, writer=writer,
                threshold=self.threshold, risk_decimals=self.risk_decimals,
            )
            await enricher.consider_all(docs)
            await enricher.finish(include_indexed=True)
            await writer.flush()
            ATS_CONSUMED.labels("enriched").inc(min(writer.written, len(docs)))
            ATS_CONSUMED.labels("unchanged_or_no_match").inc(max(0, len(docs) - writer.written))
        return await self.state.record_events(ids, list(wanted))
