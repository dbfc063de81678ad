"""PostgreSQL restarted mid-stream, and the broker restarted mid-stream: no manual step, nothing accepted lost.

- PostgreSQL: an embedded server this test owns (not the shared one). While the stream
  flows it is stopped in ``immediate`` mode (a crash: open transactions die, WAL recovery
  on start), kept down until both consumers' /readyz report the outage, and started again
  on the same socket; later it is restarted once more with a ``fast`` shutdown (clients
  get AdminShutdown). The consumers retry the same batch until the database is back.
- Broker: a tansu broker this test owns, with S3 storage (a local moto S3 server), so the
  log and the committed offsets survive it. It is SIGKILLed mid-stream, kept down until
  both consumers' /readyz report the outage, and started again on the same port with the
  same storage. The producer resends what the dead broker did not acknowledge.

Both end with the exact offline figures over every event the broker acknowledged.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from applylens_local import infra
from chaos_harness import (
    LEARNER_GROUP,
    POLICY_GROUP,
    Broker,
    MotoS3,
    Oracle,
    OwnedPostgres,
    ServiceProcess,
    assert_matches,
    count_rows,
    end_offsets,
    learner_process,
    make_stream,
    observe,
    policy_process,
    publish,
    publish_until_acked,
    records_of,
    seed_for,
    summary,
    wait_caught_up,
    wait_until,
)

pytestmark = pytest.mark.chaos

N_EVENTS = 12_000


async def _applied_at_least(database_url: str, oracle: Oracle, fraction: float) -> bool:
    return (await count_rows(database_url, "policy_events") >= fraction * len(oracle.policy_ids)
            and await count_rows(database_url, "learner_processed_events") >= fraction * len(oracle.learned_ids))


async def _all_ready(services: list[ServiceProcess], ready: bool) -> bool:
    codes = [await s.readyz() for s in services]
    return all((code == 200) == ready for code in codes)


@pytest.fixture
def owned_postgres():  # type: ignore[no-untyped-def]
    pg = OwnedPostgres()
    try:
        yield pg
    finally:
        pg.close()


async def test_postgres_restarts_mid_stream(broker, owned_postgres, chaos_dir, processes):
    seed = seed_for(1104)
    events = make_stream(seed, N_EVENTS)
    oracle = Oracle(events)
    print(f"seed {seed}: {summary(oracle)}")
    database_url = await infra.create_database(owned_postgres.server_dsn)

    services = [learner_process(chaos_dir, bootstrap=broker.bootstrap, database_url=database_url),
                policy_process(chaos_dir, bootstrap=broker.bootstrap, database_url=database_url)]
    processes.extend(services)
    for service in services:
        service.start()
    await wait_until(lambda: _all_ready(services, True), timeout=60, what="both consumers ready")

    acked = [0]
    publishing = asyncio.create_task(publish(broker.bootstrap, records_of(events), chunk=250, pause=0.15,
                                             on_chunk=lambda n: acked.__setitem__(0, n)))
    await wait_until(lambda: _applied_at_least(database_url, oracle, 0.25), timeout=120,
                     what="a quarter of the stream applied")

    started = time.monotonic()
    owned_postgres.stop("immediate")  # a crash, while batches are in flight
    at_crash = acked[0]
    await wait_until(lambda: _all_ready(services, False), timeout=30, what="/readyz to report the database down")
    await asyncio.sleep(2)  # the stream goes on meanwhile; the consumers hold their batch and retry
    owned_postgres.start()
    print(f"PostgreSQL down for {time.monotonic() - started:.1f}s (immediate stop) with {at_crash}/{len(events)} "
          "records published")
    assert at_crash < len(events), "the database should go down while the stream is still being published"
    await wait_until(lambda: _all_ready(services, True), timeout=60, what="/readyz to recover by itself")

    progress = await count_rows(database_url, "policy_events")
    await wait_until(lambda: _more_than(database_url, progress), timeout=60, what="consumption to resume")
    owned_postgres.stop("fast")  # a clean shutdown: clients get AdminShutdown
    await asyncio.sleep(1)
    owned_postgres.start()

    positions = await publishing
    await wait_caught_up(broker.bootstrap, [LEARNER_GROUP, POLICY_GROUP], end_offsets(positions), timeout=180,
                         services=services)
    assert_matches(oracle, await observe(database_url))


async def _more_than(database_url: str, count: int) -> bool:
    return await count_rows(database_url, "policy_events") > count


async def test_broker_restarts_mid_stream(database_factory, chaos_dir, processes):
    seed = seed_for(1105)
    events = make_stream(seed, N_EVENTS)
    oracle = Oracle(events)
    print(f"seed {seed}: {summary(oracle)}")
    database_url = await asyncio.to_thread(database_factory)

    s3 = MotoS3(chaos_dir / "moto.log").start()
    broker = Broker(chaos_dir / "tansu.log", storage="s3://tansu/", env=s3.broker_env()).start()
    try:
        services = [learner_process(chaos_dir, bootstrap=broker.bootstrap, database_url=database_url),
                    policy_process(chaos_dir, bootstrap=broker.bootstrap, database_url=database_url)]
        processes.extend(services)
        for service in services:
            service.start()
        await wait_until(lambda: _all_ready(services, True), timeout=60, what="both consumers ready")

        acked = [0]
        publishing = asyncio.create_task(publish_until_acked(
            broker.bootstrap, records_of(events), chunk=1000, pause=1.0, linger_ms=100,
            on_chunk=lambda n: acked.__setitem__(0, n)))
        await wait_until(lambda: _applied_at_least(database_url, oracle, 0.3), timeout=120,
                         what="30% of the stream applied")

        started = time.monotonic()
        broker.kill()  # SIGKILL: nothing flushed, connections reset
        at_kill = acked[0]
        await wait_until(lambda: _all_ready(services, False), timeout=30, what="/readyz to report the broker down")
        await asyncio.sleep(2)
        broker.start()  # same port, same storage
        print(f"broker down for {time.monotonic() - started:.1f}s (SIGKILL) with {at_kill}/{len(events)} "
              "records acknowledged")
        assert at_kill < len(events), "the broker should die while the stream is still being published"
        await wait_until(lambda: _all_ready(services, True), timeout=90, what="/readyz to recover by itself")

        positions, resent = await publishing
        print(f"producer resent {resent} unacknowledged chunk(s)")
        await wait_caught_up(broker.bootstrap, [LEARNER_GROUP, POLICY_GROUP], end_offsets(positions), timeout=180,
                             services=services)
        assert_matches(oracle, await observe(database_url))
    finally:
        for service in processes:
            service.stop()
        broker.kill()
        s3.stop()
