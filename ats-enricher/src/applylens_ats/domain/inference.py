"""ATS facts inferred from the notification emails themselves, for users without a warehouse.

``infer_from_email`` reads one email: the system from the sender's registrable domain
(``ATS_SENDER_DOMAINS``; a recruiter writing from the company's own domain gives
``system="inferred"``), the company from the sender's display name or the recruiting
phrases of subject and body, the stage from stage phrases, the date from
``received_at``, and an interview date when the text states one.

Stage phrases are tried in this order, first hit wins, so a rejection that opens with
"Thank you for applying" is a rejection, and "schedule your onsite" beats the generic
"interview invitation": Withdrawn, Rejected, Hired, Negotiation, Offer, Final Round,
Onsite, Technical Screen, Assessment, Recruiter Screen, Phone Screen (any other
interview invitation), Applied. "Unfortunately" counts as a rejection only in a
sentence about the decision ("…we will not be moving forward", "…other candidates"),
not in "unfortunately we need to reschedule".

``fold`` then walks one application's inferences in time order and keeps the stage
reached: it moves forward through the pipeline, a terminal stage always applies, a
new application after a terminal one starts over, and an older-looking stage later
in time (an ATS reminder saying "thanks for applying" after the onsite) is ignored.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from applylens_contracts.domains import registrable_domain
from applylens_contracts.email import AtsFields

from applylens_ats.domain.companies import (
    ats_system_for,
    company_from_display_name,
    company_from_text,
    company_key,
    domain_label,
    is_free_mail,
)
from applylens_ats.domain.matching import quoted_application_refs
from applylens_ats.domain.model import EmailFacts
from applylens_ats.domain.risk import ghosting_risk
from applylens_ats.domain.stages import (
    INTERVIEW_STAGES,
    Stage,
    is_terminal,
    pipeline_rank,
)

INFERRED_SYSTEM = "inferred"


def _phrases(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_STAGE_PHRASES: tuple[tuple[Stage, re.Pattern[str]], ...] = (
    (Stage.WITHDRAWN, _phrases(
        r"\byou(?:'ve| have)? withdrawn\b", r"\bapplication has been withdrawn\b",
        r"\bwithdrawal of your application\b", r"\bconfirm(?:ing)? your withdrawal\b",
        r"\byour request to withdraw\b",
    )),
    (Stage.REJECTED, _phrases(
        r"\bnot (?:to )?(?:be )?(?:moving|move|proceeding|proceed) forward\b",
        r"\bdecided to (?:move|proceed) forward with other\b",
        r"\b(?:pursue|pursuing|proceed with|move forward with) other candidates\b",
        r"\bwe regret to inform\b", r"\bnot been selected\b", r"\bwere not selected\b",
        r"\bno longer (?:under consideration|being considered)\b",
        r"\bposition has (?:been filled|closed)\b", r"\bunable to offer you\b",
        r"\bnot able to offer you\b", r"\bdecided not to (?:move|proceed)\b",
    )),
    (Stage.HIRED, _phrases(
        r"\bwelcome aboard\b", r"\bwelcome to the team\b",
        r"\b(?:accepted|accepting|signed) (?:our|the|your) offer\b", r"\byour first day\b",
    )),
    (Stage.NEGOTIATION, _phrases(
        r"\brevised offer\b", r"\bupdated offer\b", r"\bcounter[- ]?offer\b",
        r"\boffer negotiation\b",
    )),
    (Stage.OFFER, _phrases(
        r"\b(?:pleased|happy|excited|delighted|thrilled) to (?:extend|offer)\b",
        r"\bextend (?:you )?an offer\b", r"\boffer letter\b", r"\boffer of employment\b",
        r"\bjob offer\b", r"\byour offer\b",
    )),
    (Stage.FINAL_ROUND, _phrases(
        r"\bfinal[- ](?:round|interview|stage)s?\b", r"\bexecutive interview\b",
    )),
    (Stage.ONSITE, _phrases(
        r"\bon[- ]?site\b", r"\binterview loop\b", r"\bpanel interview\b",
        r"\bin[- ]person interview\b", r"\bsuperday\b",
    )),
    (Stage.TECHNICAL_SCREEN, _phrases(
        r"\btechnical (?:phone )?(?:interview|screen)\b", r"\bcoding interview\b",
        r"\bpair[- ]programming\b", r"\bsystem design interview\b",
    )),
    (Stage.ASSESSMENT, _phrases(
        r"\btake[- ]home\b", r"\bcoding (?:challenge|exercise|assessment)\b",
        r"\bonline assessment\b", r"\bskills? assessment\b",
        r"\b(?:hackerrank|codesignal|codility|coderpad|testgorilla)\b",
    )),
    (Stage.RECRUITER_SCREEN, _phrases(
        r"\brecruiter (?:screen|call|chat|phone screen)\b", r"\bintro(?:ductory)? call\b",
        r"\binitial (?:call|chat|screen)\b", r"\bchat with (?:our|a|the) recruiter\b",
    )),
    (Stage.PHONE_SCREEN, _phrases(
        r"\binterview invitation\b", r"\binvit\w* (?:you )?(?:to|for) (?:an? )?(?:\w+ )?interview\b",
        r"\bschedule (?:an?|your) (?:\w+ )?(?:interview|call)\b", r"\binterview request\b",
        r"\bphone (?:screen|interview)\b", r"\bvideo interview\b",
        r"\binterview (?:is )?(?:scheduled|confirmed)\b",
    )),
    (Stage.APPLIED, _phrases(
        r"\bthanks? (?:you )?for (?:applying|your application)\b",
        r"\b(?:received|receiving) your application\b", r"\bapplication (?:was |has been )?received\b",
        r"\bapplication (?:was |has been )?submitted\b", r"\bthank you for your interest in\b",
    )),
)

_UNFORTUNATELY = re.compile(r"\bunfortunately\b", re.IGNORECASE)
_REJECTION_CONTEXT = re.compile(
    r"\b(?:move|moving|proceed|proceeding) forward\b|\bother candidates\b|\bnot (?:been )?selected\b"
    r"|\bdecided\b|\bdecision\b|\b(?:position|role) has been\b|\bnot a (?:match|fit)\b",
    re.IGNORECASE,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")

# Words that make a non-ATS email about a job application at all.
_RECRUITING_CONTEXT = re.compile(
    r"\b(?:appl(?:y|ying|ied|ication)|candidacy|candidate|interview\w*|position|role|recruit\w*|"
    r"hiring|offer letter|offer of employment)\b",
    re.IGNORECASE,
)


def infer_stage(subject: str, body: str) -> Stage | None:
    """Stage stated by an email's text (order in the module docstring); None if none."""
    text = f"{subject}\n{body}"
    for stage, pattern in _STAGE_PHRASES:
        if pattern.search(text):
            return stage
        if stage is Stage.REJECTED and _UNFORTUNATELY.search(text):
            for sentence in _SENTENCE_SPLIT.split(text):
                if _UNFORTUNATELY.search(sentence) and _REJECTION_CONTEXT.search(sentence):
                    return Stage.REJECTED
    return None


