from __future__ import annotations

import random

import pytest
from applylens_learner.domain import (
    Decision,
    LinearParams,
    WeightDelta,
    batch_deltas,
    label_of,
    linear_deltas,
    sign_of,
    sum_deltas,
)


def test_approve_adds_eta_and_reject_subtracts_it_per_present_feature():
    assert linear_deltas(["category:promo", "contains:sale"], 1) == {"category:promo": 0.2, "contains:sale": 0.2}
    assert linear_deltas(["category:promo"], -1) == {"category:promo": -0.2}
    assert linear_deltas(["category:promo"], 1, LinearParams(eta=0.5)) == {"category:promo": 0.5}


def test_a_repeated_feature_counts_once():
    assert linear_deltas(["contains:sale", "contains:sale"], 1) == {"contains:sale": 0.2}


def test_no_features_no_deltas():
    assert linear_deltas([], 1) == {}


@pytest.mark.parametrize("y", [0, 2, -2])
def test_label_must_be_plus_or_minus_one(y):
    with pytest.raises(ValueError, match="label"):
        linear_deltas(["a:b"], y)


def test_eta_must_be_positive():
    with pytest.raises(ValueError, match="eta"):
        LinearParams(eta=0)


def test_sum_deltas_folds_repeated_keys_and_sorts():
    summed = sum_deltas(
        [
            WeightDelta("bob", "category:promo", 0.2),
            WeightDelta("alice", "contains:sale", -0.2),
            WeightDelta("bob", "category:promo", 0.2),
            WeightDelta("alice", "category:promo", 0.2),
            WeightDelta("bob", "category:promo", -0.2),
        ]
    )
    assert [(d.user_id, d.feature) for d in summed] == [
        ("alice", "category:promo"),
        ("alice", "contains:sale"),
        ("bob", "category:promo"),
    ]
    assert [d.delta for d in summed] == pytest.approx([0.2, -0.2, 0.2])
    assert len({(d.user_id, d.feature) for d in summed}) == len(summed)


def test_sum_deltas_keeps_rows_that_cancel_out():
    summed = sum_deltas([WeightDelta("u", "f:x", 0.2), WeightDelta("u", "f:x", -0.2)])
    assert summed == [WeightDelta("u", "f:x", 0.0)]


def test_batch_of_two_users_gives_the_rules_expected_weights():
    decisions = [
        Decision.of("alice", ["category:promo", "contains:sale"], 1),
        Decision.of("bob", ["category:promo"], -1),
        Decision.of("alice", ["category:promo"], 1),
        Decision.of("alice", ["category:promo", "contains:spa"], -1),
        Decision.of("bob", ["category:promo"], -1),
        Decision.of("alice", ["contains:sale", "contains:sale"], 1),
    ]
    weights = {(d.user_id, d.feature): d.delta for d in batch_deltas(decisions)}
    assert weights == pytest.approx(
        {
            ("alice", "category:promo"): 0.2,
            ("alice", "contains:sale"): 0.4,
            ("alice", "contains:spa"): -0.2,
            ("bob", "category:promo"): -0.4,
        }
    )


def test_batched_deltas_equal_applying_events_one_at_a_time():
    rng = random.Random(3)
    vocab = [f"contains:w{i}" for i in range(12)]
    decisions = [
        Decision.of(rng.choice(["a", "b", "c"]), rng.sample(vocab, rng.randint(0, 5)), rng.choice([1, -1]))
        for _ in range(300)
    ]
    one_by_one: dict[tuple[str, str], float] = {}
    for d in decisions:
        for f, delta in linear_deltas(d.features, d.y).items():
            one_by_one[(d.user_id, f)] = one_by_one.get((d.user_id, f), 0.0) + delta
    batched = {(d.user_id, d.feature): d.delta for d in batch_deltas(decisions)}
    assert batched.keys() == one_by_one.keys()
    assert batched == pytest.approx(one_by_one)
    # and in any order: additions commute, so replicas may apply batches in any interleaving
    shuffled = decisions[:]
    rng.shuffle(shuffled)
    assert {(d.user_id, d.feature): d.delta for d in batch_deltas(shuffled)} == pytest.approx(batched)


def test_labels_and_signs():
    assert label_of("approved") == 1
    assert label_of("rejected") == -1
    for kind in ("proposed", "manual", "APPROVED"):
        with pytest.raises(ValueError, match=kind):
            label_of(kind)
    assert sign_of(1) == "plus"
    assert sign_of(-1) == "minus"


def test_decision_validates_and_dedupes():
    assert Decision.of("u", ["a:1", "b:2", "a:1"], 1).features == ("a:1", "b:2")
    with pytest.raises(ValueError, match="label"):
        Decision("u", ("a:1",), 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="user_id"):
        Decision("", ("a:1",), 1)
