r"""Ghosting risk: how likely it is that the employer has silently dropped the application.

A pure function of the stage and a handful of timestamps; a number in [0, 1].

Formula
-------
Let ``E`` be the expected days in the stage (``stages.EXPECTED_DAYS``; 14 when the
stage is unknown) and ``d`` the days since the last sign of life — the latest of the
last stage change, the last contact (any email in the thread) and the last interview.

The staleness curve is a logistic in the ratio ``x = d / E``, shifted so that it is
exactly 0 at ``x = 0``::

    s(x)  = 1 / (1 + exp(-K · (x - X0)))            K = 3, X0 = 1.5
    c(x)  = (s(x) - s(0)) / (1 - s(0))               c(0) = 0, c(∞) → 1

So the risk is ~0.17 after one expected duration (x = 1), 0.49 at 1.5×, 0.82 at 2×
and ~0.99 at 3× — smooth, no cliff (the original jumped from 0.1 to 0.92 on day 14).

Three independent signals are combined by a noisy-OR (each can only raise the risk,
the result stays in [0, 1])::

    r_stale    = c(d / E)
    r_feedback = c(f / F)   if an interview lies in the past with no stage change
                            since it (feedback overdue), f = days since that
                            interview, F = 5; otherwise 0
    r_closed   = 0.5        if the job is closed while the application is still
                            active; otherwise 0

    risk = 1 - (1 - r_stale) · (1 - r_feedback) · (1 - r_closed)

Overrides: the risk is exactly 0 for a terminal stage (Hired, Rejected, Withdrawn —
nobody is ghosting a decided application) and while an interview lies ahead (the
employer is engaged), whatever the other inputs say. With no timestamp at all the
staleness term is 0 (unknown, not stale).

Datetimes must be comparable: naive values are taken as UTC.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from applylens_ats.domain.stages import Stage, expected_days, is_terminal, normalize_stage

STEEPNESS = 3.0  # K
MIDPOINT = 1.5  # X0: risk is ~0.5 at one and a half expected durations
FEEDBACK_EXPECTED_DAYS = 5.0  # F: interview feedback normally arrives within this
CLOSED_JOB_RISK = 0.5  # r_closed

_SECONDS_PER_DAY = 86400.0


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


_S0 = _sigmoid(-STEEPNESS * MIDPOINT)


def staleness_curve(ratio: float) -> float:
    """c(x) of the module docstring: 0 at ratio 0, smooth and increasing, below 1.

    ``ratio`` is days waited divided by days expected; negative ratios count as 0.
    """
    x = max(0.0, ratio)
    return (_sigmoid(STEEPNESS * (x - MIDPOINT)) - _S0) / (1.0 - _S0)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _days(later: datetime, earlier: datetime) -> float:
    return max(0.0, (later - earlier).total_seconds() / _SECONDS_PER_DAY)


def ghosting_risk(
    stage: Stage | str | None,
    *,
    now: datetime,
    last_stage_change: datetime | None = None,
    last_contact: datetime | None = None,
    next_interview_at: datetime | None = None,
    last_interview_at: datetime | None = None,
    job_closed: bool = False,
) -> float:
    """Risk in [0, 1] that the application is being ghosted (formula in the module docstring).

    ``stage`` may be a raw ATS stage name; it is normalised first. ``next_interview_at``
    counts only when it is after ``now``; ``last_interview_at`` only when it is not.
    """
    canonical = normalize_stage(stage)
    if is_terminal(canonical):
        return 0.0
    now = _utc(now)
    last_stage_change = _utc(last_stage_change)
    last_contact = _utc(last_contact)
    next_interview_at = _utc(next_interview_at)
    last_interview_at = _utc(last_interview_at)
    assert now is not None

    if next_interview_at is not None and next_interview_at > now:
        return 0.0
    if last_interview_at is not None and last_interview_at > now:
        return 0.0  # an interview "last" but in the future is still ahead

    signs_of_life = [t for t in (last_stage_change, last_contact, last_interview_at) if t is not None]
    expected = expected_days(canonical) or 0.0
    r_stale = 0.0
    if signs_of_life and expected > 0:
        r_stale = staleness_curve(_days(now, max(signs_of_life)) / expected)

    r_feedback = 0.0
    feedback_overdue = last_interview_at is not None and (
        last_stage_change is None or last_stage_change < last_interview_at
    )
    if feedback_overdue:
        assert last_interview_at is not None
        r_feedback = staleness_curve(_days(now, last_interview_at) / FEEDBACK_EXPECTED_DAYS)

    r_closed = CLOSED_JOB_RISK if job_closed else 0.0

    risk = 1.0 - (1.0 - r_stale) * (1.0 - r_feedback) * (1.0 - r_closed)
    return min(1.0, max(0.0, risk))
