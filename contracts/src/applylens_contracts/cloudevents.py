"""CloudEvents 1.0 in Kafka binary content mode: ``ce_*`` headers, JSON body.

Small on purpose: the attributes we use are the required ones plus ``time`` and
``datacontenttype`` (carried as the ``content-type`` header, as the Kafka binding says).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NamedTuple

from pydantic import ValidationError

from .events import EVENT_TYPES, Event

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
DEFAULT_SOURCE = "/actions-api"


class InvalidEvent(ValueError):
    """A Kafka record that is not a valid event. ``reason`` is short and machine-friendly."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Envelope(NamedTuple):
    """A decoded CloudEvent: its context attributes and the validated payload (a tuple: one per consumed record)."""

    id: str
    type: str
    source: str
    time: datetime | None
    data: Event


@dataclass(frozen=True)
class KafkaRecord:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def encode(
    event: Event,
    *,
    source: str = DEFAULT_SOURCE,
    event_id: str | None = None,
    time: datetime | None = None,
) -> KafkaRecord:
    """Binary-mode record for ``event``: key = user_id, ``ce_*`` headers, JSON body."""
    event_time = (time or datetime.now(timezone.utc)).astimezone(timezone.utc)
    headers = [
        ("ce_specversion", SPECVERSION.encode()),
        ("ce_id", (event_id or str(uuid.uuid4())).encode()),
        ("ce_type", event.ce_type.encode()),
        ("ce_source", source.encode()),
        ("ce_time", event_time.isoformat().replace("+00:00", "Z").encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    body = event.model_dump_json(by_alias=True).encode()
    return KafkaRecord(topic=event.topic, key=event.key.encode(), value=body, headers=headers)


_REQUIRED = ("ce_id", "ce_type", "ce_source")
_SPECVERSION_BYTES = SPECVERSION.encode()
_MODELS_BY_TYPE = {name.encode(): model for name, model in EVENT_TYPES.items()}


def _raw_headers(headers: Iterable[tuple[str, bytes | None]] | Mapping[str, bytes | str]) -> dict[str, bytes]:
    """Header values as bytes by lower-case name. Kafka's (name, bytes) pairs named as the binding
    says (lower case) are taken as they are: this runs once per consumed record."""
    if not isinstance(headers, Mapping):
        raw = dict(headers)
        if "ce_id" in raw and "ce_type" in raw and "ce_source" in raw and "ce_specversion" in raw:
            return raw
        headers = raw
    return {
        str(name).lower(): value.encode() if isinstance(value, str) else value
        for name, value in headers.items()
        if value is not None
    }


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


def decode(value: bytes | None, headers: Iterable[tuple[str, bytes | None]] | Mapping[str, bytes | str]) -> Envelope:
    """Validate a binary-mode record. Raises ``InvalidEvent`` with the reason; never anything else."""
    meta = _raw_headers(headers)
    specversion = meta.get("ce_specversion")
    if specversion != _SPECVERSION_BYTES:
        shown = None if specversion is None else _text(specversion)
        raise InvalidEvent("bad_specversion", f"ce_specversion must be {SPECVERSION!r}, got {shown!r}")
    for required in _REQUIRED:
        if not meta.get(required):
            raise InvalidEvent("missing_header", f"header {required} is required")
    model = _MODELS_BY_TYPE.get(meta["ce_type"])
    if model is None:
        raise InvalidEvent("unknown_type", f"ce_type {_text(meta['ce_type'])!r} is not one of {sorted(EVENT_TYPES)}")
    if not value:
        raise InvalidEvent("empty_body", "the message has no body")
    try:
        data = model.model_validate_json(value)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0] if errors else {"type": "", "loc": (), "msg": str(exc)}
        if first["type"] == "json_invalid":
            raise InvalidEvent("invalid_json", first["msg"]) from None
        if first["type"] == "model_type" and not first["loc"]:
            raise InvalidEvent("invalid_json", "the body must be a JSON object") from None
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5])
        raise InvalidEvent("schema_violation", detail) from None
    event_time = None
    if time_header := meta.get("ce_time"):
        try:
            event_time = datetime.fromisoformat(_text(time_header))  # RFC 3339, "Z" included (3.11+)
        except ValueError:
            raise InvalidEvent("bad_time", f"ce_time {_text(time_header)!r} is not RFC 3339") from None
    return Envelope(_text(meta["ce_id"]), model.ce_type, _text(meta["ce_source"]), event_time, data)
