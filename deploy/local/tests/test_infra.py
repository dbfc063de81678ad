"""The local infrastructure paths: embedded PostgreSQL and the tansu broker."""

import asyncio

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from applylens_local import infra

pytestmark = pytest.mark.integration


def test_embedded_postgres_starts_serves_and_stops(tmp_path):
    pgdata = tmp_path / "pgdata"
    with infra.embedded_postgres(pgdata, delete=True) as server_dsn:
        assert "host=" in server_dsn  # a Unix socket, not a TCP port

        async def roundtrip() -> int:
            dsn = await infra.create_database(server_dsn, "probe")
            conn = await asyncpg.connect(dsn)
            try:
                await conn.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (41)")
                return await conn.fetchval("SELECT x + 1 FROM t")
            finally:
                await conn.close()

        assert asyncio.run(roundtrip()) == 42
    assert not pgdata.exists()  # stopped and removed


def test_tansu_broker_round_trips_and_restarts_on_the_same_port(tmp_path):
    broker = infra.TansuBroker("127.0.0.1", infra.free_port(), tmp_path / "tansu.log").start()

    async def produce_consume(topic: str) -> bytes:
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(topic, b"hello", key=b"k")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest")
        await consumer.start()
        try:
            return (await asyncio.wait_for(consumer.getone(), 20)).value
        finally:
            await consumer.stop()

    try:
        assert asyncio.run(produce_consume("probe")) == b"hello"
        port = broker.port
        broker.restart()
        assert broker.port == port
        assert asyncio.run(produce_consume("probe-after-restart")) == b"hello"
    finally:
        broker.stop()
    assert broker.process is None


def test_with_database_keeps_the_socket_query():
    assert infra.with_database("postgresql://postgres:@/postgres?host=/tmp/s", "x") == "postgresql://postgres:@/x?host=/tmp/s"
    assert infra.database_name("postgresql://u@h:5432/abc") == "abc"
