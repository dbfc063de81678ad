"""Counters, precision and recall of a policy for one user, over a window of days.

Definitions (SPEC §4, policy):

- ``fired`` = proposals, ``approved`` / ``rejected`` = decisions on them;
- precision = approved / (approved + rejected): pending proposals do not count;
- recall = approved / (approved + missed), where ``missed`` = the user's manual actions
  of the policy's action kind on emails this policy did not propose;
- both are ``None`` (JSON null) when the denominator is 0, never 0 by default.

The window is ``[now - window_days, now]`` on the events' ``occurred_at``. The SQL in
``adapters/postgres.py`` and migration 0004 applies exactly these rules;
``windowed_figures`` is the executable reference the tests compare it with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

KINDS = ("proposed", "approved", "rejected", "manual")


@dataclass(frozen=True, slots=True)
class Counters:
    fired: int = 0
    approved: int = 0
    rejected: int = 0


_DELTAS: Mapping[str, Counters] = {
    "proposed": Counters(fired=1),
    "approved": Counters(approved=1),
    "rejected": Counters(rejected=1),
    "manual": Counters(),  # moves no counter of its own; it feeds recall
}


def deltas(kind: str) -> Counters:
    """What one event of ``kind`` adds to its policy's counters. Raises ValueError for an unknown kind."""
    try:
        return _DELTAS[kind]
    except KeyError:
        raise ValueError(f"unknown event kind {kind!r}; expected one of {KINDS}") from None


def precision(approved: int, rejected: int) -> float | None:
    """approved / (approved + rejected); None when no proposal was decided yet."""
    decided = approved + rejected
    return approved / decided if decided > 0 else None


def missed(manual: int, manual_on_proposed: int) -> int:
    """Manual actions of the policy's kind on emails it did not propose (never negative)."""
    return max(manual - manual_on_proposed, 0)


def recall(approved: int, manual: int, manual_on_proposed: int) -> float | None:
    """approved / (approved + missed); None when there is nothing to recall."""
    denominator = approved + missed(manual, manual_on_proposed)
    return approved / denominator if denominator > 0 else None


def window_start(now: datetime, window_days: int) -> datetime:
    """The oldest ``occurred_at`` inside a window of ``window_days`` (≥ 1) ending at ``now`` (aware)."""
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, got {window_days}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now - timedelta(days=window_days)


class _Event(Protocol):
    user_id: str
    kind: str
    policy_id: int | None
    action: str
    email_id: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class PolicyFigures:
    user_id: str
    policy_id: int
    action: str
    fired: int
    approved: int
    rejected: int
    manual: int
    manual_on_proposed: int

    @property
    def precision(self) -> float | None:
        return precision(self.approved, self.rejected)

    @property
    def recall(self) -> float | None:
        return recall(self.approved, self.manual, self.manual_on_proposed)


def windowed_figures(events: Iterable[_Event], since: datetime) -> dict[tuple[str, int], PolicyFigures]:
    """Exact figures per (user, policy) from the events with ``occurred_at >= since``.

    A policy's action kind is that of its latest event. A manual action counts as
    "on a proposed email" for a policy when that policy proposed the same email with
    the same action kind inside the window. Each event id must appear once.
    """
    inside = [e for e in events if e.occurred_at >= since]
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    latest: dict[tuple[str, int], tuple[datetime, str]] = {}
    manual: dict[tuple[str, str], int] = defaultdict(int)
    manual_emails: dict[tuple[str, str, str], int] = defaultdict(int)
    proposed: set[tuple[str, int, str, str]] = set()
    for e in inside:
        if e.kind == "manual":
            manual[(e.user_id, e.action)] += 1
            manual_emails[(e.user_id, e.action, e.email_id)] += 1
            continue
        assert e.policy_id is not None
        key = (e.user_id, e.policy_id)
        c = deltas(e.kind)
        row = counts[key]
        row[0] += c.fired
        row[1] += c.approved
        row[2] += c.rejected
        if key not in latest or e.occurred_at >= latest[key][0]:
            latest[key] = (e.occurred_at, e.action)
        if e.kind == "proposed":
            proposed.add((e.user_id, e.policy_id, e.action, e.email_id))
    overlap: dict[tuple[str, int], int] = defaultdict(int)
    for user_id, policy_id, action, email_id in proposed:
        overlap[(user_id, policy_id)] += manual_emails.get((user_id, action, email_id), 0)
    out: dict[tuple[str, int], PolicyFigures] = {}
    for key, (fired, approved, rejected) in counts.items():
        action = latest[key][1]
        out[key] = PolicyFigures(key[0], key[1], action, fired, approved, rejected,
                                 manual[(key[0], action)], overlap[key])
    return out


@dataclass(frozen=True, slots=True)
class DailyPoint:
    day: date
    fired: int
    approved: int
    rejected: int

    @property
    def precision(self) -> float | None:
        return precision(self.approved, self.rejected)


def daily_series(counts: Sequence[DailyPoint], first_day: date, last_day: date) -> list[DailyPoint]:
    """One point per UTC day from ``first_day`` to ``last_day`` inclusive; days without events are zeros."""
    if last_day < first_day:
        raise ValueError(f"last_day {last_day} is before first_day {first_day}")
    by_day = {p.day: p for p in counts}
    days = (last_day - first_day).days + 1
    return [
        by_day.get(day, DailyPoint(day, 0, 0, 0))
        for day in (first_day + timedelta(days=i) for i in range(days))
    ]
