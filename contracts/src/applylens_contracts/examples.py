"""The wire-format example of SPEC §3, for tests, docs and other-language producers."""

from __future__ import annotations

ACTION_APPROVED_BODY: dict = {
    "user_id": "alice@example.com",
    "action_id": "act_123",
    "policy_id": 5,
    "policy_name": "Archive old promos",
    "action": "archive_email",
    "email": {
        "id": "msg123",
        "category": "promo",
        "sender_domain": "groupon.com",
        "list_id": "deals.groupon.com",
        "subject": "50% off spa days this week",
        "received_at": "2026-02-20T08:00:00Z",
        "labels": ["CATEGORY_PROMOTIONS"],
    },
    "occurred_at": "2026-03-01T09:00:00Z",
}

ACTION_APPROVED_HEADERS: list[tuple[str, bytes]] = [
    ("ce_specversion", b"1.0"),
    ("ce_id", b"6f1c1d1e-0000-4000-8000-000000000001"),
    ("ce_type", b"applylens.action.approved"),
    ("ce_source", b"/actions-api"),
    ("ce_time", b"2026-03-01T09:00:00Z"),
    ("content-type", b"application/json"),
]
