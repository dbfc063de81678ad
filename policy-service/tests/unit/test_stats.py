"""The pure rules: counter deltas, precision, recall, the window, the daily series."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest

from applylens_contracts.events import ActionManual, ActionProposed
from applylens_policy.domain import (
    Counters,
    DailyPoint,
    daily_series,
    deltas,
    history_rows,
    precision,
    recall,
    window_start,
    windowed_figures,
)

NOW = datetime(2026, 3, 31, 12, tzinfo=timezone.utc)


def test_each_kind_moves_exactly_its_counter():
    assert deltas("proposed") == Counters(fired=1)
    assert deltas("approved") == Counters(approved=1)
    assert deltas("rejected") == Counters(rejected=1)
    assert deltas("manual") == Counters()
    with pytest.raises(ValueError, match="unknown event kind 'deleted'"):
        deltas("deleted")


def test_precision_ignores_pending_proposals_and_is_none_without_decisions():
    assert precision(3, 1) == 0.75
    assert precision(0, 2) == 0.0
    assert precision(0, 0) is None


def test_recall_counts_only_manual_actions_the_policy_missed():
    assert recall(approved=2, manual=3, manual_on_proposed=1) == 0.5  # missed 2
    assert recall(approved=2, manual=0, manual_on_proposed=0) == 1.0
    assert recall(approved=0, manual=2, manual_on_proposed=0) == 0.0
    assert recall(approved=0, manual=1, manual_on_proposed=1) is None  # nothing to recall
    assert recall(approved=1, manual=1, manual_on_proposed=5) == 1.0  # never a negative miss


def test_window_start_is_days_before_now_and_rejects_bad_input():
    assert window_start(NOW, 30) == NOW - timedelta(days=30)
    with pytest.raises(ValueError, match="at least 1"):
        window_start(NOW, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        window_start(NOW.replace(tzinfo=None), 30)


def test_daily_series_fills_missing_days_with_zeros_and_precision_per_day():
    points = daily_series([DailyPoint(date(2026, 3, 2), 4, 3, 1)], date(2026, 3, 1), date(2026, 3, 3))
    assert [(p.day.day, p.fired, p.precision) for p in points] == [(1, 0, None), (2, 4, 0.75), (3, 0, None)]
    with pytest.raises(ValueError):
        daily_series([], date(2026, 3, 3), date(2026, 3, 1))


def _event(cls, email: str, policy_id: int | None = 5):
    return cls.model_validate({"user_id": "u", "action_id": f"a-{email}", "policy_id": policy_id,
                               "policy_name": "P" if policy_id else None, "action": "archive_email",
                               "email": {"id": email}, "occurred_at": NOW.isoformat()})


def test_history_rows_keep_the_first_of_repeated_ids_and_drop_policy_from_manual():
    proposed = _event(ActionProposed, "m1")
    manual = _event(ActionManual, "m2", policy_id=9)  # a producer filled it in: still nobody's proposal
    rows = history_rows([("e1", proposed), ("e1", manual), ("e2", manual)])
    assert [(r.event_id, r.kind, r.policy_id, r.email_id) for r in rows] == [
        ("e1", "proposed", 5, "m1"), ("e2", "manual", None, "m2")]
    assert deltas(rows[0].kind) == Counters(fired=1)


@dataclass
class E:
    user_id: str
    kind: str
    policy_id: int | None
    action: str
    email_id: str
    occurred_at: datetime


def test_windowed_figures_reference_semantics():
    old = NOW - timedelta(days=40)
    events = [
        E("u", "proposed", 1, "archive", "m1", NOW), E("u", "approved", 1, "archive", "m1", NOW),
        E("u", "proposed", 1, "archive", "m2", NOW), E("u", "rejected", 1, "archive", "m2", NOW),
        E("u", "proposed", 1, "archive", "m3", NOW),                      # pending: not in precision
        E("u", "manual", None, "archive", "m4", NOW),                     # missed by policy 1
        E("u", "manual", None, "archive", "m3", NOW),                     # on an email policy 1 proposed
        E("u", "manual", None, "label", "m5", NOW),                       # another kind: irrelevant
        E("u", "approved", 1, "archive", "m0", old),                      # outside the window
        E("v", "proposed", 1, "archive", "m1", NOW),                      # another user
    ]
    figures = windowed_figures(events, since=NOW - timedelta(days=30))
    u = figures[("u", 1)]
    assert (u.fired, u.approved, u.rejected, u.manual, u.manual_on_proposed) == (3, 1, 1, 2, 1)
    assert u.precision == 0.5 and u.recall == 0.5
    v = figures[("v", 1)]
    assert (v.fired, v.precision, v.recall) == (1, None, None)
