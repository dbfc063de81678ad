"""The two things the enricher brings together: an application and an email."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from email.utils import getaddresses, parseaddr

from applylens_contracts.domains import registrable_domain
from applylens_contracts.email import AtsFields, EmailDocument

from applylens_ats.domain.risk import ghosting_risk
from applylens_ats.domain.stages import Stage, normalize_stage


@dataclass(frozen=True)
class Application:
    """One application as the warehouse's ``ats_applications`` view describes it.

    ``candidate_emails`` are the candidate's own addresses: they say whose application
    it is, never which email belongs to it. ``thread_ids`` are mail threads already
    known to belong to this application (from earlier matches).
    """

    system: str
    application_id: str
    company: str | None = None
    company_domain: str | None = None
    job_title: str | None = None
    candidate_emails: frozenset[str] = frozenset()
    thread_ids: frozenset[str] = frozenset()
    stage: str | None = None  # raw ATS stage name; see ``canonical_stage``
    last_stage_change: datetime | None = None
    next_interview_at: datetime | None = None
    last_interview_at: datetime | None = None
    job_closed: bool = False

    @property
    def canonical_stage(self) -> Stage | None:
        return normalize_stage(self.stage)

    def ats_fields(self, *, now: datetime, last_contact: datetime | None = None) -> AtsFields:
        """The ``ats.*`` document fields for this application as of ``now``."""
        stage = self.canonical_stage
        return AtsFields(
            system=self.system,
            application_id=self.application_id,
            stage=stage.value if stage else None,
            last_stage_change=self.last_stage_change,
            interview_date=self.next_interview_at or self.last_interview_at,
            company=self.company,
            ghosting_risk=ghosting_risk(
                stage,
                now=now,
                last_stage_change=self.last_stage_change,
                last_contact=last_contact,
                next_interview_at=self.next_interview_at,
                last_interview_at=self.last_interview_at,
                job_closed=self.job_closed,
            ),
        )


@dataclass(frozen=True)
class EmailFacts:
    """What matching and inference read from an email (all optional but the subject)."""

    subject: str = ""
    body_text: str = ""
    sender: str | None = None  # the From header, e.g. "Acme Recruiting <no-reply@greenhouse.io>"
    sender_domain: str | None = None
    display_name: str | None = None
    thread_id: str | None = None
    to: tuple[str, ...] = field(default_factory=tuple)
    received_at: datetime | None = None

    def __post_init__(self) -> None:
        name, address = parseaddr(self.sender or "")
        if self.display_name is None and name:
            object.__setattr__(self, "display_name", name)
        if self.sender_domain is None and address:
            object.__setattr__(self, "sender_domain", registrable_domain(address))

    @cached_property  # parsed once per email, not once per candidate application
    def sender_address(self) -> str | None:
        address = parseaddr(self.sender or "")[1].strip().lower()
        return address or None

    @cached_property
    def recipient_addresses(self) -> tuple[str, ...]:
        return tuple(addr.strip().lower() for _, addr in getaddresses(list(self.to)) if addr.strip())

    @classmethod
    def from_document(cls, doc: EmailDocument) -> EmailFacts:
        return cls(
            subject=doc.subject,
            body_text=doc.body_text,
            sender=doc.from_,
            sender_domain=doc.sender_domain,
            thread_id=doc.thread_id,
            to=tuple(doc.to),
            received_at=doc.received_at,
        )
