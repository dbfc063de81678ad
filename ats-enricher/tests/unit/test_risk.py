from datetime import datetime, timedelta, timezone

import pytest

from applylens_ats.domain.risk import (
    CLOSED_JOB_RISK,
    ghosting_risk,
    staleness_curve,
)
from applylens_ats.domain.stages import Stage

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def risk_after(days: float, stage: Stage | str | None = Stage.APPLIED, **kwargs) -> float:
    return ghosting_risk(stage, now=NOW, last_stage_change=days_ago(days), **kwargs)


def test_curve_is_zero_at_zero_and_pinned_at_chosen_ratios() -> None:
    assert staleness_curve(0.0) == 0.0
    assert staleness_curve(-3.0) == 0.0
    assert staleness_curve(1.0) == pytest.approx(0.1733, abs=1e-3)
    assert staleness_curve(1.5) == pytest.approx(0.4944, abs=1e-3)
    assert staleness_curve(2.0) == pytest.approx(0.8155, abs=1e-3)
    assert staleness_curve(3.0) == pytest.approx(0.9889, abs=1e-3)
    assert staleness_curve(100.0) <= 1.0


def test_applied_stage_values_at_chosen_days() -> None:
    # Applied expects 14 days: 0 today, ~0.17 at 14 days, ~0.49 at 21, ~0.82 at 28, ~0.99 at 42.
    assert risk_after(0) == 0.0
    assert risk_after(7) == pytest.approx(0.0368, abs=1e-3)
    assert risk_after(14) == pytest.approx(0.1733, abs=1e-3)
    assert risk_after(21) == pytest.approx(0.4944, abs=1e-3)
    assert risk_after(28) == pytest.approx(0.8155, abs=1e-3)
    assert risk_after(42) == pytest.approx(0.9889, abs=1e-3)


def test_monotone_in_days_and_bounded() -> None:
    values = [risk_after(day / 4) for day in range(0, 4 * 120)]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert all(b >= a for a, b in zip(values, values[1:]))
    assert values[-1] > 0.99


def test_no_cliff_day_over_day() -> None:
    # The original jumped from 0.1 to 0.92 on day 14.
    for stage in (Stage.APPLIED, Stage.ONSITE, Stage.OFFER, None):
        values = [risk_after(day, stage) for day in range(0, 90)]
        steps = [b - a for a, b in zip(values, values[1:])]
        assert max(steps) < 0.2, stage
    applied = [risk_after(day) for day in range(0, 60)]
    assert max(b - a for a, b in zip(applied, applied[1:])) < 0.06
    assert risk_after(13) == pytest.approx(risk_after(14), abs=0.05)


def test_stage_matters_shorter_expectation_is_riskier() -> None:
    # 10 days of silence: unremarkable after applying, worrying after an offer.
    assert risk_after(10, Stage.OFFER) > risk_after(10, Stage.ONSITE) > risk_after(10, Stage.APPLIED)


@pytest.mark.parametrize("stage", [Stage.REJECTED, Stage.HIRED, Stage.WITHDRAWN, "rejected", "archived:Hired"])
def test_terminal_stages_are_zero_whatever_else(stage) -> None:
    assert risk_after(365, stage, job_closed=True, last_interview_at=days_ago(300)) == 0.0


def test_stale_offer_is_not_high_once_decided() -> None:
    # The original scored a stale Offer or Rejected high; a stale live Offer is high,
    # a Hired one is 0.
    assert risk_after(30, Stage.OFFER) > 0.9
    assert risk_after(30, Stage.HIRED) == 0.0


def test_future_interview_is_zero_even_when_stale_and_closed() -> None:
    assert risk_after(60, Stage.ONSITE, next_interview_at=NOW + timedelta(hours=1), job_closed=True) == 0.0


def test_past_next_interview_does_not_zero_the_risk() -> None:
    assert risk_after(60, Stage.ONSITE, next_interview_at=days_ago(50)) > 0.9


def test_overdue_feedback_raises_risk() -> None:
    # Stage changed 10 days ago, interview 8 days ago, nothing since: feedback overdue.
    base = ghosting_risk(Stage.TECHNICAL_SCREEN, now=NOW, last_stage_change=days_ago(10),
                         last_contact=days_ago(8))
    overdue = ghosting_risk(Stage.TECHNICAL_SCREEN, now=NOW, last_stage_change=days_ago(10),
                            last_interview_at=days_ago(8))
    assert overdue > base + 0.2
    # A stage change after the interview means feedback arrived: no overdue signal.
    answered = ghosting_risk(Stage.ONSITE, now=NOW, last_stage_change=days_ago(8),
                             last_interview_at=days_ago(9))
    assert answered == pytest.approx(risk_after(8, Stage.ONSITE))


def test_closed_job_raises_risk_of_active_application() -> None:
    open_job = risk_after(3)
    closed = risk_after(3, job_closed=True)
    assert closed > open_job
    assert closed == pytest.approx(1 - (1 - open_job) * (1 - CLOSED_JOB_RISK))
    assert ghosting_risk(Stage.APPLIED, now=NOW, job_closed=True) == pytest.approx(CLOSED_JOB_RISK)


def test_latest_sign_of_life_counts() -> None:
    # Stage changed long ago but the recruiter wrote yesterday: low risk.
    assert ghosting_risk(Stage.APPLIED, now=NOW, last_stage_change=days_ago(40),
                         last_contact=days_ago(1)) < 0.01


def test_no_timestamps_means_no_staleness() -> None:
    assert ghosting_risk(Stage.APPLIED, now=NOW) == 0.0
    assert ghosting_risk(None, now=NOW) == 0.0


def test_raw_stage_names_are_normalised() -> None:
    assert risk_after(10, "OFFER") == risk_after(10, Stage.OFFER)


def test_naive_datetimes_are_utc() -> None:
    naive_now = NOW.replace(tzinfo=None)
    assert ghosting_risk(Stage.APPLIED, now=naive_now, last_stage_change=days_ago(21)) == pytest.approx(
        risk_after(21)
    )
