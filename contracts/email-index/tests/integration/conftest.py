from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from applylens_index.postgres import PostgresEmailIndex


@pytest.fixture(scope="session")
async def pg_index(database_url: str) -> AsyncIterator[PostgresEmailIndex]:
    index = await PostgresEmailIndex.connect(database_url)
    await index.ensure()
    yield index
    await index.close()


@pytest.fixture
def user() -> str:
    return f"u{uuid.uuid4().hex[:10]}@example.com"
