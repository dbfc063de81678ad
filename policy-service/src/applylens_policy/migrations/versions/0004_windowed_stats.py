"""policy_stats gets what recall needs, and precision/recall become null when undefined.

- ``action``: the action kind the policy proposes (recall compares manual actions of that kind);
- ``manual``: the user's manual actions of that kind in the window;
- ``manual_on_proposed``: those of them on emails this policy proposed;
  recall = approved / (approved + max(manual - manual_on_proposed, 0)).
- ``policy_manual_counts``: manual actions per (user, action kind), so a policy that
  fires for the first time starts from the right figure.
- ``policy_precision`` / ``policy_recall``: the formulas, once, for the live path and the job
  (``domain/stats.py`` holds the same formulas in Python, and a test keeps them equal).
- The seed's counters become NOT NULL, ``updated_at`` becomes timestamptz (UTC), and the
  seed's recall (always 0 there, a known bug) and its precision without decisions become null.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION policy_precision(approved integer, rejected integer) RETURNS double precision
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE WHEN approved + rejected > 0 THEN approved::float8 / (approved + rejected) END
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION policy_recall(approved integer, manual integer, manual_on_proposed integer)
        RETURNS double precision
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE WHEN approved + greatest(manual - manual_on_proposed, 0) > 0
                        THEN approved::float8 / (approved + greatest(manual - manual_on_proposed, 0)) END
        $$
        """
    )
    op.execute(
        """
        UPDATE policy_stats SET fired = coalesce(fired, 0), approved = coalesce(approved, 0),
                                rejected = coalesce(rejected, 0), window_days = coalesce(window_days, 30)
        """
    )
    op.execute(
        """
        ALTER TABLE policy_stats
            ALTER COLUMN fired SET NOT NULL,
            ALTER COLUMN approved SET NOT NULL,
            ALTER COLUMN rejected SET NOT NULL,
            ALTER COLUMN window_days SET NOT NULL,
            ALTER COLUMN precision DROP DEFAULT,
            ALTER COLUMN recall DROP DEFAULT,
            ALTER COLUMN updated_at TYPE TIMESTAMPTZ USING updated_at AT TIME ZONE 'UTC',
            ADD COLUMN action TEXT,
            ADD COLUMN manual INTEGER NOT NULL DEFAULT 0,
            ADD COLUMN manual_on_proposed INTEGER NOT NULL DEFAULT 0
        """
    )
    op.execute("UPDATE policy_stats SET precision = policy_precision(approved, rejected), recall = NULL")
    op.execute("CREATE INDEX policy_stats_user_fired ON policy_stats (user_id, fired DESC, policy_id)")
    op.execute(
        """
        CREATE TABLE policy_manual_counts (
            user_id TEXT NOT NULL,
            action TEXT NOT NULL,
            manual INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, action)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE policy_manual_counts")
    op.execute("DROP INDEX policy_stats_user_fired")
    op.execute(
        """
        ALTER TABLE policy_stats
            DROP COLUMN manual_on_proposed,
            DROP COLUMN manual,
            DROP COLUMN action,
            ALTER COLUMN updated_at TYPE TIMESTAMP USING updated_at AT TIME ZONE 'UTC',
            ALTER COLUMN precision SET DEFAULT 0.0,
            ALTER COLUMN recall SET DEFAULT 0.0,
            ALTER COLUMN fired DROP NOT NULL,
            ALTER COLUMN approved DROP NOT NULL,
            ALTER COLUMN rejected DROP NOT NULL,
            ALTER COLUMN window_days DROP NOT NULL
        """
    )
    op.execute("UPDATE policy_stats SET precision = coalesce(precision, 0.0), recall = coalesce(recall, 0.0)")
    op.execute("DROP FUNCTION policy_recall(integer, integer, integer)")
    op.execute("DROP FUNCTION policy_precision(integer, integer)")
