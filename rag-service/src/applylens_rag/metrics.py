"""rag-service's own Prometheus metrics (request counts and latency to the first byte are the platform's)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

_FAST = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5)

TIME_TO_FIRST_EVENT = Histogram(
    "rag_time_to_first_event_seconds",
    "From the request's arrival to the first SSE event (the sources), seconds.",
    ["answerer"],
    buckets=_FAST,
)
CHAT_SECONDS = Histogram(
    "rag_chat_request_seconds",
    "Whole chat request latency, until the last event (stream) or the JSON answer, seconds.",
    ["endpoint", "answerer"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
RETRIEVAL_SECONDS = Histogram(
    "rag_retrieval_seconds",
    "Index search time of one chat question (including the fallback search), seconds.",
    ["mode"],
    buckets=_FAST,
)
CHATS = Counter(
    "rag_chat_total",
    "Chat requests by endpoint, mode and outcome (ok, error, disconnected).",
    ["endpoint", "mode", "outcome"],
)
BOOSTED_SOURCES = Counter(
    "rag_boosted_sources_total",
    "Cited sources that matched a boost, by boost name.",
    ["boost"],
)
