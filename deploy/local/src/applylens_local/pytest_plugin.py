"""Pytest fixtures for the real broker and database, loaded in every test folder.

- ``kafka_bootstrap``: a session-wide broker (see ``infra.kafka``).
- ``database_url``: a database created for this test run and dropped at its end, on
  the server of ``DATABASE_URL`` or on an embedded server.
- ``database_factory``: more empty databases, each dropped at the end of its test.
- ``jwt_secret`` / ``token_for``: identity for HTTP tests.
- ``pushgateway_url``: a real Pushgateway (skips when Debian's prometheus-pushgateway is absent).
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
def kafka_bootstrap() -> Iterator[str]:
    with infra.scratch_dir("applylens-test-kafka-") as state, infra.kafka(state) as bootstrap:
        yield bootstrap


@pytest.fixture(scope="session")
def pushgateway_url() -> Iterator[str]:
    try:
        context = infra.pushgateway()
        url = context.__enter__()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    try:
        yield url
    finally:
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def pushed_metrics(pushgateway_url: str) -> Callable[[str], dict[str, float]]:
    """What the Pushgateway holds for a job: ``{metric name: value}`` (samples without other labels)."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    def read(job: str) -> dict[str, float]:
        with urllib.request.urlopen(f"{pushgateway_url}/metrics", timeout=10) as response:
            text = response.read().decode()
        return {sample.name: sample.value for family in text_string_to_metric_families(text)
                for sample in family.samples if sample.labels.get("job") == job}

    return read


@pytest.fixture(scope="session")
def pg_server_dsn() -> Iterator[str]:
    with infra.scratch_dir("applylens-test-pg-") as state, infra.postgres(state) as dsn:
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
