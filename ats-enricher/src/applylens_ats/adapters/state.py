"""The enricher's own tables (PostgreSQL): job runs and checkpoints, known mailboxes, consumed event ids.

Created by the service's migrations (``applylens_ats/migrations``, version table
``alembic_version_ats``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg

from applylens_platform import migrations

VERSION_TABLE = "alembic_version_ats"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def migrate(database_url: str) -> None:
    """Bring the enricher's tables to the latest revision (safe at every start, by several replicas)."""
    migrations.upgrade(MIGRATIONS, database_url, VERSION_TABLE)


_REMEMBER = (
    "INSERT INTO ats_mailboxes (user_id) SELECT u FROM unnest($1::text[]) AS u "
    "ON CONFLICT (user_id) DO UPDATE SET last_seen = now()"
)


@dataclass(frozen=True)
class Run:
    run_id: int
    as_of: datetime  # the clock of ghosting_risk for the whole run (a resumed run keeps it)
    synced_from: datetime | None  # warehouse window (synced_from, synced_to]; None = everything
    synced_to: datetime
    new_mail_since: datetime | None  # mail received since then is re-checked; None = all mail
    attempts: int
    started_at: datetime
    planned: bool = False

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Run:
        return cls(row["run_id"], row["as_of"], row["synced_from"], row["synced_to"], row["new_mail_since"],
                   row["attempts"], row["started_at"], row["planned"])


@dataclass(frozen=True)
class PlannedMailbox:
    user_id: str
    full_pass: bool


class PostgresState:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # -- runs ------------------------------------------------------------------------------------
    async def resume_running(self) -> Run | None:
        """The unfinished run (a crash or a kill left it 'running'), its attempt count raised; else None."""
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                "UPDATE ats_runs SET attempts = attempts + 1 WHERE status = 'running' RETURNING *"
            )
        return Run.from_row(row) if row else None

    async def last_success(self) -> Run | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT * FROM ats_runs WHERE status = 'succeeded' ORDER BY run_id DESC LIMIT 1"
            )
        return Run.from_row(row) if row else None

    async def start_run(
        self, *, as_of: datetime, synced_from: datetime | None, synced_to: datetime, new_mail_since: datetime | None
    ) -> Run:
        """A new 'running' run; UniqueViolation if another run is still running (one at a time)."""
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                "INSERT INTO ats_runs (as_of, synced_from, synced_to, new_mail_since) VALUES ($1, $2, $3, $4) "
                "RETURNING *",
                as_of, synced_from, synced_to, new_mail_since,
            )
        return Run.from_row(row)

    async def plan(self, run_id: int, user_ids: Sequence[str], *, full_pass: bool) -> None:
        """Add mailboxes to the run's plan; a full pass wins over an incremental one."""
        if not user_ids:
            return
        conflict = "DO UPDATE SET full_pass = true" if full_pass else "DO NOTHING"
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO ats_run_mailboxes (run_id, user_id, full_pass) "
                f"SELECT $1, u, $3 FROM unnest($2::text[]) AS u ON CONFLICT (run_id, user_id) {conflict}",
                run_id, sorted(set(user_ids)), full_pass,
            )

    async def mark_planned(self, run_id: int) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute("UPDATE ats_runs SET planned = true WHERE run_id = $1", run_id)

    async def record_error(self, run_id: int, error: str) -> None:
        """Note why an attempt stopped; the run stays 'running' so the next start resumes it."""
        async with self.pool.acquire() as conn:
            await conn.execute("UPDATE ats_runs SET error = $2 WHERE run_id = $1", run_id, error[:2000])

    async def plan_size(self, run_id: int) -> tuple[int, int]:
        """(mailboxes planned, mailboxes done)."""
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT count(*) AS planned, count(done_at) AS done FROM ats_run_mailboxes WHERE run_id = $1", run_id
            )
        return row["planned"], row["done"]

    async def pending(self, run_id: int, batch_size: int = 500) -> AsyncIterator[PlannedMailbox]:
        """Mailboxes of the plan not done yet, in user id order (keyset, so memory stays flat)."""
        after = ""
        while True:
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(
                    "SELECT user_id, full_pass FROM ats_run_mailboxes "
                    "WHERE run_id = $1 AND done_at IS NULL AND user_id > $2 ORDER BY user_id LIMIT $3",
                    run_id, after, batch_size,
                )
            if not rows:
                return
            for row in rows:
                yield PlannedMailbox(row["user_id"], row["full_pass"])
            after = rows[-1]["user_id"]

    async def mark_done(self, run_id: int, user_id: str, written: int) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE ats_run_mailboxes SET done_at = now(), written = $3 WHERE run_id = $1 AND user_id = $2",
                run_id, user_id, written,
            )
            await conn.execute("UPDATE ats_runs SET written = written + $2 WHERE run_id = $1", run_id, written)

    async def finish(self, run_id: int, *, status: str, error: str | None = None) -> int:
        """Close the run; returns the documents it wrote over all its attempts."""
        async with self.pool.acquire() as conn:
            return await conn.fetchval(
                "UPDATE ats_runs SET status = $2, finished_at = now(), error = $3 WHERE run_id = $1 RETURNING written",
                run_id, status, error,
            )

    async def recent_runs(self, limit: int = 10) -> list[dict]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT run_id, status, started_at, finished_at, as_of, attempts, written, error "
                "FROM ats_runs ORDER BY run_id DESC LIMIT $1",
                limit,
            )
        return [dict(row) for row in rows]

    # -- mailboxes -------------------------------------------------------------------------------
    async def remember_mailboxes(self, user_ids: Sequence[str]) -> None:
        if not user_ids:
            return
        async with self.pool.acquire() as conn:
            await conn.execute(_REMEMBER, sorted({u.lower() for u in user_ids}))

    async def mailboxes(self, batch_size: int = 1000) -> AsyncIterator[list[str]]:
        after = ""
        while True:
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(
                    "SELECT user_id FROM ats_mailboxes WHERE user_id > $1 ORDER BY user_id LIMIT $2", after, batch_size
                )
            if not rows:
                return
            yield [row["user_id"] for row in rows]
            after = rows[-1]["user_id"]

    # -- consumed events -------------------------------------------------------------------------
    async def unseen(self, event_ids: Sequence[str]) -> set[str]:
        async with self.pool.acquire() as conn:
            seen = await conn.fetch(
                "SELECT event_id FROM ats_processed_events WHERE event_id = ANY($1::text[])", list(event_ids)
            )
        return set(event_ids) - {row["event_id"] for row in seen}

    async def record_events(self, event_ids: Sequence[str], user_ids: Sequence[str]) -> int:
        """Record applied event ids (and their mailboxes) in one transaction; returns how many were new."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "INSERT INTO ats_processed_events (event_id) SELECT unnest($1::text[]) "
                "ON CONFLICT DO NOTHING RETURNING event_id",
                list(event_ids),
            )
            if user_ids:
                await conn.execute(_REMEMBER, sorted({u.lower() for u in user_ids}))
        return len(rows)

