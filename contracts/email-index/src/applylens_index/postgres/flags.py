"""Boost predicates the PostgreSQL engine stores per email, as bits of ``emails.flags``.

A search scores every match as ``text_score × (1 + Σ matched boosts)``, so each boost is a
test on every row that matches the text. On a broad question (tens of thousands of
matches) a jsonb lookup, a ``lower()`` and a dozen-word text match per row cost more than
the ranking itself. The predicates below — the ones rag's boosts use — are computed once,
when a row is written (migration 0003: a generated column, so the enricher's partial ats
updates recompute them too), and a search turns every boost listed here into one array
lookup per row: ``factor[(flags & mask) + 1]``.

A boost whose clause is not listed is evaluated per row, as before: same result, slower.
Changing a predicate needs a migration that redefines ``emails_flags`` (and a matching
change here); ``tests/integration/test_flags.py`` checks each bit against the clause.
"""

from __future__ import annotations

from ..query import Clause, Range, Term, TextAny

NETWORKING_WORDS = ("event", "meetup", "conference", "webinar", "networking", "summit", "workshop", "hackathon",
                    "panel", "mixer", "rsvp", "talk")
MONEY_WORDS = ("receipt", "invoice", "payment", "paid", "order", "charge", "charged", "billing", "subscription",
               "refund", "purchase")

FLAGS: dict[Clause, int] = {
    Range(field="ats.ghosting_risk", gte=0.6): 1,
    Term(field="ats.stage", values=("Onsite", "Final Round", "Offer", "Negotiation"), case_insensitive=True): 2,
    Term(field="category", values=("event",)): 4,
    Term(field="category", values=("finance",)): 8,
    TextAny(words=NETWORKING_WORDS): 16,
    TextAny(words=MONEY_WORDS): 32,
}


def flag_bit(clause: Clause) -> int | None:
    """The ``flags`` bit that stores ``clause``'s result, or None when it is evaluated per row."""
    return FLAGS.get(clause)
