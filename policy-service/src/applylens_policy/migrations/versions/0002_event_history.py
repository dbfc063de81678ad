"""The event history: every consumed action event, stored once by its CloudEvent id.

It is what makes consumption effectively-once (the id is recorded in the same
transaction as the counters it moves) and what the nightly job recomputes the
windowed figures from.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE policy_events (
            event_id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('proposed', 'approved', 'rejected', 'manual')),
            policy_id INTEGER,
            policy_name TEXT,
            action TEXT NOT NULL,
            action_id TEXT NOT NULL,
            email_id TEXT NOT NULL,
            occurred_at TIMESTAMPTZ NOT NULL,
            recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            CHECK (kind = 'manual' OR policy_id IS NOT NULL)
        )
        """
    )
    # The daily series of one policy, and the per-policy scans of the recompute.
    op.execute("CREATE INDEX policy_events_user_policy_time ON policy_events (user_id, policy_id, occurred_at)")
    # Recall: "did this policy propose that email?" / "was that email acted on by hand?".
    op.execute("CREATE INDEX policy_events_user_email ON policy_events (user_id, email_id)")


def downgrade() -> None:
    op.execute("DROP TABLE policy_events")
