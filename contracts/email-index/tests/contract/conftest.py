"""The engines under contract: PostgreSQL always, Elasticsearch when ELASTICSEARCH_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest

from applylens_index.contract import EmailIndex

ES_URL = os.environ.get("ELASTICSEARCH_URL")
ENGINES = [
    pytest.param("postgres", marks=pytest.mark.integration),
    pytest.param(
        "elasticsearch",
        marks=[
            pytest.mark.integration,
            pytest.mark.skipif(not ES_URL, reason="ELASTICSEARCH_URL is not set: no Elasticsearch cluster to test against"),
        ],
    ),
]


@pytest.fixture(scope="session", params=ENGINES)
async def index(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[EmailIndex]:
    """One ensured index per engine for the session; tests isolate themselves by unique user ids."""
    if request.param == "postgres":
        from applylens_index.postgres import PostgresEmailIndex

        engine: EmailIndex = await PostgresEmailIndex.connect(database_url)
        await engine.ensure()
        yield engine
        await engine.close()
        return
    from applylens_index.elastic import ElasticsearchEmailIndex

    name = f"emails_test_{uuid.uuid4().hex[:10]}"
    es = ElasticsearchEmailIndex.connect(ES_URL, index=name, refresh="wait_for")
    await es.ensure()
    yield es
    await es._client.indices.delete(index=name)
    await es.close()


@pytest.fixture
def user() -> str:
    return f"u{uuid.uuid4().hex[:10]}@example.com"
