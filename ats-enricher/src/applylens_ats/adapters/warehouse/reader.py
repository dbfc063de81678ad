"""Reading the warehouse: the ``ats_applications`` view and the soft deletes behind it (asyncpg).

Everything the enricher needs from the warehouse goes through this class, so the
rest of the code sees ``Application`` values and mailbox (user) ids, never SQL rows.
A mailbox id is the candidate's e-mail address, compared lower-cased.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

import asyncpg

from applylens_ats.domain import Application

from .ddl import DEFAULT_ATS_SCHEMA, DEFAULT_GREENHOUSE_SCHEMA, DEFAULT_LEVER_SCHEMA, _checked, warehouse_ddl

_COLUMNS = (
    "system, application_id, candidate_email, company, company_domain, job_title, stage, "
    "last_stage_change, next_interview_at, last_interview_at, job_closed"
)


def application_from_row(row: asyncpg.Record) -> Application:
    return Application(
        system=row["system"],
        application_id=row["application_id"],
        company=row["company"],
        company_domain=row["company_domain"],
        job_title=row["job_title"],
        candidate_emails=frozenset({row["candidate_email"]}),
        stage=row["stage"],
        last_stage_change=row["last_stage_change"],
        next_interview_at=row["next_interview_at"],
        last_interview_at=row["last_interview_at"],
        job_closed=bool(row["job_closed"]),
    )


class PostgresWarehouse:
    """The Fivetran-synced warehouse in PostgreSQL. The pool is the caller's (closed by the caller)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        greenhouse_schema: str = DEFAULT_GREENHOUSE_SCHEMA,
        lever_schema: str = DEFAULT_LEVER_SCHEMA,
        ats_schema: str = DEFAULT_ATS_SCHEMA,
    ) -> None:
        self.pool = pool
        self.gh = _checked("greenhouse", greenhouse_schema)
        self.lever = _checked("lever", lever_schema)
        self.ats = _checked("ats", ats_schema)

    async def create_schemas(self) -> None:
        """Create the Fivetran-shaped schemas and the generic view (local/dev and tests; idempotent)."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                warehouse_ddl(greenhouse_schema=self.gh, lever_schema=self.lever, ats_schema=self.ats)
            )

    async def now(self) -> datetime:
        """The warehouse clock: run windows are cut by it, never by ours (no skew)."""
        async with self.pool.acquire() as conn:
            return await conn.fetchval("SELECT now()")

    async def applications_for(self, user_ids: Sequence[str]) -> dict[str, list[Application]]:
        """Current applications of each mailbox (missing mailboxes map to no entry), ordered by id."""
        if not user_ids:
            return {}
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {_COLUMNS} FROM {self.ats}.ats_applications "
                "WHERE candidate_email = ANY($1::text[]) ORDER BY candidate_email, system, application_id",
                sorted({u.lower() for u in user_ids}),
            )
        found: dict[str, list[Application]] = defaultdict(list)
        for row in rows:
            found[row["candidate_email"]].append(application_from_row(row))
        return dict(found)

    async def users(self, batch_size: int = 1000) -> AsyncIterator[list[str]]:
        """Every mailbox with at least one application, in order, ``batch_size`` at a time."""
        async for batch in self._stream(
            f"SELECT DISTINCT candidate_email FROM {self.ats}.ats_applications ORDER BY 1", (), batch_size
        ):
            yield batch

    async def changed_users(
        self, since: datetime | None, until: datetime, batch_size: int = 1000
    ) -> AsyncIterator[list[str]]:
        """Mailboxes whose applications changed in (since, until] by ``_fivetran_synced``.

        Includes rows Fivetran soft-deleted in the window (``_fivetran_deleted``): the view
        hides them, so an incremental run would never learn that their ats.* must go.
        ``since`` None means every mailbox.
        """
        if since is None:
            async for batch in self.users(batch_size):
                yield batch
            return
        gh, lv, ats = self.gh, self.lever, self.ats
        def window(alias: str = "") -> str:
            col = f"{alias}._fivetran_synced" if alias else "_fivetran_synced"
            return f"{col} > $1 AND {col} <= $2"

        sql = f"""
            SELECT candidate_email FROM {ats}.ats_applications WHERE synced_at > $1 AND synced_at <= $2
            UNION
            SELECT lower(e.value) FROM {gh}.email_address e
             WHERE e.value IS NOT NULL AND (
                   (e._fivetran_deleted AND {window('e')})
                OR e.candidate_id IN (SELECT id FROM {gh}.candidate WHERE _fivetran_deleted AND {window()})
                OR e.candidate_id IN (SELECT candidate_id FROM {gh}.application WHERE _fivetran_deleted AND {window()})
                OR e.candidate_id IN (
                    SELECT a.candidate_id FROM {gh}.application a
                      JOIN {gh}.job_application ja ON ja.application_id = a.id
                     WHERE ja._fivetran_deleted AND {window('ja')})
                OR e.candidate_id IN (
                    SELECT a.candidate_id FROM {gh}.application a
                      JOIN {gh}.scheduled_interview si ON si.application_id = a.id
                     WHERE si._fivetran_deleted AND {window('si')})
                OR e.candidate_id IN (
                    SELECT a.candidate_id FROM {gh}.application a
                      JOIN {gh}.application_history h ON h.application_id = a.id
                     WHERE h._fivetran_deleted AND {window('h')}))
            UNION
            SELECT lower(ce.email) FROM {lv}.contact_email ce
             WHERE (ce._fivetran_deleted AND {window('ce')})
                OR ce.contact_id IN (SELECT contact FROM {lv}.opportunity WHERE _fivetran_deleted AND {window()})
                OR ce.contact_id IN (
                    SELECT o.contact FROM {lv}.opportunity o
                      JOIN {lv}.application la ON la.opportunity_id = o.id
                     WHERE la._fivetran_deleted AND {window('la')})
                OR ce.contact_id IN (
                    SELECT o.contact FROM {lv}.opportunity o
                      JOIN {lv}.interview iv ON iv.opportunity_id = o.id
                     WHERE iv._fivetran_deleted AND {window('iv')})
                OR ce.contact_id IN (
                    SELECT o.contact FROM {lv}.opportunity o
                      JOIN {lv}.opportunity_stage_history h ON h.opportunity_id = o.id
                     WHERE h._fivetran_deleted AND {window('h')})
            ORDER BY 1
        """
        async for batch in self._stream(sql, (since, until), batch_size):
            yield batch

    async def _stream(self, sql: str, args: tuple, batch_size: int) -> AsyncIterator[list[str]]:
        async with self.pool.acquire() as conn, conn.transaction(readonly=True):
            cursor = await conn.cursor(sql, *args)
            while True:
                rows = await cursor.fetch(batch_size)
                if not rows:
                    return
                yield [row[0] for row in rows]
