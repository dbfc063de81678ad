"""PostgresPolicyStats: the event history, the counters and the reads, over an asyncpg pool."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import asyncpg

from ..domain import DailyPoint, HistoryRow
from . import sql


_json = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode

# Each lost race means another writer committed at least one of the batch's events, so a
# batch sent by k writers at once settles within k attempts.
RACE_ATTEMPTS = 8


def batch_arguments(rows: Sequence[HistoryRow], since: datetime, window_days: int) -> tuple:
    """The parameters of ``sql.APPLY_BATCH`` for ``rows`` (at least one).

    Text columns travel as JSON arrays: asyncpg encodes a text[] at ~1 µs per element (two
    ``abc`` isinstance checks each), the JSON encoder at under half of that, and the
    consumer's Python thread is the scarce core (docs/PERFORMANCE.md).
    """
    event_ids, user_ids, kinds, policy_ids, names, actions, action_ids, email_ids, occurred = zip(*rows)
    return (_json(event_ids), _json(user_ids), _json(kinds), list(policy_ids), _json(names),
            _json(actions), _json(action_ids), _json(email_ids), list(occurred), since, window_days)


class AppliedGroup(NamedTuple):
    """New (never seen before) events of one kind for one (policy, user); policy_id None for manual.

    A tuple, built straight from the result row: a batch returns about one per event.
    """

    kind: str
    policy_id: int | None
    user_id: str
    count: int


@dataclass(frozen=True, slots=True)
class StatsRow:
    policy_id: int
    name: str | None
    precision: float | None
    recall: float | None
    approved: int
    rejected: int
    fired: int
    window_days: int
    updated_at: datetime | None


class PostgresPolicyStats:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def apply(
        self, rows: Sequence[HistoryRow], *, since: datetime, window_days: int
    ) -> list[AppliedGroup]:
        """Store the rows (ids unique within ``rows``) and move the counters, in one transaction.

        Events already in the history change nothing; events older than ``since`` are
        stored but not counted. Returns the new events, grouped.
        """
        if not rows:
            return []
        columns = batch_arguments(rows, since, window_days)
        async with self._pool.acquire() as conn:
            for attempt in range(1, RACE_ATTEMPTS + 1):
                try:
                    # A single statement is its own transaction: all of it commits or none of it.
                    records = await conn.fetch(sql.APPLY_BATCH, *columns)
                    break
                except asyncpg.UniqueViolationError:
                    # Another writer stored one of these events first (replicas mid-rebalance);
                    # nothing of this attempt was kept, and the next one skips that event.
                    if attempt == RACE_ATTEMPTS:
                        raise
        return list(map(AppliedGroup._make, records))  # columns: kind, policy_id, user_id, n

    async def recompute(self, *, since: datetime, window_days: int) -> int:
        """Replace every row by its exact figures over events with ``occurred_at >= since``. Returns rows written."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(sql.LOCK_FOR_RECOMPUTE)
            await conn.execute(sql.RECOMPUTE_MANUAL_COUNTS, since)
            status = await conn.execute(sql.RECOMPUTE_STATS, since, window_days)
        return int(status.rsplit(" ", 1)[-1])

    async def list_for_user(self, user_id: str) -> list[StatsRow]:
        async with self._pool.acquire() as conn:
            records = await conn.fetch(sql.LIST_STATS, user_id)
        return [StatsRow(**dict(r)) for r in records]

    async def get_for_user(self, user_id: str, policy_id: int) -> StatsRow | None:
        async with self._pool.acquire() as conn:
            record = await conn.fetchrow(sql.GET_STATS, user_id, policy_id)
        return StatsRow(**dict(record)) if record else None

    async def daily_counts(self, user_id: str, policy_id: int, since: datetime) -> list[DailyPoint]:
        async with self._pool.acquire() as conn:
            records = await conn.fetch(sql.DAILY_COUNTS, user_id, policy_id, since)
        return [DailyPoint(day=r["day"], fired=r["fired"], approved=r["approved"], rejected=r["rejected"])
                for r in records]


