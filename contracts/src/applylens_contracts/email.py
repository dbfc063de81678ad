"""The email document every service reads or writes, and its index mapping.

The Elasticsearch mapping in ``mappings/emails.json`` and these models must agree
field by field (a contracts test checks it). ``mappings/ats_fields.json`` is the
seed's mapping update for ``ats.*``; it is a subset of the full mapping.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from importlib import resources
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

EMAILS_INDEX = "emails"


class AtsFields(BaseModel):
    """Applicant-tracking facts joined onto an email (seed: ats_fields.json)."""

    model_config = ConfigDict(extra="ignore")

    system: str | None = None  # greenhouse | lever | workday | ashby | inferred ...
    application_id: str | None = None
    stage: str | None = None  # canonical title case, e.g. "Onsite", "Offer"
    last_stage_change: AwareDatetime | None = None
    interview_date: AwareDatetime | None = None
    company: str | None = None
    ghosting_risk: float | None = Field(default=None, ge=0.0, le=1.0)


class MoneyFields(BaseModel):
    """What money mode extracted from a receipt email, once per email."""

    model_config = ConfigDict(extra="ignore")

    is_receipt: bool = False
    amount: Decimal | None = None  # the total; negative for a refund
    currency: str | None = None  # ISO 4217
    merchant: str | None = None  # registrable domain, or a lower-case name key when only a processor names it
    merchant_name: str | None = None  # display name, e.g. "Spotify AB"
    processor: str | None = None  # payment processor domain, e.g. "paypal.com"
    order_id: str | None = None
    rules_version: int | None = None


class EmailDocument(BaseModel):
    """One email as indexed for one user. ``id`` is unique per user (derived from Message-ID)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str = Field(min_length=1)
    user_id: str = Field(min_length=1)
    thread_id: str | None = None
    message_id: str | None = None
    from_: str | None = Field(default=None, alias="from")
    sender_domain: str | None = None
    list_id: str | None = None
    to: list[str] = Field(default_factory=list)
    subject: str = ""
    body_text: str = ""
    body_html: str | None = None  # kept for markup (schema.org) readers; not searched
    received_at: AwareDatetime
    category: str | None = None
    labels: list[str] = Field(default_factory=list)
    ats: AtsFields | None = None
    money: MoneyFields | None = None

    def to_index(self) -> dict[str, Any]:
        """JSON-ready dict with index field names (``from``, not ``from_``)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _load_json(name: str) -> dict[str, Any]:
    return json.loads(resources.files("applylens_contracts.mappings").joinpath(name).read_text())


def emails_mapping() -> dict[str, Any]:
    """The full Elasticsearch mapping (``{"properties": …}``) of the emails index."""
    return _load_json("emails.json")


def ats_fields_mapping() -> dict[str, Any]:
    """The seed's ``ats.*`` mapping update, applied idempotently by the index engines."""
    return _load_json("ats_fields.json")


def received_at_utc(value: datetime) -> datetime:
    """Helper for producers that hold naive datetimes: treat them as UTC."""
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
