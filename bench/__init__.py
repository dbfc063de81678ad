"""Benchmarks: each prints its figures beside raw baselines measured in the same run."""
