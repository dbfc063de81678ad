"""The seed's policy counters, with the ``user`` label bounded (SPEC §3)."""

from __future__ import annotations

import functools
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
        self._label = functools.lru_cache(maxsize=65536)(functools.partial(user_label, mode=mode, buckets=buckets))
        # labels() costs microseconds (label checks, a lock); a batch touches hundreds of series.
        self._series: dict[tuple[str, int, str], Counter] = {}

    def record(self, groups: Iterable[AppliedGroup]) -> None:
        """Count the new events (duplicates never reach here); manual actions have no counter."""
        for group in groups:
            if group.policy_id is None or group.kind not in _BY_KIND:
                continue
            key = (group.kind, group.policy_id, self._label(group.user_id))
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = _BY_KIND[group.kind].labels(str(group.policy_id), key[2])
            series.inc(group.count)
