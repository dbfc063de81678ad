"""Online logistic regression with FTRL-Proximal per-feature steps (the ``logistic`` rule).

McMahan et al., "Ad Click Prediction: a View from the Trenches", KDD 2013, Algorithm 1.
Each (user, feature) keeps two numbers besides its weight:

- ``n``: the sum of squared gradients seen so far — a feature seen often takes small
  steps, a new one large steps (the per-coordinate adaptive rate);
- ``z``: the accumulated gradient, corrected so that the weight is the closed-form
  minimiser ``w = -(z - sgn(z)·λ1) / ((β + √n)/α + λ2)`` when ``|z| > λ1``, else 0.

``λ2`` (L2) shrinks every weight toward 0, ``λ1`` (L1) zeroes features with little
evidence. After each step the weight is clipped to ``[-bound, bound]`` and ``z`` is moved
to match, so a long run of identical decisions cannot bank an unbounded ``z`` that
would take as long to unwind.

Unlike the linear rule the step depends on the current state (through the prediction
``p = σ(Σw)``), so it is not additive: the database adapter must read the touched rows
under a row lock (in :func:`state_keys` order), fold the user's events in order and
write the results back in the same transaction.

Bias: every decision also updates the feature :data:`BIAS_FEATURE` (x = 1 always), which
learns the user's overall tendency to approve; :func:`applylens_learner.domain.scoring.score`
adds it to every score. It is regularised like any other feature. The name cannot collide
with an email feature, which always has a ``kind:`` prefix.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .decisions import Decision
from .scoring import BIAS_FEATURE, sigmoid


@dataclass(frozen=True, slots=True)
class LogisticParams:
    """FTRL-Proximal settings: ``alpha`` (base step), ``beta`` (step smoothing, > 0 keeps the
    first step finite), ``l1``/``l2`` (regularisation, ≥ 0), ``bound`` (max |weight|),
    ``use_bias`` (learn :data:`BIAS_FEATURE`)."""

    alpha: float = 0.5
    beta: float = 1.0
    l1: float = 0.0
    l2: float = 1.0
    bound: float = 10.0
    use_bias: bool = True

    def __post_init__(self) -> None:
        if not self.alpha > 0:
            raise ValueError(f"alpha must be > 0, got {self.alpha!r}")
        if not self.beta >= 0:
            raise ValueError(f"beta must be >= 0, got {self.beta!r}")
        if not (self.l1 >= 0 and self.l2 >= 0):
            raise ValueError(f"l1 and l2 must be >= 0, got l1={self.l1!r}, l2={self.l2!r}")
        if not self.bound > 0:
            raise ValueError(f"bound must be > 0, got {self.bound!r}")
        if self.beta == 0 and self.l2 == 0:
            raise ValueError("beta and l2 cannot both be 0: the first step would be infinite")


@dataclass(frozen=True, slots=True)
class FeatureState:
    """What the logistic rule keeps per (user, feature); ``weight`` is what scoring reads."""

    z: float = 0.0
    n: float = 0.0
    weight: float = 0.0


def _denominator(n: float, params: LogisticParams) -> float:
    return (params.beta + math.sqrt(n)) / params.alpha + params.l2


def weight_of(z: float, n: float, params: LogisticParams) -> float:
    """The FTRL-Proximal weight of ``(z, n)``, clipped to ``±params.bound``."""
    if abs(z) <= params.l1:
        return 0.0
    w = -(z - math.copysign(params.l1, z)) / _denominator(n, params)
    return max(-params.bound, min(params.bound, w))


def pin_weight(state: FeatureState, weight: float, params: LogisticParams) -> FeatureState:
    """The state whose weight is ``weight`` (clipped to the bound), keeping ``n``.

    Used when a user edits a weight in the preference UI: learning then continues from
    the edited value at the feature's current step size.
    """
    w = max(-params.bound, min(params.bound, weight))
    z = 0.0 if w == 0 else -w * _denominator(state.n, params) - math.copysign(params.l1, w)
    return FeatureState(z=z, n=state.n, weight=w)


def _step(state: FeatureState, g: float, params: LogisticParams) -> FeatureState:
    n = state.n + g * g
    sigma = (math.sqrt(n) - math.sqrt(state.n)) / params.alpha
    z = state.z + g - sigma * state.weight
    w = weight_of(z, n, params)
    if abs(w) >= params.bound:  # clipped: move z onto the bound instead of banking the excess
        return pin_weight(FeatureState(z, n, w), w, params)
    return FeatureState(z=z, n=n, weight=w)


def model_features(features: Iterable[str], params: LogisticParams) -> list[str]:
    """The distinct features one decision updates: the email's, plus the bias when enabled."""
    out = list(dict.fromkeys(features))
    if params.use_bias and BIAS_FEATURE not in out:
        out.append(BIAS_FEATURE)
    return out


