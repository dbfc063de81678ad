"""Pytest fixtures for the real broker and database, loaded in every test folder.

- ``kafka_bootstrap``: a session-wide broker (see ``infra.kafka``).
- ``database_url``: a database created for this test run and dropped at its end, on
  the server of ``DATABASE_URL`` or on an embedded server.
- ``database_factory``: more empty databases, each dropped at the end of its test.
- ``jwt_secret`` / ``token_for``: identity for HTTP tests.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Callable, Iterator

import pytest

from applylens_contracts.identity import mint_token

from . import infra


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with infra.kafka(tmp_path_factory.mktemp("kafka")) as bootstrap:
        yield bootstrap


@pytest.fixture(scope="session")
def pg_server_dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with infra.postgres(tmp_path_factory.mktemp("postgres")) as dsn:
        yield dsn


@pytest.fixture(scope="session")
def database_url(pg_server_dsn: str) -> Iterator[str]:
    dsn = asyncio.run(infra.create_database(pg_server_dsn))
    os.environ.setdefault("APPLYLENS_TEST_DATABASE_URL", dsn)
    try:
        yield dsn
    finally:
        asyncio.run(infra.drop_database(pg_server_dsn, infra.database_name(dsn)))


@pytest.fixture
def database_factory(pg_server_dsn: str) -> Iterator[Callable[[], str]]:
    created: list[str] = []

    def make() -> str:
        dsn = asyncio.run(infra.create_database(pg_server_dsn))
        created.append(dsn)
        return dsn

    yield make
    for dsn in created:
        asyncio.run(infra.drop_database(pg_server_dsn, infra.database_name(dsn)))


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    return secrets.token_urlsafe(32)


@pytest.fixture(scope="session")
def token_for(jwt_secret: str) -> Callable[[str], str]:
    def mint(user_id: str, ttl_seconds: int = 3600) -> str:
        return mint_token(user_id, jwt_secret, ttl_seconds=ttl_seconds)

    return mint
