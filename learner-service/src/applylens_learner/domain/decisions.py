"""A user's decision on a proposal, reduced to what the update rules need."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Label = Literal[1, -1]

_LABELS: dict[str, Label] = {"approved": 1, "rejected": -1}


def label_of(kind: str) -> Label:
    """``"approved"`` -> +1, ``"rejected"`` -> -1 (the event classes' ``kind``).

    Raises ValueError for any other kind: proposals and manual actions teach the learner nothing.
    """
    try:
        return _LABELS[kind]
    except KeyError:
        raise ValueError(f"no learning label for action kind {kind!r}; expected 'approved' or 'rejected'") from None


def sign_of(y: int) -> Literal["plus", "minus"]:
    """The ``sign`` label value of ``user_weight_updates_total`` for a label."""
    return "plus" if y > 0 else "minus"


@dataclass(frozen=True, slots=True)
class Decision:
    """One approve (+1) or reject (-1) of ``user_id`` on an email with these features."""

    user_id: str
    features: tuple[str, ...]
    y: Label

    def __post_init__(self) -> None:
        if self.y not in (1, -1):
            raise ValueError(f"decision label must be +1 or -1, got {self.y!r}")
        if not self.user_id:
            raise ValueError("decision needs a non-empty user_id")

    @classmethod
    def of(cls, user_id: str, features: Iterable[str], y: Label) -> Decision:
        """Build a decision, dropping duplicate features (x = 1 per *present* feature)."""
        return cls(user_id, tuple(dict.fromkeys(features)), y)
