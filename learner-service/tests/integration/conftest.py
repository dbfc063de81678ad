"""A learner running against the session's real broker and database, and helpers to drive it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from applylens_contracts.events import ActionApproved, ActionManual, ActionProposed, ActionRejected
from applylens_contracts.examples import ACTION_APPROVED_BODY
from applylens_learner.bootstrap import build_app
from applylens_learner.settings import LearnerSettings

KINDS = {"approved": ActionApproved, "rejected": ActionRejected, "proposed": ActionProposed, "manual": ActionManual}


def action(user: str, kind: str = "approved", **email: object):
    """An action event of ``kind`` for ``user`` on the SPEC's example email, with ``email`` overrides."""
    body = dict(ACTION_APPROVED_BODY, user_id=user, action_id=f"act-{uuid.uuid4().hex[:8]}")
    body["email"] = dict(body["email"], **email)
    return KINDS[kind].model_validate(body)


def learner_settings(kafka_bootstrap: str, database_url: str, jwt_secret: str, **overrides: object) -> LearnerSettings:
    values: dict[str, object] = {
        "kafka_bootstrap_servers": kafka_bootstrap,
        "database_url": database_url,
        "jwt_secret": jwt_secret,
        "learner_consumer_group": f"learner-it-{uuid.uuid4().hex[:8]}",
        "metrics_user_label": "raw",
        "log_json": False,
    }
    values.update(overrides)
    return LearnerSettings(**values)  # type: ignore[arg-type]


@asynccontextmanager
async def running(settings: LearnerSettings, *, consume: bool = True, serve_api: bool = True) -> AsyncIterator[FastAPI]:
    """The app with its lifespan entered; waits (30 s at most) for migrations and the broker."""
    app = build_app(settings, consume=consume, serve_api=serve_api)
    async with app.router.lifespan_context(app):
        await asyncio.wait_for(app.state.started.wait(), 30)
        yield app


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await asyncio.sleep(0.1)


async def weights_of(database_url: str, user: str) -> dict[str, float]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT feature, weight FROM user_weights WHERE user_id = $1", user)
    finally:
        await conn.close()
    return {r["feature"]: r["weight"] for r in rows}


async def processed(database_url: str, ids: list[str]) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval("SELECT count(*) FROM learner_processed_events WHERE event_id = ANY($1::text[])", ids)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def learner(kafka_bootstrap: str, database_url: str, jwt_secret: str) -> AsyncIterator[FastAPI]:
    """A linear learner (API + consumer) for one module; tests use their own user ids.

    Module-scoped, not session-scoped: a consumer left running would also dead-letter
    other suites' poison messages under its own group while they read the DLQ.
    """
    async with running(learner_settings(kafka_bootstrap, database_url, jwt_secret)) as app:
        yield app


@pytest.fixture(scope="module")
async def api(kafka_bootstrap: str, database_url: str, jwt_secret: str) -> AsyncIterator[FastAPI]:
    """The API role only (no consumer, no group join) on the session database."""
    settings = learner_settings(kafka_bootstrap, database_url, jwt_secret)
    async with running(settings, consume=False) as app:
        yield app


@pytest.fixture
async def client(api: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://learner") as c:
        yield c


def unique_user(prefix: str = "u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture(scope="session")
def it():  # type: ignore[no-untyped-def]
    """The helpers above, for test modules (importlib import mode cannot import this file by name)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        action=action, learner_settings=learner_settings, running=running, eventually=eventually,
        weights_of=weights_of, processed=processed, unique_user=unique_user,
    )
