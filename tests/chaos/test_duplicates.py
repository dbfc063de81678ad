"""Every event published twice, the copies interleaved across users: the same result as once.

At-least-once producers (a retried send, a replayed outbox) publish the same CloudEvent
id again. Here each of 10k events is published a second time at a random later place in
the stream (seeded): sometimes in the same consumer batch as the first copy, sometimes
thousands of records later after other users' events, so both the in-batch dedup and
the processed-events table are exercised. The final state must equal the offline
computation over the distinct events.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from chaos_harness import (
    LEARNER_GROUP,
    POLICY_GROUP,
    Oracle,
    assert_matches,
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

N_DISTINCT = 10_000


def published_twice(events: list, rng: random.Random) -> list:
    """Each event, then its copy at a random later position (1 to 4000 places on, or right after)."""
    keyed = []
    for position, item in enumerate(events):
        keyed.append((float(position), item))
        gap = 0.5 if rng.random() < 0.1 else rng.randint(1, 4000) + 0.5
        keyed.append((position + gap, item))
    keyed.sort(key=lambda pair: pair[0])
    return [item for _, item in keyed]


async def test_every_event_twice_counts_once(broker, database_factory, chaos_dir, processes):
    seed = seed_for(1102)
    events = make_stream(seed, N_DISTINCT)
    stream = published_twice(events, random.Random(seed))
    assert len(stream) == 2 * N_DISTINCT and len({eid for eid, _ in stream}) == N_DISTINCT
    oracle = Oracle(stream)
    print(f"seed {seed}: {len(stream)} records; {summary(oracle)}")
    database_url = await asyncio.to_thread(database_factory)

    learner = learner_process(chaos_dir, bootstrap=broker.bootstrap, database_url=database_url)
    policy = policy_process(chaos_dir, bootstrap=broker.bootstrap, database_url=database_url)
    processes.extend([learner, policy])
    learner.start()
    policy.start()

    positions = await publish(broker.bootstrap, records_of(stream), chunk=1000, pause=0.05)
    await wait_caught_up(broker.bootstrap, [LEARNER_GROUP, POLICY_GROUP], end_offsets(positions), timeout=180,
                         services=[learner, policy])
    assert_matches(oracle, await observe(database_url))
