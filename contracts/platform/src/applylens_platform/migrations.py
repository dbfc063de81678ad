"""Versioned migrations with Alembic, one script folder and version table per service.

Each service keeps ``migrations/`` inside its package (``env.py`` there calls
``run_env()``), so its image carries its own schema history, and several services
can share one database without seeing each other's revisions.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

# Alembic keeps the running migration's context in module globals, so two upgrades in one
# process (the local gateway hosts several services, each migrating from a worker thread)
# would read each other's script folder and version table. One at a time per process.
_ALEMBIC = threading.Lock()


def sqlalchemy_url(dsn: str) -> str:
    """``postgresql://…`` → ``postgresql+asyncpg://…`` (query string such as a socket host kept)."""
    scheme, sep, rest = dsn.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {dsn!r}")
    return f"postgresql+asyncpg://{rest}"


def alembic_config(script_location: Path, database_url: str, version_table: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["database_url"] = database_url
    config.attributes["version_table"] = version_table
    return config


def upgrade(script_location: Path, database_url: str, version_table: str, revision: str = "head") -> None:
    """Apply the service's migrations up to ``revision``. Safe to call at every start."""
    with _ALEMBIC:
        command.upgrade(alembic_config(script_location, database_url, version_table), revision)


def downgrade(script_location: Path, database_url: str, version_table: str, revision: str) -> None:
    with _ALEMBIC:
        command.downgrade(alembic_config(script_location, database_url, version_table), revision)


def run_env() -> None:
    """Body of every service's ``migrations/env.py``: run online against asyncpg."""
    from alembic import context

    config = context.config
    url = sqlalchemy_url(config.attributes["database_url"])
    version_table = config.attributes["version_table"]

    def run(connection) -> None:  # type: ignore[no-untyped-def]
        # Replicas may start together: one migrates, the others wait and then find nothing to do.
        lock_key = int.from_bytes(hashlib.blake2b(version_table.encode(), digest_size=8).digest(), "big") >> 1
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({lock_key})")
        connection.commit()  # a session-level lock: it outlives this implicit transaction
        try:
            context.configure(connection=connection, version_table=version_table, transaction_per_migration=True)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({lock_key})")
            connection.commit()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(run)
        finally:
            await engine.dispose()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(main())
    else:  # called from inside an event loop (e.g. an async test): use a helper thread
        import threading

        errors: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(main())
            except BaseException as exc:  # re-raised below in the caller's thread
                errors.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if errors:
            raise errors[0]
