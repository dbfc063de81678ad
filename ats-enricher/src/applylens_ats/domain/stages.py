"""Canonical application stages, the normaliser from ATS spellings, and stage timing.

Every ATS names its pipeline differently (Greenhouse job stages are free text per job,
Lever has stage ids such as ``applicant-new`` plus free-text names, Workday has
statuses). The enricher writes one canonical, title-case name into ``ats.stage`` so
that readers (the RAG boosts for ``Onsite``/``Offer``) can match exactly.

Expected days in each stage — how long a candidate typically waits in that stage
before hearing anything (industry medians, rounded; tune here, nowhere else):

=================  =====  ==========================================================
stage              days   why
=================  =====  ==========================================================
Applied              14   résumé review queues are slow; two weeks of silence is common
Recruiter Screen      7   a recruiter answers within a week after the call
Phone Screen          7   hiring-manager / phone interview feedback
Assessment            7   take-home or online test, then its review
Technical Screen     10   technical interview feedback plus onsite scheduling
Onsite                7   debrief and decision after the loop
Final Round           7   final / executive round decision
Offer                 5   offers carry deadlines; silence after one is unusual
Negotiation           5   counter-offers are answered within days
Hired, Rejected,      —   terminal: nothing more is expected
Withdrawn
=================  =====  ==========================================================
"""

from __future__ import annotations

import re
from enum import StrEnum


class Stage(StrEnum):
    """Canonical stage names, as written to ``ats.stage``."""

    APPLIED = "Applied"
    RECRUITER_SCREEN = "Recruiter Screen"
    PHONE_SCREEN = "Phone Screen"
    ASSESSMENT = "Assessment"
    TECHNICAL_SCREEN = "Technical Screen"
    ONSITE = "Onsite"
    FINAL_ROUND = "Final Round"
    OFFER = "Offer"
    NEGOTIATION = "Negotiation"
    HIRED = "Hired"
    REJECTED = "Rejected"
    WITHDRAWN = "Withdrawn"


TERMINAL_STAGES: frozenset[Stage] = frozenset({Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN})

INTERVIEW_STAGES: frozenset[Stage] = frozenset(
    {
        Stage.RECRUITER_SCREEN,
        Stage.PHONE_SCREEN,
        Stage.TECHNICAL_SCREEN,
        Stage.ONSITE,
        Stage.FINAL_ROUND,
    }
)

# Pipeline order of the active stages (terminal stages are outside the order).
PIPELINE_ORDER: tuple[Stage, ...] = (
    Stage.APPLIED,
    Stage.RECRUITER_SCREEN,
    Stage.PHONE_SCREEN,
    Stage.ASSESSMENT,
    Stage.TECHNICAL_SCREEN,
    Stage.ONSITE,
    Stage.FINAL_ROUND,
    Stage.OFFER,
    Stage.NEGOTIATION,
    Stage.HIRED,
)

EXPECTED_DAYS: dict[Stage, float] = {
    Stage.APPLIED: 14.0,
    Stage.RECRUITER_SCREEN: 7.0,
    Stage.PHONE_SCREEN: 7.0,
    Stage.ASSESSMENT: 7.0,
    Stage.TECHNICAL_SCREEN: 10.0,
    Stage.ONSITE: 7.0,
    Stage.FINAL_ROUND: 7.0,
    Stage.OFFER: 5.0,
    Stage.NEGOTIATION: 5.0,
}

# Used when the stage is unknown (an ATS spelling nobody mapped yet).
DEFAULT_EXPECTED_DAYS = 14.0


def expected_days(stage: Stage | None) -> float | None:
    """Days a candidate normally waits in ``stage``; None for terminal stages.

    An unknown stage (None) gets ``DEFAULT_EXPECTED_DAYS``.
    """
    if stage is None:
        return DEFAULT_EXPECTED_DAYS
    if stage in TERMINAL_STAGES:
        return None
    return EXPECTED_DAYS[stage]


def is_terminal(stage: Stage | None) -> bool:
    return stage in TERMINAL_STAGES


def pipeline_rank(stage: Stage) -> int:
    """Position in the pipeline (Applied = 0); Rejected/Withdrawn rank past Hired."""
    try:
        return PIPELINE_ORDER.index(stage)
    except ValueError:
        return len(PIPELINE_ORDER)


def _key(raw: str) -> str:
    """Lower-case, punctuation and separators to single spaces: "On-site_Interview" -> "on site interview"."""
    return " ".join(re.sub(r"[^0-9a-z&]+", " ", raw.lower()).split())


# Exact spellings (after ``_key``) from Greenhouse default/common job stages, Lever
# default stage ids and names, Workday statuses, Ashby/SmartRecruiters statuses.
_ALIASES: dict[str, Stage] = {}


def _alias(stage: Stage, *spellings: str) -> None:
    for spelling in spellings:
        _ALIASES[_key(spelling)] = stage


