"""Every service's migrations apply to an empty database and give the seed's tables."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import asyncpg
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from applylens_learner import migrations as learner_migrations
from applylens_policy import migrations as policy_migrations

pytestmark = pytest.mark.integration

SERVICES = [learner_migrations, policy_migrations]


async def _columns(dsn: str, table: str) -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1", table
        )
        return {r["column_name"]: r["data_type"] for r in rows}
    finally:
        await conn.close()


async def _unique_keys(dsn: str, table: str) -> set[tuple[str, ...]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            """
            SELECT array_agg(a.attname ORDER BY k.ord) AS cols
            FROM pg_constraint c
            JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) ON true
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
            WHERE c.conrelid = $1::regclass AND c.contype IN ('u', 'p')
            GROUP BY c.oid
            """,
            table,
        )
        return {tuple(r["cols"]) for r in rows}
    finally:
        await conn.close()


def test_all_migrations_apply_to_an_empty_database_and_again(database_factory):
    dsn = database_factory()
    for service in SERVICES:
        service.upgrade(dsn)
        service.upgrade(dsn)  # at every start: a no-op the second time

    weights = asyncio.run(_columns(dsn, "user_weights"))
    assert {"id", "user_id", "feature", "weight", "updated_at"} <= set(weights)
    assert weights["weight"] == "double precision"
    assert ("user_id", "feature") in asyncio.run(_unique_keys(dsn, "user_weights"))

    stats = asyncio.run(_columns(dsn, "policy_stats"))
    assert {"id", "policy_id", "user_id", "fired", "approved", "rejected", "precision", "recall",
            "window_days", "updated_at"} <= set(stats)
    assert ("policy_id", "user_id") in asyncio.run(_unique_keys(dsn, "policy_stats"))


def test_each_service_keeps_its_own_version_table(database_factory):
    dsn = database_factory()
    learner_migrations.upgrade(dsn)

    async def tables() -> set[str]:
        conn = await asyncpg.connect(dsn)
        try:
            return {r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
        finally:
            await conn.close()

    present = asyncio.run(tables())
    assert "alembic_version_learner" in present
    assert "policy_stats" not in present  # the policy service's tables are its own


def test_services_migrating_at_once_in_one_process_keep_their_own_history(database_factory):
    """The local gateway hosts several services whose lifespans migrate from worker threads at once."""
    dsn = database_factory()
    with ThreadPoolExecutor(max_workers=len(SERVICES) * 2) as pool:
        list(pool.map(lambda service: service.upgrade(dsn), SERVICES * 2))

    async def versions() -> dict[str, str]:
        conn = await asyncpg.connect(dsn)
        try:
            return {table: await conn.fetchval(f"SELECT version_num FROM {table}")
                    for table in ("alembic_version_learner", "alembic_version_policy")}
        finally:
            await conn.close()

    heads = {"alembic_version_learner": learner_migrations, "alembic_version_policy": policy_migrations}
    expected = {}
    for table, service in heads.items():
        config = Config()
        config.set_main_option("script_location", str(service.SCRIPT_LOCATION))
        expected[table] = ScriptDirectory.from_config(config).get_current_head()
    assert asyncio.run(versions()) == expected
