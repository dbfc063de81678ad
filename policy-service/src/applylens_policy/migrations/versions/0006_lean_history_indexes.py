"""A cheaper history write: identifiers compare bytewise, and each index holds only the rows it serves.

Measured on the consumer's batch statement (docs/PERFORMANCE.md): a fifth of PostgreSQL's
time went to comparing text keys in B-tree descents, through the database's collation
(``C.UTF-8`` here: strcoll on every comparison), and every event wrote three index entries.

- Identifier columns (event, user and email ids, action kinds) collate as ``"C"``: they are
  compared for equality and never sorted for people, so bytewise order loses nothing.
- The "same email" index serves only the recall lookups, which ask for proposals or manual
  actions: two partial indexes, and approvals and rejections (four in ten events in the
  benchmark's mix) no longer write to it.
- The daily-series index serves reads by policy: manual actions (no policy) leave it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_IDENTIFIERS = {
    "policy_events": ("event_id", "user_id", "email_id", "action", "action_id"),
    "policy_stats": ("user_id", "action"),
    "policy_manual_counts": ("user_id", "action"),
}


def _collate(collation: str) -> None:
    for table, columns in _IDENTIFIERS.items():
        changes = ", ".join(f'ALTER COLUMN {column} TYPE text COLLATE "{collation}"' for column in columns)
        op.execute(f"ALTER TABLE {table} {changes}")


def upgrade() -> None:
    _collate("C")
    op.execute("DROP INDEX policy_events_user_email")
    op.execute("CREATE INDEX policy_events_proposed_email ON policy_events (user_id, email_id) WHERE kind = 'proposed'")
    op.execute("CREATE INDEX policy_events_manual_email ON policy_events (user_id, email_id) WHERE kind = 'manual'")
    op.execute("DROP INDEX policy_events_user_policy_time")
    op.execute(
        "CREATE INDEX policy_events_user_policy_time ON policy_events (user_id, policy_id, occurred_at)"
        " WHERE policy_id IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX policy_events_user_policy_time")
    op.execute("CREATE INDEX policy_events_user_policy_time ON policy_events (user_id, policy_id, occurred_at)")
    op.execute("DROP INDEX policy_events_manual_email")
    op.execute("DROP INDEX policy_events_proposed_email")
    op.execute("CREATE INDEX policy_events_user_email ON policy_events (user_id, email_id)")
    _collate("default")
