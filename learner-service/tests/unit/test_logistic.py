from __future__ import annotations

import math
import random

import pytest
from applylens_learner.domain import (
    BIAS_FEATURE,
    Decision,
    FeatureState,
    LogisticParams,
    apply_logistic,
    fold_logistic,
    logistic_batch,
    pin_weight,
    score,
    state_keys,
    weight_of,
    weights_of,
)

P = LogisticParams()  # alpha 0.5, beta 1, l1 0, l2 1, bound 10


def test_first_approve_matches_the_ftrl_proximal_step_by_hand():
    # p = 0.5, g = p - 1 = -0.5, n = 0.25, sigma = (0.5 - 0) / 0.5 = 1, z = g - sigma * 0 = -0.5,
    # w = 0.5 / ((1 + 0.5) / 0.5 + 1) = 0.125
    state = apply_logistic({}, ["contains:sale"], 1, P)
    assert state.keys() == {"contains:sale", BIAS_FEATURE}
    for s in state.values():
        assert s.z == pytest.approx(-0.5)
        assert s.n == pytest.approx(0.25)
        assert s.weight == pytest.approx(0.125)


def test_reject_is_the_mirror_image_of_approve():
    up = apply_logistic({}, ["contains:sale"], 1, P)
    down = apply_logistic({}, ["contains:sale"], -1, P)
    for f in up:
        assert down[f].weight == pytest.approx(-up[f].weight)
        assert down[f].n == pytest.approx(up[f].n)


def test_input_state_is_not_modified_and_untouched_features_are_carried_over():
    before = {"category:promo": FeatureState(z=-1.0, n=1.0, weight=0.3)}
    snapshot = dict(before)
    after = apply_logistic(before, ["contains:sale"], 1, P)
    assert before == snapshot
    assert after["category:promo"] == before["category:promo"]
    assert after["contains:sale"].weight > 0


def test_bias_can_be_switched_off():
    state = apply_logistic({}, ["contains:sale"], 1, LogisticParams(use_bias=False))
    assert BIAS_FEATURE not in state


def test_the_step_depends_on_the_current_state_so_it_is_not_additive():
    fresh = apply_logistic({}, ["contains:sale"], 1, P)["contains:sale"].weight
    learned = {"contains:sale": FeatureState(z=-5.0, n=4.0, weight=weight_of(-5.0, 4.0, P))}
    stepped = apply_logistic(learned, ["contains:sale"], 1, P)["contains:sale"].weight
    assert stepped - learned["contains:sale"].weight != pytest.approx(fresh)
    assert 0 < stepped - learned["contains:sale"].weight < fresh  # confident and seen before: a smaller step


def test_learns_a_users_likes_and_dislikes_from_a_noisy_stream():
    rng = random.Random(11)
    noise = [f"contains:w{i}" for i in range(30)]
    state: dict[str, FeatureState] = {}
    for _ in range(300):
        liked = rng.random() < 0.5
        feats = ["category:recruiter" if liked else "category:promo", *rng.sample(noise, 3)]
        y = 1 if (rng.random() < 0.9) == liked else -1
        state = apply_logistic(state, feats, y, P)
    w = weights_of(state)
    assert w["category:recruiter"] > 1.0
    assert w["category:promo"] < -1.0
    assert max(abs(w[f]) for f in noise if f in w) < 0.6 * min(abs(w["category:recruiter"]), abs(w["category:promo"]))
    assert score(w, ["category:recruiter", "contains:w1"]).probability > 0.8
    assert score(w, ["category:promo", "contains:w1"]).probability < 0.2


def test_weights_stay_within_the_bound_and_recover_at_once():
    params = LogisticParams(alpha=5.0, l2=0.0, bound=2.0)
    state: dict[str, FeatureState] = {}
    for _ in range(2000):
        state = apply_logistic(state, ["contains:sale"], 1, params)
        assert all(abs(s.weight) <= 2.0 for s in state.values())
    assert state["contains:sale"].weight == pytest.approx(2.0)
    assert weight_of(state["contains:sale"].z, state["contains:sale"].n, params) == pytest.approx(2.0)
    # z sits on the bound rather than far beyond it, so one reject already lowers the weight
    state = apply_logistic(state, ["contains:sale"], -1, params)
    assert state["contains:sale"].weight < 2.0


