"""FTRL-Proximal state (z, n) of the ``logistic`` rule, beside the seed's user_weights.

The weight itself stays in ``user_weights`` (what the API and scoring read, whatever the
algorithm); this table holds only the extra per-(user, feature) numbers the logistic rule
needs. The linear rule never touches it. A state whose implied weight disagrees with
``user_weights.weight`` (the user edited the weight, or it was learned by the linear
rule) is re-pinned to the stored weight when next used.

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
        CREATE TABLE learner_ftrl_state (
            user_id VARCHAR NOT NULL,
            feature VARCHAR NOT NULL,
            z DOUBLE PRECISION NOT NULL DEFAULT 0,
            n DOUBLE PRECISION NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, feature)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE learner_ftrl_state")
