"""policy-service: per-policy precision and recall from the action stream."""
