"""The seed's policy counters, with the ``user`` label bounded (SPEC §3)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter

from applylens_platform.metrics import UserLabelMode, user_label

from .postgres import AppliedGroup

POLICY_FIRED = Counter("policy_fired_total", "Proposals made by a policy.", ["policy_id", "user"])
POLICY_APPROVED = Counter("policy_approved_total", "Proposals of a policy the user approved.", ["policy_id", "user"])
POLICY_REJECTED = Counter("policy_rejected_total", "Proposals of a policy the user rejected.", ["policy_id", "user"])

_BY_KIND = {"proposed": POLICY_FIRED, "approved": POLICY_APPROVED, "rejected": POLICY_REJECTED}


class PrometheusPolicyMetrics:
    def __init__(self, mode: UserLabelMode = "hash", buckets: int = 16) -> None:
        self._mode = mode
        self._buckets = buckets

    def record(self, groups: Iterable[AppliedGroup]) -> None:
        """Count the new events (duplicates never reach here); manual actions have no counter."""
        for group in groups:
            counter = _BY_KIND.get(group.kind)
            if counter is None or group.policy_id is None:
                continue
            user = user_label(group.user_id, self._mode, self._buckets)
            counter.labels(str(group.policy_id), user).inc(group.count)
