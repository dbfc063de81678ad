"""What a chat-completions model is told, and how its citations are kept (pure).

The model sees the same numbered sources as the ``sources`` event and is asked to cite
them as ``[n]``. Models do not always obey: ``citations_in`` reads the valid ones back,
and ``citation_footer`` lists the sources when the model cited none, so every answer
cites the emails it was built from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .boosts import Mode
from .sources import Source, risk_word

BODY_CHARS_PER_SOURCE = 600
_CITATION = re.compile(r"\[(\d{1,3})\]")

SYSTEM_PROMPT = (
    "You answer questions about the user's own mailbox. Use only the numbered emails given. "
    "Cite every statement with the number of its email in square brackets, like [1] or [2][3]. "
    "Name the ATS stage and ghosting risk of job applications when they matter; a ghosting risk of 0.6 "
    "or more means the user should follow up. If the emails do not answer the question, say so. "
    "Be brief: a few sentences or a short list."
)


def _describe(source: Source, body: str) -> str:
    lines = [
        f"[{source.n}] Subject: {source.subject}",
        f"From: {source.sender}",
        f"Date: {source.received_at.isoformat()}",
    ]
    if source.category:
        lines.append(f"Category: {source.category}")
    if source.stage or source.ghosting_risk is not None:
        ats = [f"stage {source.stage}"] if source.stage else []
        if source.company:
            ats.append(f"company {source.company}")
        if source.ghosting_risk is not None:
            ats.append(f"ghosting risk {source.ghosting_risk:.2f} ({risk_word(source.ghosting_risk)})")
        lines.append("ATS: " + ", ".join(ats))
    text = " ".join(body.split())[:BODY_CHARS_PER_SOURCE]
    lines.append(f"Text: {text or source.snippet}")
    return "\n".join(lines)


def chat_messages(question: str, mode: Mode, sources: Sequence[Source], bodies: Sequence[str]) -> list[dict[str, str]]:
    """The chat-completions ``messages``: the system rules, then the sources and the question.

    ``bodies[i]`` is the body text of ``sources[i]`` (cut to BODY_CHARS_PER_SOURCE).
    """
    mode_note = f" The user is in {mode.value} mode." if mode is not Mode.NONE else ""
    emails = "\n\n".join(_describe(s, b) for s, b in zip(sources, bodies)) or "(no emails matched)"
    return [
        {"role": "system", "content": SYSTEM_PROMPT + mode_note},
        {"role": "user", "content": f"Emails:\n\n{emails}\n\nQuestion: {question}"},
    ]


def citations_in(answer: str, count: int) -> list[int]:
    """The distinct valid citation numbers (1..count) in ``answer``, in order of first use."""
    seen: dict[int, None] = {}
    for match in _CITATION.finditer(answer):
        n = int(match.group(1))
        if 1 <= n <= count:
            seen.setdefault(n)
    return list(seen)


def citation_footer(answer: str, sources: Sequence[Source]) -> str:
    """Text to append so the answer cites its sources: empty when it already cites one of them."""
    if not sources or citations_in(answer, len(sources)):
        return ""
    listed = "; ".join(f"[{s.n}] {s.subject}" for s in sources)
    return f"\n\nSources: {listed}"
