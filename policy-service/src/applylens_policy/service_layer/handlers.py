"""The use cases, over a stats store (PostgresPolicyStats or a fake) and a clock."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from applylens_contracts.events import ActionEvent

from ..adapters.postgres import AppliedGroup, StatsRow
from ..domain import DailyPoint, HistoryRow, daily_series, history_rows, window_start

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class StatsStore(Protocol):
    async def apply(self, rows: Sequence[HistoryRow], *, since: datetime, window_days: int) -> list[AppliedGroup]: ...
    async def recompute(self, *, since: datetime, window_days: int) -> int: ...
    async def list_for_user(self, user_id: str) -> list[StatsRow]: ...
    async def get_for_user(self, user_id: str, policy_id: int) -> StatsRow | None: ...
    async def daily_counts(self, user_id: str, policy_id: int, since: datetime) -> list[DailyPoint]: ...


class MetricsSink(Protocol):
    def record(self, groups: Iterable[AppliedGroup]) -> None: ...


async def apply_events(
    store: StatsStore,
    events: Iterable[tuple[str, ActionEvent]],
    *,
    window_days: int,
    metrics: MetricsSink | None = None,
    now: Clock = utc_now,
) -> int:
    """ApplyEvents: store each (event id, event) once and count it; returns how many were new.

    Live rule: an event counts when it arrives inside the window (occurred_at ≥ now −
    window_days); older ones are kept in the history only. Counters then only grow until
    the nightly recompute drops what has left the window.
    """
    rows = history_rows(events)
    groups = await store.apply(rows, since=window_start(now(), window_days), window_days=window_days)
    if metrics is not None:
        metrics.record(groups)
    return sum(g.count for g in groups)


async def recompute_stats(store: StatsStore, *, window_days: int, now: Clock = utc_now) -> int:
    """RecomputeStats (the 02:15 job): exact figures over the window from the history. Idempotent."""
    return await store.recompute(since=window_start(now(), window_days), window_days=window_days)


async def list_stats(store: StatsStore, user_id: str) -> list[StatsRow]:
    """The user's rows, most-fired first."""
    return await store.list_for_user(user_id)


@dataclass(frozen=True)
class PolicyDetail:
    stats: StatsRow
    series: list[DailyPoint]


async def policy_detail(
    store: StatsStore, user_id: str, policy_id: int, *, days: int | None = None, now: Clock = utc_now
) -> PolicyDetail | None:
    """One row and its daily series over ``days`` (default: the row's window); None if the user has no such row."""
    row = await store.get_for_user(user_id, policy_id)
    if row is None:
        return None
    current = now()
    since = window_start(current, days or row.window_days)
    counts = await store.daily_counts(user_id, policy_id, since)
    return PolicyDetail(row, daily_series(counts, since.date(), current.date()))
