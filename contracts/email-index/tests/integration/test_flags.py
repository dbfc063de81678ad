"""Each bit of emails.flags equals its clause evaluated per row, after inserts and after partial ats updates."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from applylens_contracts.email import EmailDocument
from applylens_index.postgres import PostgresEmailIndex
from applylens_index.postgres.compile import Params, clause_sql
from applylens_index.postgres.flags import FLAGS

pytestmark = pytest.mark.integration

# Words that must match (other forms of the same stem) and near misses that must not.
WORDS = ["Meetups", "conferences", "talking", "RSVP", "webinar", "prevent", "events", "networked", "panelist",
         "Paid", "orders", "charging", "refunded", "purchases", "receipt", "invoice", "subscriptions", "payments",
         "unpaid", "border", "discharge", "hello", "weekly", "schedule"]
STAGES = [None, "Onsite", "ONSITE", "final round", "Final  Round", "Offer", "negotiation", "Applied", "Phone Screen"]
RISKS = [None, 0.0, 0.59, 0.6, 0.61, 1.0]
CATEGORIES = [None, "event", "finance", "promo", "recruiting", "updates"]


def _docs(user: str, rng: random.Random, count: int) -> list[EmailDocument]:
    docs = []
    for i in range(count):
        stage, risk = rng.choice(STAGES), rng.choice(RISKS)
        ats = None if stage is None and risk is None else {"system": "greenhouse", "stage": stage, "ghosting_risk": risk}
        docs.append(EmailDocument(
            id=f"f{i}", user_id=user, subject=" ".join(rng.choices(WORDS, k=2)),
            body_text=" ".join(rng.choices(WORDS, k=rng.randint(0, 4))),
            from_=rng.choice([None, f"{rng.choice(WORDS)} <team@example.com>"]),
            category=rng.choice(CATEGORIES), ats=ats,
            received_at=datetime(2026, 3, 1, tzinfo=timezone.utc) - timedelta(hours=i)))
    return docs


async def _disagreements(index: PostgresEmailIndex, user: str) -> dict[int, int]:
    """Per bit: how many of the user's rows have the bit set differently from the clause's result."""
    wrong = {}
    async with index._pool.acquire() as conn:
        for clause, bit in FLAGS.items():
            params = Params()
            params.add(user, "text")
            predicate = clause_sql(clause, params)
            sql = (f"SELECT count(*) FILTER (WHERE (e.flags & {bit} <> 0) <> coalesce(({predicate}), false)), "
                   f"count(*) FILTER (WHERE e.flags & {bit} <> 0) "
                   f"FROM emails e{params.from_items()} WHERE e.user_id = $1::text")
            disagree, set_rows = await conn.fetchrow(sql, *params.values)
            assert set_rows > 0, f"bit {bit} never set: the sample does not exercise {clause!r}"
            wrong[bit] = disagree
    return wrong


async def test_every_flag_equals_its_clause(pg_index: PostgresEmailIndex, user: str) -> None:
    rng = random.Random(3)
    await pg_index.upsert(_docs(user, rng, 400))
    assert await _disagreements(pg_index, user) == {bit: 0 for bit in FLAGS.values()}

    # The enricher's partial updates change ats: the generated column follows.
    updates = [(f"f{i}", {"ats": {"stage": rng.choice(STAGES[1:]), "ghosting_risk": rng.choice(RISKS[1:])}})
               for i in range(0, 400, 3)]
    assert await pg_index.update_partial(user, updates) == len(updates)
    assert await _disagreements(pg_index, user) == {bit: 0 for bit in FLAGS.values()}
