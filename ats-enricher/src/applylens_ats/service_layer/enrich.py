"""Enrich one mailbox's emails: match to warehouse applications, else infer; write what changed.

Used by the 02:00 job (a mailbox at a time, its emails streamed in batches) and by the
``email.ingested`` consumer (a few new emails). For each email:

1. the applications that could possibly match are picked cheaply (sender or recipient
   domain is the company's, or the company is named in sender name, subject or body),
   then ``domain.best_match`` decides with its confidence and the threshold;
2. a matched email gets the application's current state as ``ats.*`` (risk as of ``as_of``);
3. otherwise the email is read as an ATS notification (``domain.infer_from_email``);
   inferred emails are folded per inferred application at the end (``finish``), together
   with the mailbox's emails that already carry that application, and all get the state;
4. otherwise an email that carries ``ats.*`` has it removed (its application vanished).

Only documents whose fields change are written (so reruns and quiet days write nothing),
in bulk partial updates of ``ats`` through the index contract.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from applylens_contracts.domains import registrable_domain
from applylens_contracts.email import AtsFields, EmailDocument
from applylens_index.contract import EmailIndex
from applylens_index.query import EmailQuery, Sort, terms

from applylens_ats.domain import Application, EmailFacts, InferredAts, best_match, fold, infer_from_email
from applylens_ats.domain.companies import company_key, domain_label, is_free_mail, normalize_text
from applylens_ats.metrics import ATS_CLEARED, ATS_ENRICHED

log = logging.getLogger(__name__)

ATS_FIELDS: tuple[str, ...] = tuple(AtsFields.model_fields)
CLEARED: dict[str, Any] = dict.fromkeys(ATS_FIELDS)
INFERRED_PREFIX = "inferred:"
TERMINAL_STAGE_NAMES = ("Hired", "Rejected", "Withdrawn")


def has_ats(doc: EmailDocument) -> bool:
    return doc.ats is not None and any(getattr(doc.ats, name) is not None for name in ATS_FIELDS)


def rounded(fields: AtsFields, decimals: int) -> AtsFields:
    if fields.ghosting_risk is None:
        return fields
    return fields.model_copy(update={"ghosting_risk": round(fields.ghosting_risk, decimals)})


def same_ats(doc: EmailDocument, fields: AtsFields) -> bool:
    """True when the document already carries exactly ``fields`` (datetimes compared as instants)."""
    current = doc.ats.model_dump() if doc.ats is not None else dict(CLEARED)
    return current == fields.model_dump()


class CandidateIndex:
    """Which of a mailbox's applications an email could match: a cheap pre-filter before ``best_match``.

    Never drops a possible match: every piece of evidence ``match_application`` can reach the
    threshold with involves the company's domain or a mention of its name / domain label.
    """

    def __init__(self, applications: Sequence[Application]) -> None:
        self.applications = list(applications)
        self.by_domain: dict[str, list[Application]] = defaultdict(list)
        self.by_key: dict[str, list[Application]] = defaultdict(list)
        for app in self.applications:
            domain = registrable_domain(app.company_domain)
            if domain and not is_free_mail(domain):
                self.by_domain[domain].append(app)
                label = domain_label(domain)
                if label and len(label) >= 3:
                    self.by_key[label].append(app)
            key = company_key(app.company)
            if key:
                self.by_key[key].append(app)

    def candidates(self, facts: EmailFacts) -> list[Application]:
        if len(self.applications) <= 2:
            return self.applications
        found: dict[int, Application] = {}
        domains = {registrable_domain(facts.sender_domain)} | {registrable_domain(a) for a in facts.recipient_addresses}
        for domain in domains:
            for app in self.by_domain.get(domain or "", ()):
                found[id(app)] = app
        text = normalize_text(f"{facts.display_name or ''} {facts.subject} {facts.body_text}")
        for key, apps in self.by_key.items():
            if f" {key} " in text:
                for app in apps:
                    found[id(app)] = app
        return list(found.values())


@dataclass
class AtsWriter:
    """Buffers partial updates of one mailbox and writes them ``batch_size`` at a time.

    ``after_flush`` (tests, progress) is awaited after every written batch with the
    number of documents it wrote.
    """

    index: EmailIndex
    user_id: str
    batch_size: int = 1000
    after_flush: Callable[[int], Awaitable[None]] | None = None
    written: int = 0
    _buffers: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=lambda: defaultdict(list))

    async def put(self, doc_id: str, values: dict[str, Any], source: str) -> None:
        buffer = self._buffers[source]
        buffer.append((doc_id, values))
        if len(buffer) >= self.batch_size:
            await self._flush_source(source)

    async def flush(self) -> None:
        for source in list(self._buffers):
            await self._flush_source(source)

    async def _flush_source(self, source: str) -> None:
        batch = self._buffers.pop(source, [])
        if not batch:
            return
        count = await self.index.update_partial(self.user_id, [(doc_id, {"ats": values}) for doc_id, values in batch])
        self.written += count
        if source == "cleared":
            ATS_CLEARED.inc(count)
        else:
            ATS_ENRICHED.labels(source).inc(count)
        if self.after_flush is not None:
            await self.after_flush(count)


class MailboxEnricher:
    """Enriches one mailbox's emails as of ``as_of`` (the module docstring has the rules)."""

    def __init__(
        self,
        *,
        user_id: str,
        applications: Sequence[Application],
        as_of: datetime,
        writer: AtsWriter,
        threshold: float,
        risk_decimals: int = 3,
    ) -> None:
        self.user_id = user_id
        self.candidates = CandidateIndex(applications)
        self.as_of = as_of
        self.writer = writer
        self.threshold = threshold
        self.decimals = risk_decimals
        self.considered = 0
        self.matched = 0
        # Inferred emails of this pass: doc id -> (inference, document); folded in ``finish``.
        self._inferred: dict[str, tuple[InferredAts, EmailDocument]] = {}

    async def consider_all(self, docs: Iterable[EmailDocument]) -> None:
        for doc in docs:
            await self.consider(doc)

    async def consider(self, doc: EmailDocument) -> None:
        self.considered += 1
        facts = EmailFacts.from_document(doc)
        match = best_match(self.candidates.candidates(facts), facts, threshold=self.threshold)
        if match is not None:
            self.matched += 1
            fields = rounded(match.application.ats_fields(now=self.as_of), self.decimals)
            await self._write(doc, fields, "warehouse")
            return
        inferred = infer_from_email(facts)
        if inferred is not None:
            self._inferred[doc.id] = (inferred, doc)
            return
        if has_ats(doc):
            await self.writer.put(doc.id, dict(CLEARED), "cleared")

    async def finish(self, *, include_indexed: bool) -> None:
        """Fold the inferred emails per application and write their state.

        ``include_indexed``: also fold the mailbox's emails that already carry one of these
        inferred applications but were not considered in this pass (incremental runs and
        the consumer see only new mail; a full pass has seen everything already).
        """
        groups: dict[str, list[tuple[InferredAts, EmailDocument]]] = defaultdict(list)
        for inferred, doc in self._inferred.values():
            groups[inferred.application_id].append((inferred, doc))
        if include_indexed and groups:
            query = EmailQuery(user_id=self.user_id, filters=(terms("ats.application_id", *sorted(groups)),),
                               sort=Sort.NEWEST)
            async for doc in self.writer.index.stream(query, batch_size=self.writer.batch_size):
                if doc.id in self._inferred:
                    continue
                facts = EmailFacts.from_document(doc)
                inferred = infer_from_email(facts)
                if inferred is not None and inferred.application_id in groups:
                    groups[inferred.application_id].append((inferred, doc))
                elif has_ats(doc):
                    await self.writer.put(doc.id, dict(CLEARED), "cleared")
        for items in groups.values():
            state = fold(item for item, _ in items)
            if state is None:
                continue
            fields = rounded(state.ats_fields(now=self.as_of), self.decimals)
            for _, doc in items:
                await self._write(doc, fields, "inferred")
        self._inferred.clear()

    async def _write(self, doc: EmailDocument, fields: AtsFields, source: str) -> None:
        if same_ats(doc, fields):
            return
        await self.writer.put(doc.id, fields.model_dump(mode="json"), source)