def test_l1_keeps_weak_evidence_at_exactly_zero():
    state = apply_logistic({}, ["contains:sale"], 1, LogisticParams(l1=1.0))
    assert state["contains:sale"].weight == 0.0
    assert state["contains:sale"].n > 0


def test_l2_shrinks_weights():
    loose = apply_logistic({}, ["f:a"], 1, LogisticParams(l2=0.0))["f:a"].weight
    tight = apply_logistic({}, ["f:a"], 1, LogisticParams(l2=5.0))["f:a"].weight
    assert 0 < tight < loose


def test_weight_of_closed_form_and_clip():
    assert weight_of(0.0, 0.0, P) == 0.0
    assert weight_of(-3.0, 4.0, P) == pytest.approx(3.0 / ((1 + 2) / 0.5 + 1))
    assert weight_of(-1e6, 1.0, P) == 10.0
    assert weight_of(1e6, 1.0, P) == -10.0
    assert weight_of(0.5, 0.0, LogisticParams(l1=0.5)) == 0.0


@pytest.mark.parametrize("target", [0.0, 0.7, -2.5, 10.0])
def test_pin_weight_sets_the_weight_and_keeps_the_step_size(target):
    for params in (P, LogisticParams(l1=0.3)):
        pinned = pin_weight(FeatureState(z=1.0, n=9.0, weight=-0.1), target, params)
        assert pinned.weight == target
        assert pinned.n == 9.0
        assert weight_of(pinned.z, pinned.n, params) == pytest.approx(target)


def test_pin_weight_clips_to_the_bound():
    assert pin_weight(FeatureState(), 50.0, P).weight == 10.0


def test_fold_equals_chained_apply():
    events = [(["a:1", "b:2"], 1), (["a:1"], -1), (["b:2", "c:3"], 1), (["a:1", "c:3"], 1)]
    chained: dict[str, FeatureState] = {}
    for feats, y in events:
        chained = apply_logistic(chained, feats, y, P)
    assert fold_logistic({}, events, P) == chained


def test_order_of_a_users_events_matters():
    a = fold_logistic({}, [(["a:1"], 1), (["a:1", "b:2"], -1)], P)
    b = fold_logistic({}, [(["a:1", "b:2"], -1), (["a:1"], 1)], P)
    assert a["a:1"].weight != pytest.approx(b["a:1"].weight)


def test_batch_of_interleaved_users_equals_folding_each_user_in_order():
    rng = random.Random(5)
    vocab = [f"contains:w{i}" for i in range(8)]
    decisions = [
        Decision.of(rng.choice(["alice", "bob"]), rng.sample(vocab, 3), rng.choice([1, -1])) for _ in range(60)
    ]
    existing = {("alice", "contains:w0"): FeatureState(z=-2.0, n=3.0, weight=weight_of(-2.0, 3.0, P)),
                ("carol", "contains:w0"): FeatureState(z=5.0, n=1.0, weight=weight_of(5.0, 1.0, P))}
    out = logistic_batch(existing, decisions, P)
    assert set(out) == set(state_keys(decisions, P))
    assert not any(user == "carol" for user, _ in out)
    for user in ("alice", "bob"):
        start = {f: s for (u, f), s in existing.items() if u == user}
        expected = fold_logistic(start, [(d.features, d.y) for d in decisions if d.user_id == user], P)
        assert {f: s for (u, f), s in out.items() if u == user} == expected


def test_state_keys_are_sorted_and_include_the_bias():
    keys = state_keys([Decision.of("b", ["x:1"], 1), Decision.of("a", ["y:1", "x:1"], -1)], P)
    assert keys == [("a", BIAS_FEATURE), ("a", "x:1"), ("a", "y:1"), ("b", BIAS_FEATURE), ("b", "x:1")]


@pytest.mark.parametrize(
    "kw",
    [{"alpha": 0}, {"beta": -1}, {"l1": -0.1}, {"l2": -1}, {"bound": 0}, {"beta": 0, "l2": 0}],
)
def test_invalid_params_are_refused(kw):
    with pytest.raises(ValueError):
        LogisticParams(**kw)


def test_invalid_label_is_refused():
    with pytest.raises(ValueError, match="label"):
        apply_logistic({}, ["a:1"], 0, P)


def test_probabilities_from_learned_weights_are_finite_at_the_bound():
    state = {f"f:{i}": FeatureState(weight=10.0) for i in range(200)}
    p = score(weights_of(state), list(state)).probability
    assert p == 1.0 or (0 < p < 1 and math.isfinite(p))
