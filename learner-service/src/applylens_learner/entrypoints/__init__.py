"""The learner's entrypoints: HTTP routes, the Kafka subscription, the CLI."""
