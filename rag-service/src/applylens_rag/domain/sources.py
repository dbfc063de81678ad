"""Cited sources: what the ``sources`` event carries per email, and why each was boosted (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from applylens_contracts.email import EmailDocument

from .boosts import GHOSTING_RISK, LATE_STAGE, MODE_CATEGORY, MODE_WORDS, BoostConfig, Mode

SNIPPET_CHARS = 240
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class Source:
    """One cited email. ``n`` is its citation number ([n] in the answer), 1-based, in rank order."""

    n: int
    id: str
    thread_id: str
    subject: str
    sender: str
    received_at: datetime
    score: float
    why: tuple[str, ...]  # one human sentence per matched boost; empty when nothing boosted it
    boosts: tuple[str, ...]  # the matched boost names (machine-readable twin of ``why``)
    category: str | None
    stage: str | None
    company: str | None
    ghosting_risk: float | None
    snippet: str

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "id": self.id,
            "thread_id": self.thread_id,
            "subject": self.subject,
            "sender": self.sender,
            "received_at": self.received_at.isoformat(),
            "score": round(self.score, 6),
            "why": list(self.why),
            "boosts": list(self.boosts),
            "category": self.category,
            "ats": {"stage": self.stage, "company": self.company, "ghosting_risk": self.ghosting_risk},
            "snippet": self.snippet,
        }


def risk_word(risk: float | None) -> str | None:
    """``high`` from 0.6 (the urgency boost's threshold), ``medium`` from 0.3, else ``low``."""
    if risk is None:
        return None
    return "high" if risk >= 0.6 else "medium" if risk >= 0.3 else "low"


def why_boosted(doc: EmailDocument, matched: tuple[str, ...], mode: Mode, config: BoostConfig) -> tuple[str, ...]:
    """A sentence per matched boost, naming the value that triggered it (unknown names are shown as is)."""
    ats = doc.ats
    topic = config.modes.get(mode)
    out = []
    for name in matched:
        if name == GHOSTING_RISK and ats is not None and ats.ghosting_risk is not None:
            out.append(f"ghosting risk {ats.ghosting_risk:.2f} ≥ {config.ghosting_risk_at_least:g} "
                       f"(+{config.ghosting_risk_value:g})")
        elif name == LATE_STAGE and ats is not None and ats.stage:
            out.append(f"late ATS stage {ats.stage} (+{config.late_stage_value:g})")
        elif name == MODE_CATEGORY and topic is not None:
            out.append(f"{mode.value} mode: category {doc.category} (+{topic.category_value:g})")
        elif name == MODE_WORDS and topic is not None:
            out.append(f"{mode.value} mode: mentions {', '.join(topic.words[:4])}… (+{topic.words_value:g})")
        else:
            out.append(name)
    return tuple(out)


def snippet(text: str, terms: list[str], limit: int = SNIPPET_CHARS) -> str:
    """The body sentence that mentions most of ``terms`` (else the first), whitespace collapsed,
    cut at ``limit`` characters on a word boundary with an ellipsis."""
    flat = _SPACE.sub(" ", text).strip()
    if not flat:
        return ""
    sentences = [s for s in _SENTENCE.split(flat) if s]
    best = sentences[0]
    if terms:
        def hits(sentence: str) -> int:
            words = set(re.findall(r"[^\W_]+", sentence.lower()))
            return sum(1 for t in terms if t in words or any(w.startswith(t) for w in words))

        best = max(sentences, key=hits)  # max keeps the first of equals
    if len(best) <= limit:
        return best
    cut = best[:limit].rsplit(" ", 1)[0] or best[:limit]
    return cut + "…"


def to_source(n: int, doc: EmailDocument, score: float, matched: tuple[str, ...], mode: Mode,
              config: BoostConfig, terms: list[str]) -> Source:
    ats = doc.ats
    return Source(
        n=n,
        id=doc.id,
        thread_id=doc.thread_id or doc.id,
        subject=doc.subject or "(no subject)",
        sender=doc.from_ or doc.sender_domain or "(unknown sender)",
        received_at=doc.received_at,
        score=score,
        why=why_boosted(doc, matched, mode, config),
        boosts=matched,
        category=doc.category,
        stage=ats.stage if ats else None,
        company=ats.company if ats else None,
        ghosting_risk=ats.ghosting_risk if ats else None,
        snippet=snippet(doc.body_text, terms),
    )