def _apply_into(out: dict[str, FeatureState], features: Iterable[str], y: int, params: LogisticParams) -> None:
    if y not in (1, -1):
        raise ValueError(f"label must be +1 or -1, got {y!r}")
    current = {f: out.get(f, FeatureState()) for f in model_features(features, params)}
    p = sigmoid(sum(s.weight for s in current.values()))
    g = p - (1.0 if y > 0 else 0.0)
    for f, s in current.items():
        out[f] = _step(s, g, params)


def apply_logistic(
    state: Mapping[str, FeatureState],
    features: Iterable[str],
    y: int,
    params: LogisticParams = LogisticParams(),
) -> dict[str, FeatureState]:
    """One user's state after one decision (``y`` = +1 approve, -1 reject).

    ``state`` holds the user's current rows (missing features start at zero) and is not
    modified; the result is a new mapping with the touched features updated and every
    other entry carried over. The log-loss gradient is ``p - y01`` for every present
    feature, where ``p`` is the prediction from the current weights and ``y01 = (y+1)/2``.
    Raises ValueError for a label other than ±1.
    """
    out = dict(state)
    _apply_into(out, features, y, params)
    return out


def fold_logistic(
    state: Mapping[str, FeatureState],
    events: Iterable[tuple[Iterable[str], int]],
    params: LogisticParams = LogisticParams(),
) -> dict[str, FeatureState]:
    """Apply one user's ``(features, y)`` events in order, starting from ``state`` (not modified).

    The same as chaining :func:`apply_logistic`, without copying the state per event.
    """
    out = dict(state)
    for features, y in events:
        _apply_into(out, features, y, params)
    return out


def state_keys(decisions: Iterable[Decision], params: LogisticParams = LogisticParams()) -> list[tuple[str, str]]:
    """The (user, feature) rows a batch reads and writes, sorted (a stable row-lock order)."""
    return sorted({(d.user_id, f) for d in decisions for f in model_features(d.features, params)})


def logistic_batch(
    states: Mapping[tuple[str, str], FeatureState],
    decisions: Iterable[Decision],
    params: LogisticParams = LogisticParams(),
) -> dict[tuple[str, str], FeatureState]:
    """Fold a batch of decisions of many users, each user's in the order given.

    ``states`` are the current rows keyed by (user, feature) (missing ones start at zero);
    the result holds the new state of every row in :func:`state_keys` of the batch — the
    rows to write back.
    """
    per_user: dict[str, list[Decision]] = {}
    for d in decisions:
        per_user.setdefault(d.user_id, []).append(d)
    state_by_user: dict[str, dict[str, FeatureState]] = {}
    for (user, feature), s in states.items():
        if user in per_user:
            state_by_user.setdefault(user, {})[feature] = s
    out: dict[tuple[str, str], FeatureState] = {}
    for user, user_decisions in per_user.items():
        events = ((d.features, d.y) for d in user_decisions)
        folded = fold_logistic(state_by_user.get(user, {}), events, params)
        for d in user_decisions:
            for f in model_features(d.features, params):
                out[(user, f)] = folded[f]
    return out


def weights_of(state: Mapping[str, FeatureState]) -> dict[str, float]:
    """The feature -> weight view of a user's state (what scoring and the API read)."""
    return {f: s.weight for f, s in state.items()}
