"""I/O at the edge: PostgreSQL and Prometheus."""
