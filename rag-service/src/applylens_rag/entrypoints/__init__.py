"""rag's edges: HTTP routes (SSE, JSON, the page) and the CLI."""
