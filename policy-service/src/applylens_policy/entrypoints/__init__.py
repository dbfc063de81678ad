"""Thin edges: HTTP routes, the Kafka subscription, the command line."""
