"""Opening the emails index the settings name (PostgreSQL engine by default, Elasticsearch when ELASTICSEARCH_URL is set)."""

from __future__ import annotations

from applylens_contracts.settings import ServiceSettings
from applylens_index.contract import EmailIndex
from applylens_index.factory import open_index


async def open_email_index(settings: ServiceSettings) -> EmailIndex:
    """The emails index of ``settings``; the caller calls ``ensure()`` and ``close()``."""
    return await open_index(settings)
