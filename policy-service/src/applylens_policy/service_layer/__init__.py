"""Use cases: apply consumed events, recompute the windowed stats, read a user's stats."""
