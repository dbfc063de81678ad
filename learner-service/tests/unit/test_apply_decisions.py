"""The use case's pure parts: which events become decisions, and FTRL state read back from a row."""

from __future__ import annotations

import pytest
from applylens_contracts.events import ActionApproved, ActionManual, ActionProposed, ActionRejected
from applylens_contracts.examples import ACTION_APPROVED_BODY
from applylens_learner.adapters.postgres import state_from_row
from applylens_learner.domain import FeatureState, LogisticParams, apply_logistic, weight_of
from applylens_learner.service_layer import to_decisions


def event(model, **overrides):
    return model.model_validate(dict(ACTION_APPROVED_BODY, **overrides))


def test_approvals_and_rejections_become_decisions_others_are_ignored_and_repeats_dropped():
    batch = [
        ("e1", event(ActionApproved)),
        ("e2", event(ActionRejected, user_id="bob@example.com")),
        ("e3", event(ActionProposed)),
        ("e4", event(ActionManual, policy_id=None, policy_name=None)),
        ("e1", event(ActionApproved)),  # the same event delivered twice in one batch
    ]
    decisions, ignored = to_decisions(batch)
    assert ignored == 2
    assert [(i, d.user_id, d.y) for i, d in decisions] == [("e1", "alice@example.com", 1), ("e2", "bob@example.com", -1)]
    assert decisions[0][1].features == (
        "category:promo", "contains:days", "contains:spa", "contains:week",
        "listid:deals.groupon.com", "sender_domain:groupon.com",
    )


PARAMS = LogisticParams()


def test_a_consistent_stored_state_is_used_as_is():
    learned = apply_logistic({}, ["category:promo"], 1, PARAMS)["category:promo"]
    assert state_from_row(learned.weight, learned.z, learned.n, PARAMS) == learned


def test_a_missing_state_is_pinned_to_the_stored_weight_and_clipped():
    s = state_from_row(0.6, None, None, PARAMS)
    assert s.n == 0 and s.weight == 0.6 and weight_of(s.z, s.n, PARAMS) == pytest.approx(0.6)
    assert state_from_row(42.0, None, None, PARAMS).weight == PARAMS.bound  # a linear weight beyond the bound


def test_an_edited_weight_repins_the_state_keeping_its_step_size():
    learned = apply_logistic({}, ["category:promo"], 1, PARAMS)["category:promo"]
    s = state_from_row(-1.0, learned.z, learned.n, PARAMS)
    assert s.n == learned.n and s.weight == -1.0 and weight_of(s.z, s.n, PARAMS) == pytest.approx(-1.0)
    assert state_from_row(None, None, None, PARAMS) == FeatureState(0.0, 0.0, 0.0)  # type: ignore[arg-type]
