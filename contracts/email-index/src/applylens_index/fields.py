"""The fields a query may name: the one whitelist both engines compile from.

Every field of the email document that can be filtered, ranged, tested for existence
or boosted on is listed here with its kind. A name outside this table is rejected
with a ValueError before any SQL or DSL is built, so field names never come from
user input. ``user_id`` is deliberately absent: it is a required argument of every
query and of every write, never a filter a caller could drop or widen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import get_origin

from applylens_contracts.email import EmailDocument, emails_mapping


class Kind(str, Enum):
    KEYWORD = "keyword"  # exact string; term filters
    KEYWORD_ARRAY = "keyword[]"  # list of exact strings (labels, to); a term matches any element
    TEXT = "text"  # analysed text; only ``exists`` (full text goes through EmailQuery.text / TextAny)
    DATE = "date"  # timezone-aware datetime
    FLOAT = "float"
    DECIMAL = "decimal"  # exact (money amounts)
    INTEGER = "integer"
    BOOLEAN = "boolean"
    OBJECT = "object"  # a nested object (``ats``, ``money``); only ``exists``


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str  # the document / Elasticsearch path, e.g. "ats.stage"
    kind: Kind

    @property
    def nested(self) -> tuple[str, str] | None:
        """``("ats", "stage")`` for a field inside a jsonb object, None for a top-level column."""
        head, dot, tail = self.name.partition(".")
        return (head, tail) if dot else None


_TYPES = {
    "keyword": Kind.KEYWORD,
    "text": Kind.TEXT,
    "date": Kind.DATE,
    "float": Kind.FLOAT,
    "scaled_float": Kind.DECIMAL,
    "integer": Kind.INTEGER,
    "boolean": Kind.BOOLEAN,
}
_HIDDEN = {"user_id", "subject", "body_text"}  # user_id: the query's own argument; text fields: via EmailQuery.text


def _catalog() -> dict[str, FieldSpec]:
    """Every searchable field of the contracts mapping, so a field added there is queryable here."""
    lists = {
        (info.alias or name)
        for name, info in EmailDocument.model_fields.items()
        if get_origin(info.annotation) is list
    }
    specs: dict[str, FieldSpec] = {}

    def walk(properties: dict, prefix: str) -> None:
        for name, body in properties.items():
            path = prefix + name
            if path in _HIDDEN or body.get("index") is False:
                continue
            if "properties" in body:
                specs[path] = FieldSpec(path, Kind.OBJECT)
                walk(body["properties"], path + ".")
                continue
            kind = _TYPES[body["type"]]
            specs[path] = FieldSpec(path, Kind.KEYWORD_ARRAY if kind is Kind.KEYWORD and path in lists else kind)

    walk(emails_mapping()["properties"], "")
    return specs


FIELDS: dict[str, FieldSpec] = _catalog()

TERM_KINDS = frozenset({Kind.KEYWORD, Kind.KEYWORD_ARRAY, Kind.BOOLEAN})
RANGE_KINDS = frozenset({Kind.DATE, Kind.FLOAT, Kind.DECIMAL, Kind.INTEGER})
NUMERIC_KINDS = frozenset({Kind.FLOAT, Kind.DECIMAL, Kind.INTEGER})


def field_spec(name: str, allowed: frozenset[Kind] | None = None, *, use: str = "a filter") -> FieldSpec:
    """The spec of ``name``; ValueError naming the field and what is allowed when it is unknown or unfit."""
    spec = FIELDS.get(name)
    if spec is None:
        raise ValueError(f"unknown field {name!r} for {use}; known fields: {', '.join(sorted(FIELDS))}")
    if allowed is not None and spec.kind not in allowed:
        fits = sorted(n for n, s in FIELDS.items() if s.kind in allowed)
        raise ValueError(f"field {name!r} ({spec.kind.value}) cannot be used in {use}; fields that can: {', '.join(fits)}")
    return spec