_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")),
        start=1,
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TIME_RE = r"(?:\s*(?:at|@|,)?\s*(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?"
_DATE_PATTERNS = (
    re.compile(
        r"\b(?P<year>20\d{2})-(?P<month>\d{2})-(?P<day>\d{2})(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2}))?"
    ),
    re.compile(
        rf"\b(?P<monthname>{_MONTH_RE})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>20\d{{2}}))?"
        + _TIME_RE,
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<monthname>{_MONTH_RE})\.?(?:,?\s+(?P<year>20\d{{2}}))?"
        + _TIME_RE,
        re.IGNORECASE,
    ),
)


def parse_interview_date(text: str, *, reference: datetime) -> datetime | None:
    """First calendar date in ``text`` ("March 5, 2026 at 2:00 PM", "5 March", "2026-03-05 14:00").

    A date without a year is the next such day on or after ``reference`` (the email's
    date). Times without am/pm are 24-hour; no time means midnight. The result carries
    ``reference``'s time zone (UTC if naive). None when no date is found or it is invalid.
    """
    tz = reference.tzinfo or timezone.utc
    for pattern in _DATE_PATTERNS:
        found = pattern.search(text)
        if not found:
            continue
        parts = found.groupdict()
        try:
            month = int(parts["month"]) if parts.get("month") else _MONTHS[parts["monthname"].lower()]
            day = int(parts["day"])
            hour = int(parts["hour"]) if parts.get("hour") else 0
            minute = int(parts["minute"]) if parts.get("minute") else 0
            ampm = (parts.get("ampm") or "").replace(".", "").lower()
            if ampm == "pm" and hour < 12:
                hour += 12
            elif ampm == "am" and hour == 12:
                hour = 0
            year = int(parts["year"]) if parts.get("year") else reference.year
            moment = datetime.combine(datetime(year, month, day).date(), time(hour, minute), tzinfo=tz)
            if not parts.get("year") and moment.date() < reference.astimezone(tz).date():
                moment = moment.replace(year=year + 1)
        except (ValueError, KeyError):
            continue
        return moment
    return None


@dataclass(frozen=True)
class InferredAts:
    """What one notification email says about an application."""

    system: str
    company: str
    stage: Stage
    occurred_at: datetime | None  # the email's received_at
    interview_date: datetime | None = None
    thread_id: str | None = None
    reference: str | None = None  # the application reference the email quotes, if any

    @property
    def application_id(self) -> str:
        return inferred_application_id(self.company, self.reference)


def inferred_application_id(company: str, reference: str | None = None) -> str:
    """Stable id for an application known only from email: ``"inferred:acme"``.

    One per company per mailbox (two roles at the same company fold together), unless
    the emails quote an application reference ("Application ID: A-123"): then one per
    reference, ``"inferred:acme:a-123"``.
    """
    base = f"inferred:{company_key(company) or company.lower()}"
    return f"{base}:{reference.lower()}" if reference else base


