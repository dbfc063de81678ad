from __future__ import annotations

import itertools

import pytest
from applylens_learner.domain import (
    LINEAR_CALIBRATION,
    exploration_draw,
    linear_deltas,
    nudge_confidence,
    score,
)

GRID = [i / 20 for i in range(21)]


def test_shift_is_bounded_and_never_leaves_zero_one_or_goes_below_the_floor():
    for c, p in itertools.product(GRID, GRID):
        out = nudge_confidence(c, p, max_shift=0.15, floor=0.05)
        assert abs(out - c) <= 0.15 + 1e-12
        assert 0.0 <= out <= 1.0
        assert out >= min(c, 0.05)


def test_direction_follows_the_learned_preference_and_is_monotone():
    for c in GRID:
        outs = [nudge_confidence(c, p) for p in GRID]
        assert outs == sorted(outs)
        assert nudge_confidence(c, 0.5) == pytest.approx(c)
    assert nudge_confidence(0.6, 1.0) == pytest.approx(0.75)
    assert nudge_confidence(0.6, 0.0) == pytest.approx(0.45)
    assert nudge_confidence(0.6, 0.75) == pytest.approx(0.675)
    assert nudge_confidence(0.95, 1.0) == 1.0


def test_floor_holds_a_disliked_policy_up_without_raising_a_quiet_one():
    assert nudge_confidence(0.1, 0.0, floor=0.05) == pytest.approx(0.05)
    assert nudge_confidence(0.03, 0.0, floor=0.05) == pytest.approx(0.03)
    assert nudge_confidence(0.03, 1.0, floor=0.05) == pytest.approx(0.18)


def test_exploring_leaves_the_policy_confidence_alone():
    assert nudge_confidence(0.71, 0.0, exploration=0.1, draw=0.05) == 0.71
    assert nudge_confidence(0.71, 0.0, exploration=0.1, draw=0.10) < 0.71
    assert nudge_confidence(0.71, 0.0, exploration=0.1, draw=None) < 0.71
    assert nudge_confidence(0.71, 0.0, exploration=0.0, draw=0.0) < 0.71


def test_a_single_reject_does_not_silence_a_policy_forever():
    """The original's failure: one reject pushed a policy just under its threshold for good."""
    threshold, confidence = 0.70, 0.705
    feats = ["category:promo", "sender_domain:groupon.com", "contains:spa"]
    weights = linear_deltas(feats, -1)  # the weights after one reject, from zero
    p = score(weights, feats, calibration=LINEAR_CALIBRATION).probability
    assert p < 0.5
    assert nudge_confidence(confidence, p) < threshold  # unexplored, the nudge does hide it ...
    fires = sum(
        nudge_confidence(confidence, p, exploration=0.1, draw=exploration_draw("alice", f"msg{i}", 5)) >= threshold
        for i in range(5000)
    )
    assert fires / 5000 >= 0.09  # ... but about one proposal in ten still goes out, so feedback keeps coming


def test_even_the_strongest_dislike_keeps_the_exploration_share():
    draws = [exploration_draw("bob", i) for i in range(10000)]
    fired = sum(nudge_confidence(0.9, 0.0, max_shift=1.0, floor=0.0, draw=d) >= 0.9 for d in draws)
    assert 0.08 <= fired / len(draws) <= 0.12


def test_exploration_draw_is_deterministic_uniform_and_key_sensitive():
    assert exploration_draw("alice", "m1", 5) == exploration_draw("alice", "m1", 5)
    assert exploration_draw("alice", "m1", 5) != exploration_draw("alice", "m1", 6)
    draws = [exploration_draw("u", i) for i in range(20000)]
    assert all(0.0 <= d < 1.0 for d in draws)
    assert sum(draws) / len(draws) == pytest.approx(0.5, abs=0.01)
    assert sum(d < 0.1 for d in draws) / len(draws) == pytest.approx(0.1, abs=0.01)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"policy_confidence": 1.2, "probability": 0.5}, "policy_confidence"),
        ({"policy_confidence": 0.5, "probability": -0.1}, "probability"),
        ({"policy_confidence": 0.5, "probability": 0.5, "max_shift": -0.1}, "max_shift"),
        ({"policy_confidence": 0.5, "probability": 0.5, "floor": 2}, "floor"),
        ({"policy_confidence": 0.5, "probability": 0.5, "exploration": 1.5}, "exploration"),
    ],
)
def test_out_of_range_inputs_are_refused(kw, field):
    with pytest.raises(ValueError, match=field):
        nudge_confidence(**kw)
