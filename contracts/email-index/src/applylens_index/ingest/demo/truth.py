"""The demo mailbox's ground truth: what every generated email is, as JSON for tests and other services."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

TRUTH_VERSION = 1


def iso(dt: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` suffix."""
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass
class GroundTruth:
    """Filled while the demo messages are generated; complete once the iterator is exhausted.

    JSON shape (``to_json``)::

        {"version": 1, "seed": 7, "now": "2026-03-01T12:00:00Z", "messages_per_user": 200,
         "users": ["alice@example.com", ...],
         "emails": {"<email id>": {"user_id", "category", "kind", "message_id", "thread_id",
                                   "received_at", "subject", "sender_domain", "gmail_labels"}},
         "receipts": [{"email_id", "user_id", "merchant", "merchant_name", "amount": "1234.56"
                       (a decimal string; negative for a refund), "currency", "order_id",
                       "date", "kind": "charge"|"refund", "amount_text", "json_ld"}],
         "duplicate_charges": [{"user_id", "merchant", "amount", "currency",
                                "earlier", "later", "days_apart"}],   # email ids; different orders
         "resent_receipts": [{"user_id", "merchant", "order_id", "original", "resent"}],  # not duplicates
         "applications": [{"user_id", "system", "application_id", "company", "company_domain",
                           "job_id", "job_title", "outcome", "current_stage", "status",
                           "applied_at", "last_activity_at",
                           "stage_history": [{"stage", "at", "email_id"}],
                           "interviews": [{"stage", "scheduled_at", "email_id"}],
                           "email_ids": [...]}]}

    ``status`` is ``offer``, ``rejected``, ``active`` (an interview pending) or ``stale``
    (no reply for at least 21 days before ``now``).
    """

    seed: int
    now: datetime
    messages_per_user: int
    users: list[str]
    emails: dict[str, dict[str, Any]] = field(default_factory=dict)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    duplicate_charges: list[dict[str, Any]] = field(default_factory=list)
    resent_receipts: list[dict[str, Any]] = field(default_factory=list)
    applications: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": TRUTH_VERSION,
            "seed": self.seed,
            "now": iso(self.now),
            "messages_per_user": self.messages_per_user,
            "users": list(self.users),
            "emails": self.emails,
            "receipts": self.receipts,
            "duplicate_charges": self.duplicate_charges,
            "resent_receipts": self.resent_receipts,
            "applications": self.applications,
        }

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=_default)

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        with path.open("w", encoding="utf-8") as handle:  # streamed: no second copy as one big string
            json.dump(self.to_dict(), handle, indent=1, ensure_ascii=False, default=_default)
        return path


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def load_truth(path: str | Path) -> dict[str, Any]:
    """The ground-truth JSON as plain dicts (amounts stay decimal strings: use Decimal(x))."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
