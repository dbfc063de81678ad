"""PostgreSQL repository: user_weights (the seed's table), the dedup table, the FTRL state.

Every write that learns is idempotent by event id: the event ids go into
``learner_processed_events`` in the same transaction as the weight change, and only the
events whose id was new contribute. For the linear rule that is ONE statement (one round
trip, autocommitted): insert the ids ``ON CONFLICT DO NOTHING RETURNING``, join the
per-event deltas to the returned ids, sum per (user, feature), upsert additively in key
order. For the logistic rule the new state depends on the current one, so it is one
transaction of two statements: (1) record the ids and lock + read the touched rows in key
order, (2) write the folded state back.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

import asyncpg

from ..domain import FeatureState, LogisticParams, pin_weight, weight_of

Order = Literal["abs", "desc", "asc"]


@dataclass(frozen=True, slots=True)
class LearnedRow:
    """One (event, feature) row the logistic rule reads and writes if the event is new."""

    event_id: str
    user_id: str
    feature: str


@dataclass(frozen=True, slots=True)
class LinearEvent:
    """One decision for the linear rule: each of ``features`` of ``user_id`` gets ``delta`` (η·y)."""

    event_id: str
    user_id: str
    delta: float
    features: Sequence[str]


@dataclass(frozen=True, slots=True)
class StoredWeight:
    feature: str
    weight: float
    updated_at: datetime | None


# $1-$3: one entry per event (id, user, the delta each of its features gets); $4-$5: one
# entry per (event, feature), the event given by its 1-based position in $1 — an int, so
# the big array carries no repeated ids or user names.
_LINEAR_SQL = """
WITH ev AS MATERIALIZED (
    SELECT * FROM unnest($1::text[], $2::text[], $3::float8[]) WITH ORDINALITY AS e(event_id, user_id, delta, idx)
),
fresh AS (
    INSERT INTO learner_processed_events (event_id)
    SELECT event_id FROM ev
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
),
deltas AS (
    SELECT ev.user_id, r.feature, sum(ev.delta) AS delta
    FROM unnest($4::int8[], $5::text[]) AS r(idx, feature)
    JOIN ev USING (idx)
    JOIN fresh USING (event_id)
    GROUP BY ev.user_id, r.feature
),
upserted AS (
    INSERT INTO user_weights AS w (user_id, feature, weight, updated_at)
    SELECT user_id, feature, delta, timezone('utc', now()) FROM deltas
    ORDER BY user_id, feature
    ON CONFLICT (user_id, feature)
    DO UPDATE SET weight = w.weight + excluded.weight, updated_at = excluded.updated_at
    RETURNING 1
)
SELECT event_id FROM fresh
"""

# Step 1 of the logistic rule: record the ids, then create-or-lock every touched row in
# key order (a no-op upsert takes the row lock and returns the current weight) and read
# the FTRL state beside it. Rows created here are rewritten by step 2 in the same transaction.
_LOGISTIC_LOCK_SQL = """
WITH fresh AS (
    INSERT INTO learner_processed_events (event_id)
    SELECT unnest($1::text[])
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
),
keys AS (
    SELECT DISTINCT r.user_id, r.feature
    FROM unnest($2::text[], $3::text[], $4::text[]) AS r(event_id, user_id, feature)
    JOIN fresh USING (event_id)
),
locked AS (
    INSERT INTO user_weights AS w (user_id, feature, weight)
    SELECT user_id, feature, 0.0 FROM keys
    ORDER BY user_id, feature
    ON CONFLICT (user_id, feature) DO UPDATE SET weight = w.weight
    RETURNING w.user_id, w.feature, w.weight
)
SELECT 'event' AS kind, event_id AS user_id, NULL::text AS feature, NULL::float8 AS weight,
       NULL::float8 AS z, NULL::float8 AS n
