"""The learner's dedup table: one row per applied event id (effectively-once).

Rows are pruned after the retention period (``applylens-learner prune``, or the
consumer's periodic prune): it must exceed the topic's retention plus the longest
time a consumer group may lag, or a very late redelivery would be applied again.

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
        CREATE TABLE learner_processed_events (
            event_id TEXT PRIMARY KEY,
            processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """
    )
    # Pruning deletes the oldest rows first; without this index it scans the table.
    op.execute("CREATE INDEX learner_processed_events_processed_at ON learner_processed_events (processed_at)")


def downgrade() -> None:
    op.execute("DROP TABLE learner_processed_events")
