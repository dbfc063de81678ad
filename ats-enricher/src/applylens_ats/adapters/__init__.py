"""Adapters of the ATS enricher: the warehouse (PostgreSQL) and, later, the index."""
