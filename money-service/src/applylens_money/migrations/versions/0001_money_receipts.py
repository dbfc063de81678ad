"""money_receipts and money_summary: the read model of the receipts found in the emails index.

The index (``money.*`` on each email) is the record; this table is a copy of its
receipts, one row per (user, email), so the summary and duplicate queries aggregate in
SQL instead of streaming every receipt (see docs in applylens_money.adapters.ledger).

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
        CREATE TABLE money_receipts (
            user_id     text        NOT NULL,
            email_id    text        NOT NULL,
            received_at timestamptz NOT NULL,
            subject     text        NOT NULL DEFAULT '',
            category    text,
            message_id  text,
            merchant    text,
            amount      numeric,
            currency    text,
            order_id    text,
            rules_version integer   NOT NULL,
            -- "YYYY-MM" of received_at in UTC, stored so the summary groups without to_char per row
            month       text        NOT NULL,
            -- true when an earlier receipt has the same merchant, currency, amount and order
            -- number: a re-sent receipt, the same charge (kept up to date by every write)
            resent      boolean     NOT NULL DEFAULT false,
            PRIMARY KEY (user_id, email_id)
        )
        """
    )
    op.execute(
        "CREATE INDEX money_receipts_orders ON money_receipts "
        "(user_id, merchant, currency, amount, lower(btrim(order_id))) WHERE order_id IS NOT NULL"
    )
    op.execute("CREATE INDEX money_receipts_month ON money_receipts (user_id, month)")
    # The summary, pre-aggregated per (currency, merchant, month) of each user's charges
    # (re-sends excluded); '' stands for "none" in the key columns. Kept in step with
    # money_receipts by every write, in the same transaction.
    op.execute(
        """
        CREATE TABLE money_summary (
            user_id     text    NOT NULL,
            currency    text    NOT NULL,
            merchant    text    NOT NULL,
            month       text    NOT NULL,
            receipts    integer NOT NULL,
            with_amount integer NOT NULL,
            total       numeric,
            PRIMARY KEY (user_id, currency, merchant, month)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE money_summary")
    op.execute("DROP TABLE money_receipts")
