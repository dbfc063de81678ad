"""Which application an email belongs to, with a confidence in [0, 1] and the reasons.

Evidence and weights (combined by noisy-OR: ``1 - Π(1 - w)``, so independent pieces
of evidence reinforce each other and the result stays in [0, 1]):

==========================================================  ======
evidence                                                    weight
==========================================================  ======
the email's thread is already linked to the application      0.90
sender's registrable domain is the company's domain          0.80
  (or, on the candidate's own sent mail, a recipient's)
ATS notification sender + company named in display
  name or subject                                            0.70
ATS notification sender + company named only in the body     0.55
ATS notification sender is the application's own ATS         0.30
  (counts only together with a company mention)
company named by a non-ATS sender: display name 0.45,        ≤0.45
  else subject 0.30, else body 0.20 (the strongest only)
job title named in subject or body                           0.35
the application's own id quoted as its reference             0.95
  ("Application ID: 652622216")
==========================================================  ======

An email that quotes an application reference which is *not* this application's id is
about another application (a second role at the same company, or one the warehouse does
not know): its confidence for this application is 0, whatever else matched.

The candidate's own address is never evidence: it is on every email in the mailbox
(the original matched by it, and every email got the same application). Nothing is
written below ``MATCH_THRESHOLD``: a title or a company mention alone is not enough.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from applylens_contracts.domains import registrable_domain

from applylens_ats.domain.companies import (
    ats_system_for,
    company_key,
    domain_label,
    is_free_mail,
    mentions,
    normalize_text,
)
from applylens_ats.domain.model import Application, EmailFacts

MATCH_THRESHOLD = 0.6

W_THREAD = 0.90
W_COMPANY_DOMAIN = 0.80
W_ATS_COMPANY_HEADLINE = 0.70
W_ATS_COMPANY_BODY = 0.55
W_ATS_SAME_SYSTEM = 0.30
W_MENTION_DISPLAY = 0.45
W_MENTION_SUBJECT = 0.30
W_MENTION_BODY = 0.20
W_JOB_TITLE = 0.35
W_APPLICATION_ID = 0.95

# "Application ID: 652622216", "application number #A-123", "Application ref: acme-JA-1"
_APPLICATION_REF = re.compile(
    r"\bapplication\s+(?:id|number|no\.?|ref(?:erence)?)\s*[:#]?\s*#?([A-Za-z0-9][A-Za-z0-9_-]{3,})",
    re.IGNORECASE,
)


def quoted_application_refs(*texts: str | None) -> frozenset[str]:
    """Application references an email quotes ("Application ID: 123456"), lower-cased."""
    return frozenset(
        found.group(1).lower() for text in texts if text for found in _APPLICATION_REF.finditer(text)
    )


@dataclass(frozen=True)
class Match:
    """An application matched to an email; ``reasons`` explain ``confidence``."""

    application: Application
    confidence: float
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "no evidence"

    @property
    def accepted(self) -> bool:
        return self.confidence >= MATCH_THRESHOLD


def _company_keys(app: Application) -> list[str]:
    keys = []
    name = company_key(app.company)
    if name:
        keys.append(name)
    if app.company_domain and not is_free_mail(app.company_domain):
        label = domain_label(app.company_domain)
        if label and label not in keys and len(label) >= 3:
            keys.append(label)
    return keys


def _any_mention(text: str, keys: list[str]) -> bool:
    return any(mentions(text, key) for key in keys)


def match_application(app: Application, email: EmailFacts) -> Match:
    """Confidence that ``email`` concerns ``app`` (pure; see the module docstring)."""
    weights: list[float] = []
    reasons: list[str] = []

    refs = quoted_application_refs(email.subject, email.body_text)
    if refs:
        if app.application_id.lower() not in refs:
            return Match(application=app, confidence=0.0,
                         reasons=(f"the email quotes another application ({', '.join(sorted(refs))})",))
        weights.append(W_APPLICATION_ID)
        reasons.append(f"quotes the application id {app.application_id}")

    if email.thread_id and email.thread_id in app.thread_ids:
        weights.append(W_THREAD)
        reasons.append(f"thread {email.thread_id} belongs to the application")

    own_addresses = {address.lower() for address in app.candidate_emails}
    sent_by_candidate = email.sender_address is not None and email.sender_address in own_addresses
    company_domain = registrable_domain(app.company_domain)
    if company_domain and is_free_mail(company_domain):
        company_domain = None

    domain_matched = False
    if company_domain:
        if sent_by_candidate:
            recipient_domains = {
                registrable_domain(addr)
                for addr in email.recipient_addresses
                if addr not in own_addresses
            }
            if company_domain in recipient_domains:
                domain_matched = True
                weights.append(W_COMPANY_DOMAIN)
                reasons.append(f"sent to the company's domain {company_domain}")
        elif registrable_domain(email.sender_domain) == company_domain:
            domain_matched = True
            weights.append(W_COMPANY_DOMAIN)
            reasons.append(f"sender domain is the company's domain {company_domain}")

    keys = _company_keys(app)
    display = normalize_text(email.display_name)
    subject = normalize_text(email.subject)
    body = normalize_text(email.body_text)
    sender_system = None if sent_by_candidate else ats_system_for(email.sender_domain)

    if sender_system is not None:
        company_weight = 0.0
        if _any_mention(display, keys) or _any_mention(subject, keys):
            company_weight = W_ATS_COMPANY_HEADLINE
            reasons.append(f"{sender_system} notification naming {app.company or keys[0]} in sender or subject")
        elif _any_mention(body, keys):
            company_weight = W_ATS_COMPANY_BODY
            reasons.append(f"{sender_system} notification naming {app.company or keys[0]} in the body")
        if company_weight:
            weights.append(company_weight)
            if sender_system == app.system.lower():
                weights.append(W_ATS_SAME_SYSTEM)
                reasons.append(f"sent by the application's own ATS ({sender_system})")
    elif not domain_matched and not sent_by_candidate:
        mention = 0.0
        if _any_mention(display, keys):
            mention, where = W_MENTION_DISPLAY, "sender name"
        elif _any_mention(subject, keys):
            mention, where = W_MENTION_SUBJECT, "subject"
        elif _any_mention(body, keys):
            mention, where = W_MENTION_BODY, "body"
        if mention:
            weights.append(mention)
            reasons.append(f"company {app.company or keys[0]} named in the {where}")

    title = " ".join(normalize_text(app.job_title).split())
    if len(title) >= 3 and (mentions(subject, title) or mentions(body, title)):
        weights.append(W_JOB_TITLE)
        reasons.append(f"job title '{app.job_title}' named")

    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return Match(application=app, confidence=round(1.0 - remaining, 6), reasons=tuple(reasons))


_EPOCH = datetime.min.replace(tzinfo=timezone.utc)


def _recency(app: Application) -> datetime:
    moment = app.last_stage_change
    if moment is None:
        return _EPOCH
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def best_match(
    applications: Iterable[Application],
    email: EmailFacts,
    *,
    threshold: float = MATCH_THRESHOLD,
) -> Match | None:
    """The most confident match at or above ``threshold``, or None.

    Ties (e.g. two roles at the same company, no title in the email) go to the
    application with the latest stage change, then to the smallest application id,
    so the choice is deterministic.
    """
    candidates = [
        match for match in (match_application(app, email) for app in applications)
        if match.confidence >= threshold
    ]
    if not candidates:
        return None
    candidates.sort(key=lambda m: m.application.application_id)
    # max() keeps the first of equal maxima, i.e. the smallest application id.
    return max(candidates, key=lambda m: (m.confidence, _recency(m.application)))
