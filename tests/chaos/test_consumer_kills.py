"""SIGKILL the learner and the policy consumer at random moments of a 20k-event stream.

Both consumers run as real processes (``applylens-learner|policy serve --role consumer``)
on a broker and a database only this test uses. While the stream is being published,
each consumer is SIGKILLed three times, at moments drawn from a seeded RNG (a fraction
of its own progress, read from the database, plus a random delay, so kills land
anywhere: mid-batch, mid-transaction, between the commit and the offset commit) and
started again. After every record is committed by both groups, user_weights and
policy_stats must equal, exactly, the figures computed offline from the stream with the
services' own domain functions.
"""

from __future__ import annotations

import asyncio
import random
import time

import pytest
from chaos_harness import (
    LEARNER_GROUP,
    POLICY_GROUP,
    Oracle,
    ServiceProcess,
    assert_matches,
    count_rows,
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

N_EVENTS = 20_000
KILLS_PER_CONSUMER = 3
STALL_SECONDS = 30


async def _kill_at_random_moments(service: ServiceProcess, database_url: str, table: str, total: int,
                                  rng: random.Random, log: list[str]) -> None:
    """SIGKILL ``service`` once its applied count passes each of KILLS_PER_CONSUMER random fractions of
    ``total`` and it has applied something since its last start (so it dies while consuming), after a
    further random delay; start it again after a random pause.

    A consumer that applies nothing for STALL_SECONDS (more than a restart's group join) is not
    waited for: the kills stop and the final comparison says what is missing.
    """
    thresholds = sorted(int(total * rng.uniform(0.05, 0.85)) for _ in range(KILLS_PER_CONSUMER))
    since_start = 0
    for threshold in thresholds:
        target = min(max(threshold, since_start + 1), total)
        if not await _progress_to(database_url, table, target):
            log.append(f"{service.name} stalled below {target}/{total}: no more kills")
            return
        await asyncio.sleep(rng.uniform(0.0, 0.3))
        service.kill()
        applied = await count_rows(database_url, table)
        log.append(f"{time.strftime('%X')} SIGKILL {service.name} with {applied}/{total} applied")
        await asyncio.sleep(rng.uniform(0.0, 1.5))  # down for a while; the stream goes on
        since_start = await count_rows(database_url, table)
        service.start()


async def _progress_to(database_url: str, table: str, target: int) -> bool:
    """Wait until ``table`` has ``target`` rows; False if its count stops moving for STALL_SECONDS."""
    last, changed = -1, time.monotonic()
    while True:
        count = await count_rows(database_url, table)
        if count >= target:
            return True
        if count != last:
            last, changed = count, time.monotonic()
        elif time.monotonic() - changed > STALL_SECONDS:
            return False
        await asyncio.sleep(0.2)


async def test_sigkilled_consumers_lose_and_double_nothing(broker, database_factory, chaos_dir, processes):
    seed = seed_for(1101)
    rng = random.Random(seed)
    events = make_stream(seed, N_EVENTS)
    oracle = Oracle(events)
    print(f"seed {seed}: {summary(oracle)}")
    database_url = await asyncio.to_thread(database_factory)  # it runs its own event loop

    learner = learner_process(chaos_dir, bootstrap=broker.bootstrap, database_url=database_url)
    policy = policy_process(chaos_dir, bootstrap=broker.bootstrap, database_url=database_url)
    processes.extend([learner, policy])
    learner.start()
    policy.start()

    kills: list[str] = []
    records = records_of(events)
    killers = asyncio.gather(
        _kill_at_random_moments(learner, database_url, "learner_processed_events", len(oracle.learned_ids),
                                random.Random(rng.random()), kills),
        _kill_at_random_moments(policy, database_url, "policy_events", len(oracle.policy_ids),
                                random.Random(rng.random()), kills),
    )
    # The stream is spread over ~15 s so the kills happen while it is still flowing.
    positions = await publish(broker.bootstrap, records, chunk=250, pause=0.15)
    await killers

    await wait_caught_up(broker.bootstrap, [LEARNER_GROUP, POLICY_GROUP], end_offsets(positions), timeout=180,
                         services=[learner, policy])
    print("\n".join(kills))
    for service in (learner, policy):  # informative: redeliveries the last process skipped as already applied
        print(service.name, await service.metric_lines('outcome="duplicate"'))
    assert_matches(oracle, await observe(database_url))
    assert (learner.kills, policy.kills) == (KILLS_PER_CONSUMER, KILLS_PER_CONSUMER), kills
