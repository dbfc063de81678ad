"""The Kafka subscription: action events → apply_events, in consumer group "policy-stats"."""

from __future__ import annotations

from collections.abc import Sequence

from applylens_contracts.events import TOPIC_ACTIONS, ActionApproved, ActionManual, ActionProposed, ActionRejected
from applylens_platform.consumer import ConsumedEvent, Subscription

from ..service_layer import handlers
from ..service_layer.handlers import MetricsSink, StatsStore

ACCEPTED_TYPES = frozenset(m.ce_type for m in (ActionProposed, ActionApproved, ActionRejected, ActionManual))


def subscription(
    store: StatsStore,
    *,
    window_days: int,
    group_id: str = "policy-stats",
    metrics: MetricsSink | None = None,
    session_timeout_ms: int = 6000,
    max_records: int = 2000,
    write_lanes: int = 1,
) -> Subscription:
    async def handle(events: Sequence[ConsumedEvent]) -> int:
        return await handlers.apply_events(
            store, ((e.id, e.envelope.data) for e in events), window_days=window_days, metrics=metrics
        )

    return Subscription(
        topic=TOPIC_ACTIONS,
        group_id=group_id,
        handler=handle,
        accepted_types=ACCEPTED_TYPES,
        session_timeout_ms=session_timeout_ms,
        max_records=max_records,
        # Safe: a batch statement touches one user's rows (and the shared policy names, under
        # a row lock with latest-wins), so users in different lanes never depend on each other.
        write_lanes=write_lanes,
    )