_alias(
    Stage.APPLIED,
    "applied", "application", "application review", "app review", "resume review",
    "review", "in review", "under review", "new", "new applicant", "applicant",
    "applicant-new", "new lead", "lead-new", "lead-reached-out", "lead-responded",
    "reached out", "responded", "submitted", "application submitted",
    "application received", "received", "sourced", "inbox", "lead", "consider",
)
_alias(
    Stage.RECRUITER_SCREEN,
    "recruiter screen", "recruiter-screen", "recruiter call", "recruiter phone screen",
    "recruiter interview", "preliminary phone screen", "preliminary screen",
    "initial screen", "initial call", "intro call", "introductory call", "hr screen",
    "hr interview", "talent screen", "talent acquisition screen", "screening call",
)
_alias(
    Stage.PHONE_SCREEN,
    "phone screen", "phone-screen", "phone interview", "phone", "screen", "screening",
    "first interview", "1st interview", "hiring manager screen", "hiring manager interview",
    "hiring manager call", "video interview", "video screen", "interview", "interviewing",
)
_alias(
    Stage.ASSESSMENT,
    "assessment", "take home", "take home test", "take home assignment",
    "take home exercise", "coding challenge", "coding exercise", "online assessment",
    "skills assessment", "homework", "work sample", "case study",
)
_alias(
    Stage.TECHNICAL_SCREEN,
    "technical screen", "tech screen", "technical phone screen", "technical interview",
    "coding interview", "technical phone interview", "second interview", "2nd interview",
    "pair programming",
)
_alias(
    Stage.ONSITE,
    "onsite", "on site", "on-site", "onsite interview", "on site interview",
    "on-site interview", "virtual onsite", "face to face", "face to face interview",
    "in person", "in person interview", "panel", "panel interview", "interview loop",
    "loop", "superday",
)
_alias(
    Stage.FINAL_ROUND,
    "final", "final round", "final interview", "final interviews", "final stage",
    "third interview", "3rd interview", "executive interview", "reference check",
    "references",
)
_alias(
    Stage.OFFER,
    "offer", "offer extended", "offer sent", "offer stage", "verbal offer",
    "offer approval", "background check", "offer made",
)
_alias(Stage.NEGOTIATION, "negotiation", "negotiating", "offer negotiation", "counter offer")
_alias(
    Stage.HIRED,
    "hired", "hire", "offer accepted", "accepted", "ready for hire", "placed", "onboarding",
)
_alias(
    Stage.REJECTED,
    "rejected", "reject", "declined", "not selected", "not moving forward", "archived",
    "disqualified", "unsuccessful", "dispositioned", "no hire", "closed", "inactive",
)
_alias(
    Stage.WITHDRAWN,
    "withdrawn", "withdrew", "withdraw", "candidate withdrew", "offer declined",
    "declined offer", "candidate declined", "offer rejected by candidate",
)

# Keyword rules, tried in order when no exact spelling matched.
_RULES: tuple[tuple[re.Pattern[str], Stage], ...] = tuple(
    (re.compile(pattern), stage)
    for pattern, stage in (
        (r"\bwithdr[ae]w", Stage.WITHDRAWN),
        (r"\b(?:reject|declin|disqualif|unsuccessful|not selected|not moving forward)", Stage.REJECTED),
        (r"\b(?:hired|offer accepted)\b", Stage.HIRED),
        (r"\bnegotiat", Stage.NEGOTIATION),
        (r"\boffer\b", Stage.OFFER),
        (r"\bfinal\b", Stage.FINAL_ROUND),
        (r"\b(?:on ?site|face to face|in person|panel|loop|superday)\b", Stage.ONSITE),
        (r"\b(?:technical|tech|coding|pair programming|system design)\b", Stage.TECHNICAL_SCREEN),
        (r"\b(?:assessment|take home|challenge|test|assignment|exercise|homework)\b", Stage.ASSESSMENT),
        (r"\b(?:recruiter|hr|talent|preliminary|intro|introductory)\b", Stage.RECRUITER_SCREEN),
        (r"\b(?:phone|screen|screening|video|interview|interviews)\b", Stage.PHONE_SCREEN),
        (r"\b(?:appl|review|new|submitted|lead)", Stage.APPLIED),
    )
)

_ARCHIVED = re.compile(r"^archived\s*[:/-]\s*(.*)$", re.IGNORECASE)


def normalize_stage(raw: str | Stage | None) -> Stage | None:
    """Canonical stage for an ATS stage name or id, case-insensitively; None if unknown.

    ``"ONSITE"``, ``"On-site"``, ``"onsite_interview"`` -> Onsite; ``"final interview"``
    -> Final Round; Lever ``"applicant-new"`` -> Applied. A Lever archived opportunity
    arrives as ``"archived:<archive reason>"``: reason "Hired" -> Hired, "Withdrew" ->
    Withdrawn, any other reason -> Rejected. Opaque ids (UUIDs) give None.
    """
    if raw is None:
        return None
    if isinstance(raw, Stage):
        return raw
    archived = _ARCHIVED.match(raw.strip())
    if archived:
        reason = _key(archived.group(1))
        if re.search(r"\bhired?\b", reason):
            return Stage.HIRED
        if re.search(r"\bwithdr[ae]w", reason) or "candidate declined" in reason:
            return Stage.WITHDRAWN
        return Stage.REJECTED
    key = _key(raw)
    if not key:
        return None
    exact = _ALIASES.get(key)
    if exact is not None:
        return exact
    for title_case in Stage:
        if key == title_case.value.lower():
            return title_case
    for pattern, stage in _RULES:
        if pattern.search(key):
            return stage
    return None
