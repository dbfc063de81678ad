import json

import pytest

from applylens_contracts.cloudevents import InvalidEvent, decode, encode
from applylens_contracts.events import (
    TOPIC_ACTIONS,
    TOPIC_EMAILS,
    ActionApproved,
    ActionManual,
    ActionRejected,
    EmailIngested,
    dlq_topic,
)

from applylens_contracts.examples import ACTION_APPROVED_BODY as SPEC_BODY
from applylens_contracts.examples import ACTION_APPROVED_HEADERS as SPEC_HEADERS


def test_foreign_producer_record_decodes_to_the_typed_event():
    envelope = decode(json.dumps(SPEC_BODY).encode(), SPEC_HEADERS)
    assert envelope.id == "6f1c1d1e-0000-4000-8000-000000000001"
    assert envelope.source == "/actions-api"
    assert isinstance(envelope.data, ActionApproved)
    assert envelope.data.email.sender_domain == "groupon.com"
    assert envelope.data.email.labels == ("CATEGORY_PROMOTIONS",)
    assert envelope.time.isoformat() == "2026-03-01T09:00:00+00:00"


def test_encode_is_binary_mode_keyed_by_user_and_round_trips():
    event = ActionRejected.model_validate(SPEC_BODY)
    record = encode(event, event_id="e-1", source="/tests")
    headers = dict(record.headers)
    assert record.topic == TOPIC_ACTIONS
    assert record.key == b"alice@example.com"
    assert headers["ce_type"] == b"applylens.action.rejected"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_id"] == b"e-1"
    assert headers["ce_source"] == b"/tests"
    assert headers["content-type"] == b"application/json"
    assert headers["ce_time"].endswith(b"Z")
    assert json.loads(record.value)["policy_id"] == 5
    assert decode(record.value, record.headers).data == event


def test_unknown_fields_are_ignored_for_forward_compatibility():
    body = dict(SPEC_BODY, new_field={"x": 1})
    body["email"] = dict(SPEC_BODY["email"], thread_id="t1")
    assert decode(json.dumps(body).encode(), SPEC_HEADERS).data.action_id == "act_123"


def test_manual_action_carries_no_policy():
    body = dict(SPEC_BODY, policy_id=None, policy_name=None)
    headers = [(k, b"applylens.action.manual" if k == "ce_type" else v) for k, v in SPEC_HEADERS]
    event = decode(json.dumps(body).encode(), headers).data
    assert isinstance(event, ActionManual) and event.policy_id is None


def test_email_ingested_goes_to_the_emails_topic():
    event = EmailIngested.model_validate({
        "user_id": "bob@example.com", "occurred_at": "2026-03-01T09:00:00Z",
        "email": {"id": "m1", "from": "Ann <ann@acme.com>", "thread_id": "t1", "subject": "Hi"},
    })
    record = encode(event)
    assert record.topic == TOPIC_EMAILS and record.key == b"bob@example.com"
    assert decode(record.value, record.headers).data.email.from_ == "Ann <ann@acme.com>"
    assert dlq_topic(TOPIC_EMAILS) == "applylens.emails.v1.dlq"


@pytest.mark.parametrize(
    ("value", "headers", "reason"),
    [
        (b"{not json", SPEC_HEADERS, "invalid_json"),
        (b"[1, 2]", SPEC_HEADERS, "invalid_json"),
        (b"", SPEC_HEADERS, "empty_body"),
        (json.dumps({k: v for k, v in SPEC_BODY.items() if k != "user_id"}).encode(), SPEC_HEADERS, "schema_violation"),
        (json.dumps(dict(SPEC_BODY, policy_id=None)).encode(), SPEC_HEADERS, "schema_violation"),
        (json.dumps(SPEC_BODY).encode(), [(k, b"applylens.action.exploded" if k == "ce_type" else v) for k, v in SPEC_HEADERS], "unknown_type"),
        (json.dumps(SPEC_BODY).encode(), [h for h in SPEC_HEADERS if h[0] != "ce_id"], "missing_header"),
        (json.dumps(SPEC_BODY).encode(), [(k, b"0.3" if k == "ce_specversion" else v) for k, v in SPEC_HEADERS], "bad_specversion"),
        (json.dumps(SPEC_BODY).encode(), [(k, b"yesterday" if k == "ce_time" else v) for k, v in SPEC_HEADERS], "bad_time"),
        (b"\xff\xfe\x00garbage", SPEC_HEADERS, "invalid_json"),
    ],
)
def test_invalid_records_raise_a_reason_never_anything_else(value, headers, reason):
    with pytest.raises(InvalidEvent) as info:
        decode(value, headers)
    assert info.value.reason == reason
    assert info.value.detail
