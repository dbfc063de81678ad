"""The emails table: one row per (user_id, id), a weighted tsvector for full text.

Weights: subject A, from B, body_text C (``english`` configuration). ``id`` uses the
"C" collation so that keyset order equals Elasticsearch's byte order of keyword ids.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE emails (
            user_id       text NOT NULL,
            id            text COLLATE "C" NOT NULL,
            thread_id     text,
            message_id    text,
            "from"        text,
            sender_domain text,
            list_id       text,
            "to"          text[] NOT NULL DEFAULT '{}',
            subject       text NOT NULL DEFAULT '',
            body_text     text NOT NULL DEFAULT '',
            body_html     text,
            received_at   timestamptz NOT NULL,
            category      text,
            labels        text[] NOT NULL DEFAULT '{}',
            ats           jsonb,
            money         jsonb,
            indexed_at    timestamptz NOT NULL DEFAULT now(),
            updated_at    timestamptz NOT NULL DEFAULT now(),
            tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('english'::regconfig, subject), 'A')
                || setweight(to_tsvector('english'::regconfig, coalesce("from", '')), 'B')
                || setweight(to_tsvector('english'::regconfig, body_text), 'C')
            ) STORED,
            PRIMARY KEY (user_id, id)
        )
        """
    )
    op.execute("CREATE INDEX emails_tsv ON emails USING gin (tsv)")
    op.execute("CREATE INDEX emails_user_received ON emails (user_id, received_at DESC, id)")
    op.execute("CREATE INDEX emails_user_category ON emails (user_id, category)")
    op.execute("CREATE INDEX emails_user_sender ON emails (user_id, sender_domain)")


def downgrade() -> None:
    op.execute("DROP TABLE emails")
