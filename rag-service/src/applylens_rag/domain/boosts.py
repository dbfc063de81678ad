"""The boost configuration: every value that reorders retrieval, in one documented structure.

The index scores a hit as ``text_score × (1 + Σ value of each boost it matches)`` (see
``applylens_index.query``). So a value is a *multiplier increment*: 3.0 makes a matching
email rank as if its text were 4× as relevant. The seed's boosts were unweighted ``should``
clauses that a strong text match easily outweighed; these values are chosen so that:

- an urgent recruiter email (ghosting risk ≥ 0.6: ×4, and a late stage: another +2) beats
  an ordinary email up to ~4-6× more relevant by text;
- in a mode, mail of the mode's category (×4) and mail that mentions the mode's words
  (+1) rise above the rest, while the question's words still decide among them.

Boosts never filter: an email matching none keeps its text score. Each boost carries a
stable ``name`` (the index reports it per hit when asked to explain), from which the
"why boosted" text of a source is written (``domain.sources``).

Cost: the PostgreSQL index stores the result of each default boost's clause per email
(``applylens_index.postgres.flags``, computed on write), so boosting costs one lookup per
matching row instead of a jsonb and text test each. A changed threshold, stage or word list
here still ranks correctly but is evaluated per row (slower) until an index migration
stores it too; ``test_default_boosts_are_stored_per_email_by_the_postgres_index`` flags it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from applylens_index.query import Boost, Range, Term, TextAny


class Mode(str, Enum):
    """The chat modes of the seed's chips: ``none`` adds no topic boost."""

    NONE = "none"
    NETWORKING = "networking"
    MONEY = "money"


# Boost names: what Hit.matched reports, and the keys of the "why boosted" texts.
GHOSTING_RISK = "ghosting_risk"
LATE_STAGE = "late_stage"
MODE_CATEGORY = "mode_category"
MODE_WORDS = "mode_words"


@dataclass(frozen=True, slots=True)
class ModeBoost:
    """A mode's topic: emails of ``categories`` get ``category_value``; emails whose subject,
    sender or body mention any of ``words`` (whole words, stemmed) get ``words_value``."""

    categories: tuple[str, ...]
    category_value: float
    words: tuple[str, ...]
    words_value: float


@dataclass(frozen=True, slots=True)
class BoostConfig:
    """Every boost of retrieval. ``DEFAULT_BOOSTS`` is the production configuration."""

    # Urgent recruiter mail: the application is likely to go silent without a follow-up.
    ghosting_risk_at_least: float = 0.6
    ghosting_risk_value: float = 3.0
    # Late stages, matched case-insensitively ("onsite", "FINAL ROUND" count too).
    late_stages: tuple[str, ...] = ("Onsite", "Final Round", "Offer", "Negotiation")
    late_stage_value: float = 2.0
    modes: Mapping[Mode, ModeBoost] = field(
        default_factory=lambda: MappingProxyType(
            {
                Mode.NETWORKING: ModeBoost(
                    categories=("event",),
                    category_value=3.0,
                    words=("event", "meetup", "conference", "webinar", "networking", "summit", "workshop",
                           "hackathon", "panel", "mixer", "rsvp", "talk"),
                    words_value=1.0,
                ),
                Mode.MONEY: ModeBoost(
                    categories=("finance",),
                    category_value=3.0,
                    words=("receipt", "invoice", "payment", "paid", "order", "charge", "charged", "billing",
                           "subscription", "refund", "purchase"),
                    words_value=1.0,
                ),
            }
        )
    )

    def boosts(self, mode: Mode) -> tuple[Boost, ...]:
        """The index boosts for ``mode``: the two urgency boosts always, plus the mode's topic."""
        boosts = [
            Boost(name=GHOSTING_RISK, value=self.ghosting_risk_value,
                  when=Range(field="ats.ghosting_risk", gte=self.ghosting_risk_at_least)),
            Boost(name=LATE_STAGE, value=self.late_stage_value,
                  when=Term(field="ats.stage", values=self.late_stages, case_insensitive=True)),
        ]
        topic = self.modes.get(mode)
        if topic is not None:
            boosts.append(Boost(name=MODE_CATEGORY, value=topic.category_value,
                                when=Term(field="category", values=topic.categories)))
            boosts.append(Boost(name=MODE_WORDS, value=topic.words_value, when=TextAny(words=topic.words)))
        return tuple(boosts)

    def is_late_stage(self, stage: str | None) -> bool:
        return stage is not None and stage.casefold() in {s.casefold() for s in self.late_stages}


DEFAULT_BOOSTS = BoostConfig()

__all__ = ["BoostConfig", "DEFAULT_BOOSTS", "Mode", "ModeBoost"]
