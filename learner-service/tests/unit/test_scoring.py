from __future__ import annotations

import math

import pytest
from applylens_learner.domain import (
    BIAS_FEATURE,
    LINEAR_CALIBRATION,
    LOGISTIC_CALIBRATION,
    Calibration,
    score,
    sigmoid,
)


def test_score_is_the_sum_of_present_weights_with_sigmoid_probability():
    weights = {"category:promo": -0.6, "contains:spa": 0.2, "contains:other": 5.0}
    s = score(weights, ["category:promo", "contains:spa", "contains:unknown"])
    assert s.score == pytest.approx(-0.4)
    assert s.probability == pytest.approx(1 / (1 + math.exp(0.4)))
    assert s.contributions == (("category:promo", -0.6), ("contains:spa", 0.2))


def test_contributions_largest_magnitude_first_and_zero_weights_left_out():
    weights = {"a:1": 0.1, "b:1": -2.0, "c:1": 0.0, "d:1": 1.5}
    s = score(weights, ["a:1", "b:1", "c:1", "d:1"])
    assert [f for f, _ in s.contributions] == ["b:1", "d:1", "a:1"]


def test_repeated_features_count_once():
    assert score({"a:1": 0.5}, ["a:1", "a:1"]).score == pytest.approx(0.5)


def test_bias_weight_is_always_added_when_stored():
    s = score({BIAS_FEATURE: 0.7, "a:1": 0.2}, ["a:1"])
    assert s.score == pytest.approx(0.9)
    assert (BIAS_FEATURE, 0.7) in s.contributions
    assert score({BIAS_FEATURE: 0.7}, []).score == pytest.approx(0.7)


def test_no_evidence_is_probability_one_half():
    for calibration in (LINEAR_CALIBRATION, LOGISTIC_CALIBRATION):
        s = score({}, ["a:1", "b:2"], calibration=calibration)
        assert (s.score, s.probability, s.contributions) == (0.0, 0.5, ())


def test_linear_calibration_is_softer_but_keeps_the_order():
    weights = {"a:1": 0.4, "b:1": 0.4}
    raw = score(weights, ["a:1", "b:1"]).probability
    calibrated = score(weights, ["a:1", "b:1"], calibration=LINEAR_CALIBRATION).probability
    assert 0.5 < calibrated < raw
    assert LINEAR_CALIBRATION.temperature > 1
    probs = [LINEAR_CALIBRATION.probability(x) for x in (-3, -1, 0, 1, 3)]
    assert probs == sorted(probs)


def test_temperature_must_be_positive():
    with pytest.raises(ValueError, match="temperature"):
        Calibration(0)


def test_sigmoid_is_stable_and_symmetric():
    assert sigmoid(0) == 0.5
    assert sigmoid(1000) == 1.0
    assert sigmoid(-1000) == 0.0
    for x in (0.1, 2.0, 30.0):
        assert sigmoid(x) + sigmoid(-x) == pytest.approx(1.0)


def test_evidence_that_cancels_out_is_exactly_neutral():
    weights = {"a:1": 0.2 + 0.2 - 0.2 - 0.2 + 0.1 - 0.1, "b:1": 0.1 + 0.2 - 0.3}
    assert weights["a:1"] != 0.0 or weights["b:1"] != 0.0  # the float noise is real ...
    s = score(weights, ["a:1", "b:1"])
    assert s.score == 0.0  # ... and does not tip the prediction
    assert s.probability == 0.5
