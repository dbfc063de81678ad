"""The seed's ats_fields mapping update, PostgreSQL side: indexes for the ats.* filters services use.

``ats`` is a jsonb column from 0001, so the fields themselves need no DDL; what the
mapping update buys in Elasticsearch (typed, searchable ats.stage / ats.ghosting_risk)
these expression indexes buy here (rag's boosts, the enricher's lookups).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX emails_ats_stage ON emails (user_id, (ats ->> 'stage'))")
    op.execute(
        "CREATE INDEX emails_ats_risk ON emails (user_id, ((ats ->> 'ghosting_risk')::float8))"
    )
    op.execute(
        "CREATE INDEX emails_ats_application ON emails (user_id, (ats ->> 'application_id'))"
    )


def downgrade() -> None:
    op.execute("DROP INDEX emails_ats_application")
    op.execute("DROP INDEX emails_ats_risk")
    op.execute("DROP INDEX emails_ats_stage")
