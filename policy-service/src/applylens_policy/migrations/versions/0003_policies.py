"""Policies as the events name them: one row per policy id, the latest name wins.

``name_at`` is the ``occurred_at`` of the event the name came from, so a late or
redelivered old event never renames a policy back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE policies (
            policy_id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_at TIMESTAMPTZ NOT NULL
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE policies")
