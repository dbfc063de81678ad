"""From a consumed action event to the row the history keeps of it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from applylens_contracts.events import ActionEvent



class HistoryRow(NamedTuple):
    """One event as stored: ``kind`` is proposed|approved|rejected|manual; ``policy_id`` is None on manual.

    A tuple (not a dataclass): the consumer builds one per event, and its fields are the
    columns of the batch written to the history (``zip(*rows)``), in this order.
    """

    event_id: str
    user_id: str
    kind: str
    policy_id: int | None
    policy_name: str | None
    action: str
    action_id: str
    email_id: str
    occurred_at: datetime

    @classmethod
    def of(cls, event_id: str, event: ActionEvent) -> "HistoryRow":
        # Positional: the consumer builds one per event, and keywords cost a third more.
        if event.kind == "manual":  # a manual action is nobody's proposal, even if a producer filled the field in
            return cls(event_id, event.user_id, "manual", None, None, event.action, event.action_id,
                       event.email.id, event.occurred_at)
        return cls(event_id, event.user_id, event.kind, event.policy_id, event.policy_name, event.action,
                   event.action_id, event.email.id, event.occurred_at)


def history_rows(events: Iterable[tuple[str, ActionEvent]]) -> list[HistoryRow]:
    """Rows for ``(event id, event)`` pairs in order; a repeated id keeps its first occurrence."""
    seen: set[str] = set()
    rows: list[HistoryRow] = []
    for event_id, event in events:
        if event_id in seen:
            continue
        seen.add(event_id)
        rows.append(HistoryRow.of(event_id, event))
    return rows
