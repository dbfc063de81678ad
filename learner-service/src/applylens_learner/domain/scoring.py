"""Scoring an email with a user's weights, and turning the score into a probability.

The score is ``Σ w`` over the email's features plus the user's :data:`BIAS_FEATURE`
weight when one is stored (x = 1 per present feature; unknown features weigh 0). The
approve-probability is ``σ(score / temperature)``:

- ``logistic`` weights are trained on log-loss, so their score already is a log-odds:
  :data:`LOGISTIC_CALIBRATION` has temperature 1.
- ``linear`` weights are ``η × (approvals − rejections)`` per feature, summed over every
  feature of the email: a count, not a log-odds, and it grows without bound with the
  number of decisions. :data:`LINEAR_CALIBRATION` divides it by a temperature chosen on
  the synthetic decision stream of ``bench/learner_quality.py`` (log-loss is flat for
  temperatures 4-6 on the tuning seed 1; reported on seed 7). It is a rough, monotone
  mapping, not a guarantee: no real user data was used to fit it, and since linear
  weights keep growing it under-states confidence for users with few decisions and
  over-states it for users with very many. A score of 0 (no evidence) is always 0.5.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

BIAS_FEATURE = "bias"
"""The always-present feature of the logistic rule (see ``logistic.py``)."""


def sigmoid(x: float) -> float:
    """The logistic function, without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class Calibration:
    """``probability = σ(score / temperature)``; temperature > 0."""

    temperature: float = 1.0

    def __post_init__(self) -> None:
        if not self.temperature > 0:
            raise ValueError(f"temperature must be > 0, got {self.temperature!r}")

    def probability(self, score: float) -> float:
        return sigmoid(score / self.temperature)


LOGISTIC_CALIBRATION = Calibration(temperature=1.0)
LINEAR_CALIBRATION = Calibration(temperature=5.0)


@dataclass(frozen=True, slots=True)
class Score:
    """``score`` = Σ weights; ``probability`` of approval in (0, 1); ``contributions``: the
    (feature, weight) pairs with a non-zero weight, largest |weight| first."""

    score: float
    probability: float
    contributions: tuple[tuple[str, float], ...]


def score(
    weights: Mapping[str, float],
    features: Iterable[str],
    *,
    calibration: Calibration = LOGISTIC_CALIBRATION,
) -> Score:
    """Score one email's features with a user's weights (see the module docstring).

    A repeated feature counts once; the score is rounded to 12 decimals. With no weights
    at all the result is score 0, probability 0.5 and no contributions.
    """
    present = dict.fromkeys(features)
    present.setdefault(BIAS_FEATURE, None)
    contributions = [(f, w) for f in present if (w := weights.get(f, 0.0))]
    # Rounded so that evidence which cancels out (0.2 + 0.2 - 0.2 - 0.2 = 5.6e-17 in floats)
    # is exactly 0 and probability exactly 0.5, rather than a coin flip on rounding noise.
    total = round(math.fsum(w for _, w in contributions), 12) + 0.0
    contributions.sort(key=lambda fw: (-abs(fw[1]), fw[0]))
    return Score(score=total, probability=calibration.probability(total), contributions=tuple(contributions))
