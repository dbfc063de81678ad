"""The seed's user_weights table (Phase 6 migration 0017), unchanged.

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
        CREATE TABLE user_weights (
            id SERIAL PRIMARY KEY,
            user_id VARCHAR NOT NULL,
            feature VARCHAR NOT NULL,
            weight FLOAT DEFAULT 0.0,
            updated_at TIMESTAMP,
            UNIQUE (user_id, feature)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE user_weights")
