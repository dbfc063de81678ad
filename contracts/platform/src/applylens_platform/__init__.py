"""Shared service runtime: PostgreSQL pool and migrations, reliable Kafka consumption with DLQ, metrics, health, logging."""
