"""ApplyDecisions: a batch of action events in, the user's weights learned, effectively once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from applylens_contracts.events import ActionEvent

from .. import metrics
from ..adapters import LearnedRow, LinearEvent, PostgresWeights
from ..domain import Decision, LinearParams, LogisticParams, features, label_of, logistic_batch
from ..domain import model_features, sign_of

log = logging.getLogger(__name__)

LEARNED_KINDS = frozenset({"approved", "rejected"})

CommitListener = Callable[[Sequence[tuple[str, Decision]]], None]


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """``learned``: the (event id, decision) pairs applied by this call (new ids only), in order;
    ``duplicates``: approve/reject events already applied before; ``ignored``: proposed/manual
    events (they teach the learner nothing and are not recorded)."""

    learned: tuple[tuple[str, Decision], ...]
    duplicates: int
    ignored: int


def to_decisions(events: Sequence[tuple[str, ActionEvent]]) -> tuple[list[tuple[str, Decision]], int]:
    """(the distinct-id decisions of a batch in order, how many events were ignored types).

    A repeated id inside one batch (the same event published twice and delivered together)
    keeps its first occurrence: the rest are duplicates by definition.
    """
    out: dict[str, Decision] = {}
    ignored = 0
    for event_id, event in events:
        if event.kind not in LEARNED_KINDS:
            ignored += 1
            continue
        if event_id not in out:
            out[event_id] = Decision.of(event.user_id, features(event.email), label_of(event.kind))
    return list(out.items()), ignored


@dataclass
class ApplyDecisions:
    """Learn from a batch of events with the configured rule, recording each event id with its effect.

    ``user_label`` maps a user id to its bounded metric label value. ``listeners`` are called
    after the commit with the decisions that were new (metrics, benchmarks).
    """

    repo: PostgresWeights
    algorithm: Literal["linear", "logistic"] = "linear"
    linear: LinearParams = field(default_factory=LinearParams)
    logistic: LogisticParams = field(default_factory=LogisticParams)
    user_label: Callable[[str], str] = lambda user: "all"
    listeners: list[CommitListener] = field(default_factory=list)

    async def __call__(self, events: Sequence[tuple[str, ActionEvent]]) -> ApplyResult:
        decisions, ignored = to_decisions(events)
        learned_total = sum(1 for _, event in events if event.kind in LEARNED_KINDS)
        if not decisions:
            self._count(0, learned_total, ignored)
            return ApplyResult((), learned_total, ignored)
        started = time.perf_counter()
        if self.algorithm == "logistic":
            fresh = await self._apply_logistic(decisions)
        else:
            fresh = await self._apply_linear(decisions)
        metrics.APPLY_SECONDS.labels(self.algorithm).observe(time.perf_counter() - started)
        metrics.APPLY_EVENTS.labels(self.algorithm).observe(len(decisions))
        learned = tuple((event_id, d) for event_id, d in decisions if event_id in fresh)
        for event_id, d in learned:
            metrics.USER_WEIGHT_UPDATES.labels(self.user_label(d.user_id), sign_of(d.y)).inc()
        self._count(len(learned), learned_total - len(learned), ignored)
        for listener in self.listeners:
            try:
                listener(learned)
            except Exception:  # an observer must never fail a committed batch
                log.exception("commit listener failed")
        return ApplyResult(learned, learned_total - len(learned), ignored)

    @staticmethod
    def _count(learned: int, duplicates: int, ignored: int) -> None:
        metrics.DECISIONS.labels("learned").inc(learned)
        metrics.DECISIONS.labels("duplicate").inc(duplicates)
        metrics.DECISIONS.labels("ignored").inc(ignored)

    async def _apply_linear(self, decisions: list[tuple[str, Decision]]) -> set[str]:
        # x = 1 per present feature: every feature of a decision gets the same eta * y
        # (linear_deltas, without building a dict per event on the hot path).
        eta = self.linear.eta
        return await self.repo.apply_linear(
            [LinearEvent(event_id, d.user_id, eta * d.y, d.features) for event_id, d in decisions]
        )

    async def _apply_logistic(self, decisions: list[tuple[str, Decision]]) -> set[str]:
        rows = [
            LearnedRow(event_id, d.user_id, feature)
            for event_id, d in decisions
            for feature in model_features(d.features, self.logistic)
        ]
        async with self.repo.transaction() as conn:
            fresh, states = await self.repo.lock_for_logistic(
                conn, [event_id for event_id, _ in decisions], rows, self.logistic
            )
            new = [d for event_id, d in decisions if event_id in fresh]
            await self.repo.write_logistic(conn, logistic_batch(states, new, self.logistic))
        return fresh
