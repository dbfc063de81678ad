"""The learner's I/O edges: the PostgreSQL repository of weights and applied events."""

from .postgres import LearnedRow, LinearEvent, PostgresWeights, StoredWeight

__all__ = ["LearnedRow", "LinearEvent", "PostgresWeights", "StoredWeight"]
