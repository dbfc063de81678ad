"""Engine 2: the emails index in Elasticsearch (production scale)."""

from .engine import ElasticsearchEmailIndex, IndexWriteError, doc_key

__all__ = ["ElasticsearchEmailIndex", "IndexWriteError", "doc_key"]
