"""The emails index contract and its two engines (PostgreSQL full-text, Elasticsearch), plus mail ingestion."""