FROM fresh
UNION ALL
SELECT 'row', l.user_id, l.feature, l.weight, s.z, s.n
FROM locked l LEFT JOIN learner_ftrl_state s ON s.user_id = l.user_id AND s.feature = l.feature
"""

_LOGISTIC_WRITE_SQL = """
WITH s AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[])
        AS t(user_id, feature, z, n, weight)
),
weights AS (
    UPDATE user_weights u SET weight = s.weight, updated_at = timezone('utc', now())
    FROM s WHERE u.user_id = s.user_id AND u.feature = s.feature
    RETURNING 1
)
INSERT INTO learner_ftrl_state (user_id, feature, z, n)
SELECT user_id, feature, z, n FROM s ORDER BY user_id, feature
ON CONFLICT (user_id, feature) DO UPDATE SET z = excluded.z, n = excluded.n
"""

_ORDER_SQL: dict[str, str] = {
    "abs": "abs(weight) DESC, feature",
    "desc": "weight DESC, feature",
    "asc": "weight ASC, feature",
}


def _utc(value: datetime | None) -> datetime | None:
    """The seed's ``updated_at`` is a TIMESTAMP holding UTC (written as ``timezone('utc', now())``):
    say so, so the API answers RFC 3339 date-times with an offset, as its schema promises."""
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def _columns(rows: Sequence[LearnedRow]) -> tuple[list[str], list[str], list[str]]:
    return [r.event_id for r in rows], [r.user_id for r in rows], [r.feature for r in rows]


def state_from_row(weight: float, z: float | None, n: float | None, params: LogisticParams) -> FeatureState:
    """The FTRL state of a stored row, consistent with its stored weight.

    A missing state (a weight learned by the linear rule, or a fresh row) or one whose
    implied weight differs from the stored one (the user edited it) is re-pinned to the
    stored weight (clipped to the bound), keeping ``n``: learning continues from what the
    user sees.
    """
    weight = float(weight or 0.0)
    if z is None or n is None:
        return pin_weight(FeatureState(n=0.0), weight, params)
    if not math.isclose(weight_of(z, n, params), weight, rel_tol=1e-9, abs_tol=1e-12):
        return pin_weight(FeatureState(z=z, n=n), weight, params)
    return FeatureState(z=z, n=n, weight=weight)


class PostgresWeights:
    """The learner's tables in PostgreSQL, through an asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    # -- learning -----------------------------------------------------------------------

    async def apply_linear(self, events: Sequence[LinearEvent]) -> set[str]:
        """Record the events' ids and add the deltas of the new ones, in one autocommitted statement.

        Event ids must be distinct within the call (a repeated id would add its deltas twice).
        Returns the ids that were new; the others changed nothing.
        """
        if not events:
            return set()
        positions: list[int] = []
        names: list[str] = []
        for position, event in enumerate(events, start=1):
            positions.extend([position] * len(event.features))
            names.extend(event.features)
        async with self._pool.acquire() as conn:
            records = await conn.fetch(
                _LINEAR_SQL,
                [e.event_id for e in events],
                [e.user_id for e in events],
                [e.delta for e in events],
                positions,
                names,
            )
        return {r["event_id"] for r in records}

    async def lock_for_logistic(
        self, conn: asyncpg.Connection, event_ids: Sequence[str], rows: Sequence[LearnedRow], params: LogisticParams
    ) -> tuple[set[str], dict[tuple[str, str], FeatureState]]:
        """Inside the caller's transaction: record the ids, lock and read the rows of the new events."""
        if not event_ids:
            return set(), {}
        ids, users, features = _columns(rows)
        fresh: set[str] = set()
        states: dict[tuple[str, str], FeatureState] = {}
        for r in await conn.fetch(_LOGISTIC_LOCK_SQL, list(event_ids), ids, users, features):
            if r["kind"] == "event":
                fresh.add(r["user_id"])
            else:
                states[(r["user_id"], r["feature"])] = state_from_row(r["weight"], r["z"], r["n"], params)
        return fresh, states

    async def write_logistic(self, conn: asyncpg.Connection, states: dict[tuple[str, str], FeatureState]) -> None:
        if not states:
            return
        keys = sorted(states)
        await conn.execute(
            _LOGISTIC_WRITE_SQL,
            [u for u, _ in keys],
            [f for _, f in keys],
            [states[k].z for k in keys],
            [states[k].n for k in keys],
            [states[k].weight for k in keys],
        )

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection inside a transaction (committed when the block ends cleanly)."""
        async with self._pool.acquire() as conn, conn.transaction():
            yield conn

    # -- reading and editing -------------------------------------------------------------

    async def list_weights(self, user_id: str, *, limit: int, order: Order) -> tuple[int, list[StoredWeight]]:
        """(how many weights the user has, the first ``limit`` in ``order``)."""
        async with self._pool.acquire() as conn:
            total = await conn.fetchval("SELECT count(*) FROM user_weights WHERE user_id = $1", user_id)
            rows = await conn.fetch(
                f"SELECT feature, weight, updated_at FROM user_weights WHERE user_id = $1 "
                f"ORDER BY {_ORDER_SQL[order]} LIMIT $2",
                user_id,
                limit,
            )
        return total, [StoredWeight(r["feature"], float(r["weight"] or 0.0), _utc(r["updated_at"])) for r in rows]

    async def weights_for(self, user_id: str, features: Sequence[str]) -> dict[str, float]:
        """The user's stored weights of ``features`` (absent ones are simply missing)."""
        if not features:
            return {}
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT feature, weight FROM user_weights WHERE user_id = $1 AND feature = ANY($2::text[])",
                user_id,
                list(features),
            )
        return {r["feature"]: float(r["weight"] or 0.0) for r in rows}

    async def set_weight(self, user_id: str, feature: str, weight: float) -> StoredWeight:
        """Set (create or overwrite) one weight; the FTRL state re-pins to it when next used."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "INSERT INTO user_weights AS w (user_id, feature, weight, updated_at) "
                "VALUES ($1, $2, $3, timezone('utc', now())) "
                "ON CONFLICT (user_id, feature) DO UPDATE SET weight = excluded.weight, updated_at = excluded.updated_at "
                "RETURNING feature, weight, updated_at",
                user_id,
                feature,
                weight,
            )
        return StoredWeight(row["feature"], float(row["weight"]), _utc(row["updated_at"]))

    async def delete_weight(self, user_id: str, feature: str) -> bool:
        """Forget one feature (weight and learning state). False when the user had no such weight."""
        async with self._pool.acquire() as conn:
            return await _delete(conn, user_id, feature) > 0

    async def delete_all(self, user_id: str) -> int:
        """Forget everything learned for the user. Returns how many weights were deleted."""
        async with self._pool.acquire() as conn:
            return await _delete(conn, user_id, None)

    # -- retention -----------------------------------------------------------------------

    async def prune_processed(self, older_than: timedelta, *, chunk: int = 10_000) -> int:
        """Delete dedup rows older than ``older_than``, ``chunk`` rows per statement (short locks)."""
        cutoff = datetime.now(timezone.utc) - older_than
        total = 0
        async with self._pool.acquire() as conn:
            while True:
                deleted = await conn.fetchval(
                    "WITH d AS (DELETE FROM learner_processed_events WHERE event_id IN ("
                    "SELECT event_id FROM learner_processed_events WHERE processed_at < $1 "
                    "ORDER BY processed_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1) SELECT count(*) FROM d",
                    cutoff,
                    chunk,
                )
                total += deleted
                if deleted < chunk:
                    return total


async def _delete(conn: asyncpg.Connection, user_id: str, feature: str | None) -> int:
    # One statement, so weight and state disappear together.
    feature_filter = "" if feature is None else " AND feature = $2"
    args: list[object] = [user_id] if feature is None else [user_id, feature]
    return await conn.fetchval(
        f"WITH s AS (DELETE FROM learner_ftrl_state WHERE user_id = $1{feature_filter} RETURNING 1), "
        f"w AS (DELETE FROM user_weights WHERE user_id = $1{feature_filter} RETURNING 1) "
        f"SELECT count(*) FROM w",
        *args,
    )

