"""Counter updates without index maintenance: policy_stats updates become HOT.

Every consumed batch updates the counters of the policies it touches. With ``fired``
indexed (0004's listing index), each update wrote a new entry into every index of the
table. The listing needs only the user's rows (at most a few hundred, sorted in memory),
and the "manual action moves the recall of that kind" step needs the user's rows of one
action, so the listing index becomes (user_id, action): no counter column is indexed, and
with free room on each page (fillfactor 70) PostgreSQL updates the row in place (HOT)
instead of inserting index entries.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX policy_stats_user_fired")
    op.execute("CREATE INDEX policy_stats_user_action ON policy_stats (user_id, action)")
    op.execute("ALTER TABLE policy_stats SET (fillfactor = 70)")


def downgrade() -> None:
    op.execute("ALTER TABLE policy_stats RESET (fillfactor)")
    op.execute("DROP INDEX policy_stats_user_action")
    op.execute("CREATE INDEX policy_stats_user_fired ON policy_stats (user_id, fired DESC, policy_id)")
