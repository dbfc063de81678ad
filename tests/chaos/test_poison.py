"""Poison messages of every kind, interleaved in a good stream: each in the DLQ with its reason, the rest applied.

Thirteen kinds of bad record (what a buggy or foreign producer, a truncated write or a
data-dependent database error produce), two of each, are placed at random (seeded) among
5k good events. For each consumer group, the dead-letter topic ``applylens.actions.v1.dlq``
must hold exactly those records (by source partition and offset), byte for byte, with the
expected ``dlq_reason`` and a non-empty ``dlq_error``; and every good event must be applied
exactly as the offline computation says: one bad record neither blocks nor poisons its batch.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import defaultdict

import pytest
from applylens_contracts.cloudevents import InvalidEvent, KafkaRecord, decode, encode
from applylens_contracts.events import TOPIC_ACTIONS, ActionApproved, EmailIngested, IngestedEmail
from chaos_harness import (
    LEARNER_GROUP,
    POLICY_GROUP,
    Oracle,
    assert_matches,
    dead_letters,
    end_offsets,
    learner_process,
    make_stream,
    observe,
    policy_process,
    publish,
    records_of,
    seed_for,
    summary,
    wait_caught_up,
)

pytestmark = pytest.mark.chaos

N_GOOD = 5_000
COPIES = 2


def _replace_header(record: KafkaRecord, name: str, value: bytes | None) -> KafkaRecord:
    headers = [(k, v) for k, v in record.headers if k != name]
    if value is not None:
        headers.append((name, value))
    return KafkaRecord(record.topic, record.key, record.value, headers)


def _with_value(record: KafkaRecord, value: bytes) -> KafkaRecord:
    return KafkaRecord(record.topic, record.key, value, record.headers)


def poison(template: ActionApproved, rng: random.Random) -> list[tuple[str, KafkaRecord, str]]:
    """(kind, record, the dlq_reason it must get) for each kind of bad record."""

    def good() -> KafkaRecord:
        return encode(template, event_id=f"poison-{rng.getrandbits(64):016x}", source="/chaos")

    body = json.loads(good().value)
    no_email = {k: v for k, v in body.items() if k != "email"}
    ingested = EmailIngested(user_id=template.user_id, email=IngestedEmail(id="msg-x", subject="hello"),
                             occurred_at=template.occurred_at)
    foreign = encode(ingested, source="/chaos")
    nul_user = template.model_copy(update={"user_id": "nul\u0000user@chaos.example"})
    return [
        ("truncated JSON", _with_value(good(), good().value[:40]), "invalid_json"),
        ("non-UTF-8 body", _with_value(good(), good().value.replace(b'"subject":"', b'"subject":"\xff\xfe')),
         "invalid_json"),
        ("JSON array, not an object", _with_value(good(), b"[1, 2, 3]"), "invalid_json"),
        ("empty body", _with_value(good(), b""), "empty_body"),
        ("no ce_* headers at all", KafkaRecord(TOPIC_ACTIONS, good().key, good().value,
                                               [("content-type", b"application/json")]), "bad_specversion"),
        ("wrong ce_specversion", _replace_header(good(), "ce_specversion", b"0.3"), "bad_specversion"),
        ("missing ce_id", _replace_header(good(), "ce_id", None), "missing_header"),
        ("unknown ce_type", _replace_header(good(), "ce_type", b"applylens.action.snoozed"), "unknown_type"),
        ("email.ingested on the actions topic", KafkaRecord(TOPIC_ACTIONS, foreign.key, foreign.value,
                                                            foreign.headers), "unexpected_type"),
        ("required field missing", _with_value(good(), json.dumps(no_email).encode()), "schema_violation"),
        ("ce_time not RFC 3339", _replace_header(good(), "ce_time", b"yesterday"), "bad_time"),
        ("oversized (3 MB) garbage", _with_value(good(), b'{"user_id": "' + b"x" * 3_000_000), "invalid_json"),
        # Valid to the schema, refused by PostgreSQL (NUL in text): fails alone, after retries.
        ("database rejects it", encode(nul_user, event_id=f"poison-nul-{rng.getrandbits(32):08x}", source="/chaos"),
         "processing_failed"),
    ]


async def test_poison_goes_to_the_dlq_and_the_rest_is_applied(broker, database_factory, chaos_dir, processes):
    seed = seed_for(1103)
    rng = random.Random(seed)
    events = make_stream(seed, N_GOOD)
    oracle = Oracle(events)
    template = next(e for _, e in events if e.kind == "approved")
    bad = [item for _ in range(COPIES) for item in poison(template, rng)]
    assert len({kind for kind, _, _ in bad}) >= 6
    for kind, record, reason in bad:  # the records are what they claim to be
        try:
            envelope = decode(record.value, record.headers)
        except InvalidEvent as exc:
            assert exc.reason == reason, (kind, exc.reason, reason)
        else:
            assert reason in ("unexpected_type", "processing_failed"), (kind, envelope)

    stream: list[tuple[KafkaRecord, str | None, str | None]] = [(r, None, None) for r in records_of(events)]
    for kind, record, reason in bad:
        stream.insert(rng.randrange(len(stream) + 1), (record, kind, reason))
    print(f"seed {seed}: {summary(oracle)}; {len(bad)} poison records of {len(bad) // COPIES} kinds")

    database_url = await asyncio.to_thread(database_factory)
    learner = learner_process(chaos_dir, bootstrap=broker.bootstrap, database_url=database_url)
    policy = policy_process(chaos_dir, bootstrap=broker.bootstrap, database_url=database_url)
    processes.extend([learner, policy])
    learner.start()
    policy.start()

    positions = await publish(broker.bootstrap, [r for r, _, _ in stream], chunk=500, pause=0.05)
    ends = end_offsets(positions)
    expected = {pos: (reason, kind, record.value)
                for pos, (record, kind, reason) in zip(positions, stream, strict=True) if kind}
    await wait_caught_up(broker.bootstrap, [LEARNER_GROUP, POLICY_GROUP], ends, timeout=180,
                         services=[learner, policy])

    letters = await dead_letters(broker.bootstrap)
    by_group: dict[str, dict[tuple[int, int], object]] = defaultdict(dict)
    for letter in letters:
        assert letter.headers["dlq_source_topic"] == TOPIC_ACTIONS
        assert letter.headers["dlq_error"], letter.headers
        by_group[letter.headers["dlq_consumer_group"]][letter.source] = letter
    for group in (LEARNER_GROUP, POLICY_GROUP):
        got = by_group[group]
        missing = {expected[pos][1] for pos in set(expected) - set(got)}
        assert not missing, f"{group}: not dead-lettered: {sorted(missing)}"
        assert set(got) == set(expected), f"{group}: good records dead-lettered: {sorted(set(got) - set(expected))}"
        for pos, (reason, kind, value) in expected.items():
            letter = got[pos]
            assert letter.headers["dlq_reason"] == reason, (kind, letter.headers["dlq_reason"],
                                                            letter.headers["dlq_error"])
            assert letter.value == value, f"{kind}: the DLQ copy is not the original bytes"

    assert_matches(oracle, await observe(database_url))
