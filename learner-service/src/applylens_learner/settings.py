"""The learner's configuration: every variable, read once at start (see the README's table)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from applylens_contracts.settings import ServiceSettings

from .domain import LINEAR_CALIBRATION, LOGISTIC_CALIBRATION, Calibration, LinearParams, LogisticParams


class LearnerSettings(ServiceSettings):
    service_name: str = "learner-service"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8001, ge=1, le=65535)

    learner_algorithm: Literal["linear", "logistic"] = "linear"
    learner_consumer_group: str = "learner"
    # How long the broker may hold an empty fetch. tansu holds it the full time even when
    # records arrive meanwhile, so this bounds the idle-to-busy latency (cost: more empty fetches).
    learner_fetch_max_wait_ms: int = Field(default=50, ge=1, le=500)

    # linear (the seed's rule): w <- w + eta * y * x
    learner_eta: float = Field(default=0.2, gt=0)

    # logistic (FTRL-Proximal, see domain/logistic.py)
    learner_ftrl_alpha: float = Field(default=0.5, gt=0)
    learner_ftrl_beta: float = Field(default=1.0, ge=0)
    learner_ftrl_l1: float = Field(default=0.0, ge=0)
    learner_ftrl_l2: float = Field(default=1.0, ge=0)
    learner_weight_bound: float = Field(default=10.0, gt=0)
    learner_use_bias: bool = True

    # Effectively-once: how long applied event ids are remembered. Must exceed the topic's
    # retention plus the longest consumer lag you tolerate.
    learner_dedup_retention_days: float = Field(default=30.0, gt=0)
    learner_prune_interval_seconds: float = Field(default=3600.0, ge=0, description="0 disables in-process pruning")

    # HTTP limits
    learner_max_weights_page: int = Field(default=1000, ge=1)
    learner_max_score_emails: int = Field(default=500, ge=1)
    learner_max_edit_weight: float = Field(default=100.0, gt=0)

    # Confidence nudging (POST /learner/score with policy_confidence)
    learner_nudge_max_shift: float = Field(default=0.15, ge=0, le=1)
    learner_nudge_floor: float = Field(default=0.05, ge=0, le=1)
    learner_nudge_exploration: float = Field(default=0.1, ge=0, le=1)

    @property
    def linear_params(self) -> LinearParams:
        return LinearParams(eta=self.learner_eta)

    @property
    def logistic_params(self) -> LogisticParams:
        return LogisticParams(
            alpha=self.learner_ftrl_alpha,
            beta=self.learner_ftrl_beta,
            l1=self.learner_ftrl_l1,
            l2=self.learner_ftrl_l2,
            bound=self.learner_weight_bound,
            use_bias=self.learner_use_bias,
        )

    @property
    def calibration(self) -> Calibration:
        return LOGISTIC_CALIBRATION if self.learner_algorithm == "logistic" else LINEAR_CALIBRATION

    @property
    def edit_bound(self) -> float:
        """Largest |weight| a user may set: the logistic bound, or the configured cap for linear."""
        if self.learner_algorithm == "logistic":
            return self.learner_weight_bound
        return self.learner_max_edit_weight
