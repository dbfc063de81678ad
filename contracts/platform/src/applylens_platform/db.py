"""PostgreSQL access shared by the services: a lazy pool and the transient-error test."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

log = logging.getLogger(__name__)

# Errors after which the same transaction may succeed if tried again later.
_TRANSIENT = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
)


def is_transient(exc: BaseException) -> bool:
    """True for connection loss, server restarts, serialization failures and deadlocks."""
    return isinstance(exc, _TRANSIENT)


async def create_pool(dsn: str, *, max_size: int = 10) -> asyncpg.Pool:
    """A pool that opens connections on demand, so a service starts (not ready) while the database is down."""
    return await asyncpg.create_pool(
        dsn,
        min_size=0,
        max_size=max_size,
        command_timeout=30,
        max_inactive_connection_lifetime=60,
    )


async def ping(pool: asyncpg.Pool, timeout: float = 2.0) -> None:
    """Raise unless the database answers ``SELECT 1`` within ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        async with pool.acquire() as conn:
            await conn.fetchval("SELECT 1")
