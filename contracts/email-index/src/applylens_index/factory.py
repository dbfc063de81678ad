"""Pick and build the emails index engine from configuration."""

from __future__ import annotations

from applylens_contracts.settings import ServiceSettings

from .contract import EmailIndex


async def open_index(
    settings: ServiceSettings | None = None,
    *,
    database_url: str | None = None,
    elasticsearch_url: str | None = None,
) -> EmailIndex:
    """Elasticsearch when an Elasticsearch URL is configured, else PostgreSQL.

    Explicit URLs win over ``settings``; with neither, ``ServiceSettings()`` reads the
    environment (``ELASTICSEARCH_URL``, ``DATABASE_URL``). The caller owns the result:
    call ``ensure()`` at start and ``close()`` at the end. Nothing is contacted here
    except that the PostgreSQL pool is created (it connects lazily).
    """
    if database_url is None and elasticsearch_url is None:
        settings = settings or ServiceSettings()
        elasticsearch_url, database_url = settings.elasticsearch_url, settings.database_url
    if elasticsearch_url:
        from .elastic import ElasticsearchEmailIndex

        return ElasticsearchEmailIndex.connect(elasticsearch_url)
    if not database_url:
        raise ValueError("no engine configured: set ELASTICSEARCH_URL or DATABASE_URL")
    from .postgres import PostgresEmailIndex

    return await PostgresEmailIndex.connect(database_url)
