"""The seed's policy_stats table (Phase 6 migration 0017), unchanged.

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
    op.execute(
        """
        CREATE TABLE policy_stats (
            id SERIAL PRIMARY KEY,
            policy_id INTEGER NOT NULL,
            user_id VARCHAR NOT NULL,
            fired INTEGER DEFAULT 0,
            approved INTEGER DEFAULT 0,
            rejected INTEGER DEFAULT 0,
            precision FLOAT DEFAULT 0.0,
            recall FLOAT DEFAULT 0.0,
            window_days INTEGER DEFAULT 30,
            updated_at TIMESTAMP,
            UNIQUE (policy_id, user_id)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE policy_stats")
