"""Engine 1: the emails index in PostgreSQL full-text search (the default engine)."""

from .engine import PostgresEmailIndex

__all__ = ["PostgresEmailIndex"]
