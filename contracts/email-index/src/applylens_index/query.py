"""The declarative query model both engines compile: what a service asks the emails index for.

A query always belongs to one user: ``EmailQuery.user_id`` is required and no clause
can name ``user_id``, so no query can reach another user's mail.

Score (identical definition in both engines)::

    score = text_score × (1 + Σ value of every boost whose clause the document matches)

``text_score`` is the engine's relevance of ``text`` (PostgreSQL ``ts_rank``,
Elasticsearch BM25), or exactly 1 when the query has no text. Boosts never filter:
a document that matches no boost keeps its text score (factor 1). So a boost of 1.0
doubles a matching document's score, and of two equally relevant documents the one
matching a boost always ranks first. Absolute scores differ between engines; the
boost factors, the filters and the set of matches do not.

All models are frozen pydantic models; invalid input raises ``pydantic.ValidationError``
(a ValueError) naming the field and the value.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .fields import RANGE_KINDS, TERM_KINDS, Kind, field_spec

_WORD = re.compile(r"^[^\W_]+$")
MAX_SIZE = 1000


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Term(_Model):
    """The field equals one of ``values`` (for a list field: any element does).

    ``case_insensitive`` compares lower-cased (``"onsite"`` matches ``"Onsite"``).
    Boolean fields take ``True``/``False`` values.
    """

    op: Literal["term"] = "term"
    field: str
    values: tuple[str | bool, ...] = Field(min_length=1)
    case_insensitive: bool = False

    @model_validator(mode="after")
    def _check(self) -> Term:
        spec = field_spec(self.field, TERM_KINDS, use="a term filter")
        want = bool if spec.kind is Kind.BOOLEAN else str
        for value in self.values:
            if type(value) is not want:
                raise ValueError(f"term on {self.field!r} needs {want.__name__} values, got {value!r}")
        return self

    def describe(self) -> str:
        shown = ", ".join(str(v) for v in self.values)
        suffix = " (any case)" if self.case_insensitive else ""
        return f"{self.field} = {shown}{suffix}" if len(self.values) == 1 else f"{self.field} in [{shown}]{suffix}"


Bound = datetime | Decimal | float | int


class Range(_Model):
    """``gte`` ≤ field ≤ ``lte`` (``gt``/``lt`` exclusive); at least one bound.

    Dates need timezone-aware datetimes; numbers are compared exactly (money.amount as
    a Decimal). A document without the field never matches.
    """

    op: Literal["range"] = "range"
    field: str
    gte: Bound | None = None
    gt: Bound | None = None
    lte: Bound | None = None
    lt: Bound | None = None

    def bounds(self) -> list[tuple[str, Bound]]:
        return [(name, value) for name in ("gte", "gt", "lte", "lt") if (value := getattr(self, name)) is not None]

    @model_validator(mode="after")
    def _check(self) -> Range:
        spec = field_spec(self.field, RANGE_KINDS, use="a range filter")
        if not self.bounds():
            raise ValueError(f"range on {self.field!r} needs at least one of gte, gt, lte, lt")
        for name, value in self.bounds():
            if spec.kind is Kind.DATE:
                if not isinstance(value, datetime) or value.tzinfo is None:
                    raise ValueError(f"range {name} on {self.field!r} needs a timezone-aware datetime, got {value!r}")
            elif isinstance(value, (datetime, bool)):
                raise ValueError(f"range {name} on {self.field!r} needs a number, got {value!r}")
        return self

    def describe(self) -> str:
        symbols = {"gte": ">=", "gt": ">", "lte": "<=", "lt": "<"}
        shown = lambda v: v.isoformat() if isinstance(v, datetime) else str(v)  # noqa: E731
        return " and ".join(f"{self.field} {symbols[name]} {shown(value)}" for name, value in self.bounds())


class Exists(_Model):
    """The field has a value (a non-empty list; an object with at least one value)."""

    op: Literal["exists"] = "exists"
    field: str

    @model_validator(mode="after")
    def _check(self) -> Exists:
        field_spec(self.field, use="an exists filter")
        return self

    def describe(self) -> str:
        return f"has {self.field}"


class TextAny(_Model):
    """Subject, sender or body contains any of ``words`` (whole words, stemmed as the engine's text search does).

    Used for topic boosts such as rag's modes (networking: event, meetup, conference).
    Words are letters and digits only.
    """

    op: Literal["text_any"] = "text_any"
    words: tuple[str, ...] = Field(min_length=1)

    @field_validator("words")
    @classmethod
    def _words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        for word in words:
            if not _WORD.match(word):
                raise ValueError(f"text_any words must be letters and digits only, got {word!r}")
        return tuple(word.lower() for word in words)

    def describe(self) -> str:
        return f"mentions {' or '.join(self.words)}"


class Not(_Model):
    """The clause does not match."""

    op: Literal["not"] = "not"
    clause: Clause

    def describe(self) -> str:
        return f"not ({self.clause.describe()})"


class AnyOf(_Model):
    """At least one of the clauses matches."""

    op: Literal["any_of"] = "any_of"
    clauses: tuple[Clause, ...] = Field(min_length=1)

    def describe(self) -> str:
        return " or ".join(f"({c.describe()})" for c in self.clauses)


Clause = Annotated[Union[Term, Range, Exists, TextAny, Not, AnyOf], Field(discriminator="op")]
Not.model_rebuild()
AnyOf.model_rebuild()


class Boost(_Model):
    """Adds ``value`` to the score factor of documents matching ``when`` (see the module docstring).

    ``name`` is what explain reports ("why was this boosted"); by default the clause's description.
    """

    when: Clause
    value: float = Field(gt=0, le=1000)
    name: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.when.describe()


class TextWeights(_Model):
    """Relative weight of a text match in each field (PostgreSQL: tsvector weights A, B, C).

    Only the ratios matter. Defaults are PostgreSQL's own A/B/C weights (1.0, 0.4, 0.2).
    """

    subject: float = Field(default=1.0, gt=0)
    from_: float = Field(default=0.4, gt=0, alias="from")
    body_text: float = Field(default=0.2, gt=0)

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Sort(str, Enum):
    RELEVANCE = "relevance"  # score desc, then received_at desc, id asc
    NEWEST = "received_at_desc"  # received_at desc, id asc
    OLDEST = "received_at_asc"  # received_at asc, id asc


class EmailQuery(_Model):
    """One user's question to the index.

    - ``text``: web-search syntax (words are ANDed; ``"quoted phrase"``, ``or``, ``-word``)
      over subject, from and body_text, weighted by ``text_weights``; None or blank means
      every document (text score 1).
    - ``filters``: every clause must match. ``boosts``: never filter, only rank.
    - ``size``: 1..1000 hits per ``search``; ``stream`` ignores it.
    - ``explain``: fill ``Hit.matched`` with the labels of the boosts each hit matched.
    """

    user_id: str = Field(min_length=1)
    text: str | None = None
    text_weights: TextWeights = TextWeights()
    filters: tuple[Clause, ...] = ()
    boosts: tuple[Boost, ...] = ()
    sort: Sort = Sort.RELEVANCE
    size: int = Field(default=10, ge=1, le=MAX_SIZE)
    explain: bool = False

    @field_validator("text")
    @classmethod
    def _blank_is_none(cls, text: str | None) -> str | None:
        return text if text and text.strip() else None


# Helpers for the filters services use most.


def terms(field: str, *values: str | bool, case_insensitive: bool = False) -> Term:
    """``terms("ats.stage", "Onsite", "Offer", case_insensitive=True)``."""
    return Term(field=field, values=values, case_insensitive=case_insensitive)


def categories(*values: str) -> Term:
    return Term(field="category", values=values)


def sender_domains(*values: str) -> Term:
    return Term(field="sender_domain", values=values)


def received_between(start: datetime | None = None, end: datetime | None = None) -> Range:
    """``start`` ≤ received_at < ``end`` (either may be None, not both)."""
    return Range(field="received_at", gte=start, lt=end)


def at_least(field: str, value: float | Decimal | int) -> Range:
    """``at_least("ats.ghosting_risk", 0.6)``."""
    return Range(field=field, gte=value)
