"""What the ApplyLens services agree on. Light by design: pydantic, no engine drivers."""
