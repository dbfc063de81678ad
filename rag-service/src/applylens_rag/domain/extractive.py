"""The extractive answerer: a summary of the retrieved emails, grouped by thread, with citations (pure).

Works offline and is deterministic. Every statement cites the sources it comes from as
``[n]`` (the ``n`` of the ``sources`` event). Threads keep the rank of their best email;
inside a thread the emails keep rank order. A thread's line names its ATS stage and
ghosting risk when it has them, so urgent recruiter mail reads as urgent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .boosts import Mode
from .sources import Source, risk_word


def group_by_thread(sources: Sequence[Source]) -> list[list[Source]]:
    """Sources grouped by ``thread_id``, threads in order of their first (best-ranked) source."""
    groups: dict[str, list[Source]] = {}
    for source in sources:
        groups.setdefault(source.thread_id, []).append(source)
    return list(groups.values())


def _cite(thread: Sequence[Source]) -> str:
    return "".join(f"[{s.n}]" for s in thread)


def _ats_note(thread: Sequence[Source]) -> str:
    # The most recent email of the thread that carries a stage or a risk speaks for the thread.
    with_ats = [s for s in thread if s.stage or s.ghosting_risk is not None]
    if not with_ats:
        return ""
    latest = max(with_ats, key=lambda s: s.received_at)
    parts = []
    if latest.stage:
        parts.append(f"stage {latest.stage}" + (f" at {latest.company}" if latest.company else ""))
    if latest.ghosting_risk is not None:
        word = risk_word(latest.ghosting_risk)
        parts.append(f"ghosting risk {latest.ghosting_risk:.2f} ({word})")
    note = "; ".join(parts)
    if latest.ghosting_risk is not None and latest.ghosting_risk >= 0.6:
        note += " — worth a follow-up"
    return f" {note[0].upper()}{note[1:]}."


def _thread_line(index: int, thread: Sequence[Source]) -> str:
    head = thread[0]
    date = head.received_at.date().isoformat()
    more = f" (+{len(thread) - 1} more in the thread)" if len(thread) > 1 else ""
    line = f"{index}. “{head.subject}” from {head.sender}, {date}{more} {_cite(thread)}."
    line += _ats_note(thread)
    if head.snippet:
        line += f" “{head.snippet}”"
    return line + "\n"


def extractive_answer(question: str, mode: Mode, sources: Sequence[Source], *, total: int,
                      fallback: bool = False) -> Iterator[str]:
    """The answer as text pieces (each piece is one ``delta`` event; joined they are the answer).

    ``total``: how many emails matched in all; ``fallback``: no email matched the question's
    words, so ``sources`` are the user's most urgent / mode-relevant mail instead.
    """
    in_mode = f" in {mode.value} mode" if mode is not Mode.NONE else ""
    if not sources:
        yield f"No email in your mailbox matches “{question}”{in_mode}.\n"
        return
    threads = group_by_thread(sources)
    if fallback:
        yield (f"No email matches the words of “{question}”; here is the most relevant mail{in_mode} "
               f"instead ({len(sources)} emails in {len(threads)} threads).\n")
    else:
        shown = f"the top {len(sources)}" if total > len(sources) else f"all {len(sources)}"
        yield (f"{total} email{'s' if total != 1 else ''} match “{question}”{in_mode}; "
               f"{shown} in {len(threads)} thread{'s' if len(threads) != 1 else ''}:\n")
    for i, thread in enumerate(threads, start=1):
        yield _thread_line(i, thread)
    urgent = [t for t in threads if any((s.ghosting_risk or 0) >= 0.6 for s in t)]
    if urgent:
        cites = "".join(_cite(t[:1]) for t in urgent)
        yield (f"Needs attention: {len(urgent)} application thread{'s' if len(urgent) != 1 else ''} "
               f"at high ghosting risk {cites}.\n")
