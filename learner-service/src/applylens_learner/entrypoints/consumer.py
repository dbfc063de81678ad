"""The Kafka edge: consumer group "learner" on applylens.actions.v1, through the platform's Subscription.

All four action types are accepted (so none of them is dead-lettered as unexpected):
approved and rejected are learned; proposed and manual are ignored — not recorded in the
dedup table (ignoring is idempotent by itself) and counted in
``learner_decisions_total{outcome="ignored"}``. The handler returns learned-new + ignored,
so the platform's ``applylens_consumer_events_total{outcome="duplicate"}`` counts only
real redeliveries (its "applied" therefore includes the ignored ones).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from applylens_contracts.events import TOPIC_ACTIONS, ActionApproved, ActionManual, ActionProposed, ActionRejected
from applylens_platform.consumer import ConsumedEvent, Subscription

from ..service_layer import ApplyDecisions
from ..settings import LearnerSettings

ACCEPTED_TYPES = frozenset(t.ce_type for t in (ActionApproved, ActionRejected, ActionProposed, ActionManual))


def build_subscription(settings: LearnerSettings, apply: Callable[[], ApplyDecisions]) -> Subscription:
    """The learner's subscription; ``apply`` returns the use case (built once the pool exists)."""

    async def handle(events: Sequence[ConsumedEvent]) -> int:
        result = await apply()([(e.id, e.envelope.data) for e in events])  # type: ignore[misc]
        return len(result.learned) + result.ignored

    return Subscription(
        topic=TOPIC_ACTIONS,
        group_id=settings.learner_consumer_group,
        handler=handle,
        accepted_types=ACCEPTED_TYPES,
        session_timeout_ms=settings.kafka_session_timeout_ms,
        max_records=settings.kafka_max_batch,
        fetch_max_wait_ms=settings.learner_fetch_max_wait_ms,
    )
