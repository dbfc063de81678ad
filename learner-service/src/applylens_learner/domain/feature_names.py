"""Which feature names a user may edit: the kinds :func:`features` produces, plus the bias.

Edits come from the preference UI, so a name is checked before it reaches the table: a
typo such as ``categroy:promo`` would otherwise create a weight that no email ever uses.
"""

from __future__ import annotations

from .scoring import BIAS_FEATURE

FEATURE_KINDS: tuple[str, ...] = ("category", "sender_domain", "listid", "contains")
MAX_FEATURE_LENGTH = 256
"""Characters in a whole feature name; longer names are not produced by :func:`features`."""


def check_feature_name(name: str) -> str:
    """Return ``name`` when it is an editable feature, else raise ValueError saying why.

    Valid: ``bias``, or ``<kind>:<value>`` with a kind of :data:`FEATURE_KINDS`, a non-empty
    value without whitespace or control characters, and at most :data:`MAX_FEATURE_LENGTH`
    characters in all. Values are compared as stored: ``category:Promo`` is a different
    (never learned) feature from ``category:promo``, so upper case is refused too.
    """
    if name == BIAS_FEATURE:
        return name
    if len(name) > MAX_FEATURE_LENGTH:
        raise ValueError(f"feature name is {len(name)} characters long; at most {MAX_FEATURE_LENGTH} are allowed")
    kind, sep, value = name.partition(":")
    if not sep or kind not in FEATURE_KINDS:
        expected = ", ".join(f"'{k}:<value>'" for k in FEATURE_KINDS)
        raise ValueError(f"feature {name!r} must be 'bias' or one of {expected}")
    if not value:
        raise ValueError(f"feature {name!r} has an empty value after '{kind}:'")
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise ValueError(f"feature {name!r} contains whitespace or control characters")
    if value != value.casefold():
        raise ValueError(f"feature {name!r} must be lower case, as learned features are (try {name.casefold()!r})")
    return name
