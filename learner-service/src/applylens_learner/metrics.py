"""The learner's own Prometheus metrics (the consumer's batch, lag and DLQ metrics are the platform's)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

USER_WEIGHT_UPDATES = Counter(
    "user_weight_updates_total",
    "Decisions learned (the seed's metric): sign plus = approve, minus = reject; user is bounded by METRICS_USER_LABEL.",
    ["user", "sign"],
)
DECISIONS = Counter(
    "learner_decisions_total",
    "Action events seen by the learner, by outcome: learned, duplicate (already applied), ignored (proposed/manual).",
    ["outcome"],
)
APPLY_SECONDS = Histogram(
    "learner_apply_seconds",
    "Time of one batch's database work (dedup + weight update, committed), seconds.",
    ["algorithm"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
APPLY_EVENTS = Histogram(
    "learner_apply_events",
    "Approve/reject events per applied batch (after decoding and dropping ignored types).",
    ["algorithm"],
    buckets=(1, 5, 10, 50, 100, 250, 500, 1000, 2000, 5000),
)
