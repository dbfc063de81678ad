"""A realistic, seeded stream of proposals, decisions and manual actions over a mailbox.

Three policies fire on the emails that match them; the user approves most proposals
of the policies they like and rejects the rest; now and then the user acts by hand
on an email no policy proposed (what recall needs). Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from applylens_contracts.email import EmailDocument
from applylens_contracts.events import (
    ActionApproved,
    ActionEvent,
    ActionManual,
    ActionProposed,
    ActionRejected,
    EmailSnapshot,
)


@dataclass(frozen=True)
class DemoPolicy:
    policy_id: int
    name: str
    action: str
    approve_rate: float

    def fires_on(self, doc: EmailDocument) -> bool:
        if self.action == "archive_email":
            return doc.category == "promo"
        if self.action == "label_recruiter":
            return doc.category == "recruiting"
        if self.action == "archive_newsletter":
            return doc.list_id is not None and doc.category != "promo"
        return False


POLICIES = (
    DemoPolicy(5, "Archive old promos", "archive_email", 0.85),
    DemoPolicy(7, "Label recruiter mail", "label_recruiter", 0.95),
    DemoPolicy(9, "Archive newsletters", "archive_newsletter", 0.4),
)


def snapshot(doc: EmailDocument) -> EmailSnapshot:
    return EmailSnapshot(
        id=doc.id,
        category=doc.category,
        sender_domain=doc.sender_domain,
        list_id=doc.list_id,
        subject=doc.subject,
        received_at=doc.received_at,
        labels=tuple(doc.labels),
    )


def decision_stream(docs: Iterable[EmailDocument], *, seed: int = 6, manual_rate: float = 0.08) -> Iterator[ActionEvent]:
    """Proposals then decisions (and a few manual actions), in time order per email."""
    rng = random.Random(seed)
    for doc in sorted(docs, key=lambda d: (d.received_at, d.id)):
        email = snapshot(doc)
        when = doc.received_at + timedelta(hours=1)
        fired = False
        for policy in POLICIES:
            if not policy.fires_on(doc):
                continue
            fired = True
            common = dict(user_id=doc.user_id, action_id=f"act_{policy.policy_id}_{doc.id}", policy_id=policy.policy_id,
                          policy_name=policy.name, action=policy.action, email=email)
            yield ActionProposed(**common, occurred_at=when)
            decided = when + timedelta(minutes=rng.randint(1, 600))
            if rng.random() < policy.approve_rate:
                yield ActionApproved(**common, occurred_at=decided)
            else:
                yield ActionRejected(**common, occurred_at=decided)
        if not fired and doc.category in ("promo", "updates", "social") and rng.random() < manual_rate:
            yield ActionManual(user_id=doc.user_id, action_id=f"manual_{doc.id}", action="archive_email",
                               email=email, occurred_at=when + timedelta(minutes=5))
