"""The enricher's own state: consumer dedup, job runs and their per-mailbox checkpoints, known mailboxes.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Effectively-once for email.ingested: one row per applied event id.
    op.execute(
        """
        CREATE TABLE ats_processed_events (
            event_id TEXT PRIMARY KEY,
            processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ats_processed_events_processed_at ON ats_processed_events (processed_at)")
    # Mailboxes the enricher has seen (consumer, CLI): users without a warehouse are found here.
    op.execute(
        """
        CREATE TABLE ats_mailboxes (
            user_id TEXT PRIMARY KEY,
            first_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
            last_seen TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """
    )
    # One row per run of the 02:00 job. A run that is 'running' when the next starts is resumed:
    # same as_of (risk clock), same warehouse window, same plan.
    op.execute(
        """
        CREATE TABLE ats_runs (
            run_id BIGSERIAL PRIMARY KEY,
            status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
            started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            finished_at TIMESTAMPTZ,
            as_of TIMESTAMPTZ NOT NULL,
            synced_from TIMESTAMPTZ,
            synced_to TIMESTAMPTZ NOT NULL,
            new_mail_since TIMESTAMPTZ,
            planned BOOLEAN NOT NULL DEFAULT false,
            attempts INTEGER NOT NULL DEFAULT 1,
            written BIGINT NOT NULL DEFAULT 0,
            error TEXT
        )
        """
    )
    op.execute("CREATE UNIQUE INDEX ats_runs_one_running ON ats_runs ((true)) WHERE status = 'running'")
    # The plan of a run: every mailbox to visit, full (its applications changed) or incremental.
    op.execute(
        """
        CREATE TABLE ats_run_mailboxes (
            run_id BIGINT NOT NULL REFERENCES ats_runs ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            full_pass BOOLEAN NOT NULL,
            done_at TIMESTAMPTZ,
            written INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, user_id)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE ats_run_mailboxes")
    op.execute("DROP TABLE ats_runs")
    op.execute("DROP TABLE ats_mailboxes")
    op.execute("DROP TABLE ats_processed_events")