def infer_from_email(email: EmailFacts) -> InferredAts | None:
    """ATS facts stated by one email, or None when it is not a recognisable ATS notification.

    From an ATS sender the stage phrase suffices. From any other sender (a recruiter at
    the company's own domain) the email must also speak about an application or an
    interview, so a shop's "we are pleased to offer 20% off" is not an Offer.
    """
    system = ats_system_for(email.sender_domain)
    if system is None and not _RECRUITING_CONTEXT.search(f"{email.subject}\n{email.body_text}"):
        return None  # checked first: one regex rules out most of a mailbox before the stage phrases
    stage = infer_stage(email.subject, email.body_text)
    if stage is None:
        return None
    company = company_from_display_name(email.display_name) if system else None
    company = company or company_from_text(email.subject, email.body_text)
    if system is None:
        domain = registrable_domain(email.sender_domain)
        if company is None and domain and not is_free_mail(domain):
            company = (domain_label(domain) or "").title() or None
        system = INFERRED_SYSTEM
    if not company:
        return None
    interview_date = None
    if stage in INTERVIEW_STAGES and email.received_at is not None:
        interview_date = parse_interview_date(
            f"{email.subject}\n{email.body_text}", reference=email.received_at
        )
    refs = sorted(quoted_application_refs(email.subject, email.body_text))
    return InferredAts(
        system=system,
        company=company,
        stage=stage,
        occurred_at=email.received_at,
        interview_date=interview_date,
        thread_id=email.thread_id,
        reference=refs[0] if refs else None,
    )


@dataclass(frozen=True)
class ApplicationState:
    """One application's state folded from its emails."""

    application_id: str
    system: str
    company: str
    stage: Stage
    last_stage_change: datetime | None
    last_contact: datetime | None
    interview_date: datetime | None
    thread_ids: frozenset[str]

    def ats_fields(self, *, now: datetime) -> AtsFields:
        """``ats.*`` for the application's emails as of ``now`` (risk included)."""
        upcoming = self.interview_date if self.interview_date and _after(self.interview_date, now) else None
        past = self.interview_date if self.interview_date and upcoming is None else None
        return AtsFields(
            system=self.system,
            application_id=self.application_id,
            stage=self.stage.value,
            last_stage_change=self.last_stage_change,
            interview_date=self.interview_date,
            company=self.company,
            ghosting_risk=ghosting_risk(
                self.stage,
                now=now,
                last_stage_change=self.last_stage_change,
                last_contact=self.last_contact,
                next_interview_at=upcoming,
                last_interview_at=past,
            ),
        )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _after(a: datetime, b: datetime) -> bool:
    return _utc(a) > _utc(b)


_NEVER = datetime.min.replace(tzinfo=timezone.utc) + timedelta(days=1)


def _advances(current: Stage, new: Stage) -> bool:
    if new == current:
        return False
    if is_terminal(new) or is_terminal(current):
        return True  # a decision always applies; after one, a new application starts over
    return pipeline_rank(new) > pipeline_rank(current)


def fold(inferences: Iterable[InferredAts]) -> ApplicationState | None:
    """Fold one application's inferences (any order) into its current state; None if empty.

    Stage and ``last_stage_change`` follow the rules of the module docstring;
    ``last_contact`` is the newest email; ``interview_date`` is the interview date
    stated by the newest email that stated one (past or future; the risk tells them apart).
    """
    ordered = sorted(inferences, key=lambda i: _utc(i.occurred_at) if i.occurred_at else _NEVER)
    if not ordered:
        return None
    first = ordered[0]
    stage, changed_at = first.stage, first.occurred_at
    interview_date = first.interview_date
    last_contact = first.occurred_at
    threads = {first.thread_id} if first.thread_id else set()
    system, company = first.system, first.company
    for item in ordered[1:]:
        if item.thread_id:
            threads.add(item.thread_id)
        if item.occurred_at is not None:
            last_contact = item.occurred_at
        if item.system != INFERRED_SYSTEM:
            system = item.system  # the ATS name is better than "inferred"
        if _advances(stage, item.stage):
            stage, changed_at = item.stage, item.occurred_at
        if item.interview_date is not None:
            interview_date = item.interview_date
    return ApplicationState(
        application_id=first.application_id,
        system=system,
        company=company,
        stage=stage,
        last_stage_change=changed_at,
        last_contact=last_contact,
        interview_date=interview_date,
        thread_ids=frozenset(threads),
    )


def fold_by_application(inferences: Iterable[InferredAts]) -> dict[str, ApplicationState]:
    """Group one user's inferences by inferred application (company) and fold each group."""
    groups: dict[str, list[InferredAts]] = defaultdict(list)
    for item in inferences:
        groups[item.application_id].append(item)
    folded = {key: fold(items) for key, items in groups.items()}
    return {key: state for key, state in folded.items() if state is not None}
