"""Prometheus metrics shared by every service, and the bounded per-user label.

Per-user label values are a cardinality hazard (and raw e-mail addresses are
personal data), so ``user`` labels carry ``user_label()``: a constant, a small
stable hash bucket (default), or the raw id, by ``METRICS_USER_LABEL``. Exact
per-user figures come from the HTTP APIs instead.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from prometheus_client import Counter, Gauge, Histogram

UserLabelMode = Literal["constant", "hash", "raw"]


def user_label(user_id: str, mode: UserLabelMode = "hash", buckets: int = 16) -> str:
    """The value to put in a ``user`` label: never more than ``buckets`` values unless mode is raw."""
    if mode == "raw":
        return user_id
    if mode == "constant" or buckets <= 1:
        return "all"
    digest = hashlib.blake2b(user_id.encode(), digest_size=4).digest()
    return f"b{int.from_bytes(digest, 'big') % buckets:02d}"


CONSUMER_BATCH_SIZE = Histogram(
    "applylens_consumer_batch_size",
    "Records per consumed batch.",
    ["group"],
    buckets=(1, 5, 10, 50, 100, 250, 500, 1000, 2000, 5000),
)
CONSUMER_BATCH_SECONDS = Histogram(
    "applylens_consumer_batch_seconds",
    "Time to process and commit one batch, seconds.",
    ["group"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CONSUMER_EVENTS = Counter(
    "applylens_consumer_events_total",
    "Records consumed, by outcome (applied, duplicate, ignored, dlq).",
    ["group", "outcome"],
)
CONSUMER_LAG = Gauge(
    "applylens_consumer_lag",
    "Records between the group's position and the partition's high watermark.",
    ["group", "topic", "partition"],
)
CONSUMER_RETRIES = Counter(
    "applylens_consumer_retries_total",
    "Batch attempts that failed and were retried, by kind (transient, permanent).",
    ["group", "kind"],
)
DLQ_MESSAGES = Counter(
    "applylens_dlq_messages_total",
    "Messages sent to a dead-letter topic, by reason.",
    ["group", "topic", "reason"],
)
DEPENDENCY_UP = Gauge(
    "applylens_dependency_up",
    "1 when the last readiness check of a dependency passed.",
    ["dependency"],
)
HTTP_REQUESTS = Counter(
    "applylens_http_requests_total",
    "HTTP requests, by route template and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "applylens_http_request_seconds",
    "HTTP request latency until the response starts, seconds.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
