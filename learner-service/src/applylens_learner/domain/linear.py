"""The seed's update rule, w <- w + eta * y * x, as additive per-feature deltas.

With x = 1 for every present feature, one decision adds ``eta * y`` to each of its
features' weights. Because the effect is a pure addition that does not depend on the
current weight, the database applies it without reading:
``INSERT … ON CONFLICT (user_id, feature) DO UPDATE SET weight = user_weights.weight + excluded.weight``.
Additions commute, so concurrent replicas cannot lose an update, and a batch folds
into one delta per (user, feature) — which is also required, since one INSERT may not
touch the same conflict key twice (CardinalityViolation).

Weights of this rule are unbounded by design (it is the seed's contract); the logistic
rule is the bounded one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .decisions import Decision

DEFAULT_ETA = 0.2


@dataclass(frozen=True, slots=True)
class LinearParams:
    """``eta``: the learning rate (weight units per decision), > 0."""

    eta: float = DEFAULT_ETA

    def __post_init__(self) -> None:
        if not self.eta > 0:
            raise ValueError(f"eta must be > 0, got {self.eta!r}")


@dataclass(frozen=True, slots=True)
class WeightDelta:
    """Add ``delta`` to the weight of ``feature`` for ``user_id`` (creating it at 0 first)."""

    user_id: str
    feature: str
    delta: float


def linear_deltas(features: Iterable[str], y: int, params: LinearParams = LinearParams()) -> dict[str, float]:
    """Per-feature deltas of one decision: ``{feature: eta * y}``; a repeated feature counts once."""
    if y not in (1, -1):
        raise ValueError(f"label must be +1 or -1, got {y!r}")
    step = params.eta * y
    return {feature: step for feature in features}


def sum_deltas(deltas: Iterable[WeightDelta]) -> list[WeightDelta]:
    """Fold deltas into one per (user, feature), sorted by that key.

    The sort gives every replica the same row-lock order, so two batches upserting
    overlapping keys wait for each other instead of deadlocking. Sums that come to
    exactly 0 are kept: the row still exists (and is created) as it would have been
    one event at a time.
    """
    totals: dict[tuple[str, str], float] = {}
    for d in deltas:
        key = (d.user_id, d.feature)
        totals[key] = totals.get(key, 0.0) + d.delta
    return [WeightDelta(user, feature, total) for (user, feature), total in sorted(totals.items())]


def batch_deltas(decisions: Iterable[Decision], params: LinearParams = LinearParams()) -> list[WeightDelta]:
    """The summed, key-sorted deltas of a batch of decisions: one upsert row per (user, feature)."""
    return sum_deltas(
        WeightDelta(d.user_id, feature, delta)
        for d in decisions
        for feature, delta in linear_deltas(d.features, d.y, params).items()
    )
