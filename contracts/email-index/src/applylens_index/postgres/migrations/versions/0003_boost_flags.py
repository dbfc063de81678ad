"""Boost predicates stored per email: the ``flags`` column (see ``applylens_index.postgres.flags``).

Each bit is one predicate that rag's default boosts use, computed when a row is written
instead of on every matching row of every search. ``flags`` is a generated column, so any
write — the importer's upsert, the enricher's partial ats update — recomputes it.

    bit  1  ats.ghosting_risk >= 0.6
    bit  2  ats.stage, case-insensitively, one of Onsite, Final Round, Offer, Negotiation
    bit  4  category = event
    bit  8  category = finance
    bit 16  subject, sender or body mentions a networking word (stemmed, as the text search)
    bit 32  subject, sender or body mentions a money word

The text is parsed once per write for both word lists (plpgsql: a SQL function with a
FROM clause cost twice as much per row), the same way the ``tsv`` column parses it, so a
bit equals ``tsv @@ websearch_to_tsquery('english', words)``. Cost: ~20 µs per written row.
Adding the column rewrites the table (every row computes its flags).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NETWORKING_WORDS = ("event or meetup or conference or webinar or networking or summit or workshop or hackathon or panel "
                    "or mixer or rsvp or talk")
MONEY_WORDS = ("receipt or invoice or payment or paid or order or charge or charged or billing or subscription or refund "
               "or purchase")


def upgrade() -> None:
    op.execute(
        f"""
        CREATE FUNCTION emails_flags(subject text, sender text, body text, category text, ats jsonb)
        RETURNS integer LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        DECLARE
            words tsvector := to_tsvector('english'::regconfig, subject)
                              || to_tsvector('english'::regconfig, coalesce(sender, ''))
                              || to_tsvector('english'::regconfig, body);
        BEGIN
            RETURN CASE WHEN coalesce((ats ->> 'ghosting_risk')::float8 >= 0.6, false) THEN 1 ELSE 0 END
                 | CASE WHEN coalesce(lower(ats ->> 'stage') = ANY ('{{onsite,final round,offer,negotiation}}'::text[]), false)
                        THEN 2 ELSE 0 END
                 | CASE WHEN category = 'event' THEN 4 ELSE 0 END
                 | CASE WHEN category = 'finance' THEN 8 ELSE 0 END
                 | CASE WHEN words @@ websearch_to_tsquery('english'::regconfig, '{NETWORKING_WORDS}') THEN 16 ELSE 0 END
                 | CASE WHEN words @@ websearch_to_tsquery('english'::regconfig, '{MONEY_WORDS}') THEN 32 ELSE 0 END;
        END
        $$
        """
    )
    op.execute(
        "ALTER TABLE emails ADD COLUMN flags integer NOT NULL "
        'GENERATED ALWAYS AS (emails_flags(subject, "from", body_text, category, ats)) STORED'
    )


def downgrade() -> None:
    op.execute("ALTER TABLE emails DROP COLUMN flags")
    op.execute("DROP FUNCTION emails_flags(text, text, text, text, jsonb)")
