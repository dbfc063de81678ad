"""Batch-job metrics against a real Pushgateway: a failed run never erases the last success."""

from __future__ import annotations

import time

import pytest
from prometheus_client import Counter

from applylens_platform.pushgateway import pushed_job

pytestmark = pytest.mark.integration


def test_a_failed_run_keeps_the_last_success_and_records_the_failure(pushgateway_url, pushed_metrics):
    job = f"test-job-{time.time_ns()}"
    with pushed_job(pushgateway_url, job) as registry:
        Counter("test_items_total", "items", registry=registry).inc(5)
    good = pushed_metrics(job)
    assert good["test_items_total"] == 5 and good["applylens_job_last_success_timestamp_seconds"] > 0

    with pytest.raises(RuntimeError), pushed_job(pushgateway_url, job) as registry:
        Counter("test_items_total", "items", registry=registry).inc(2)
        raise RuntimeError("the warehouse is down")
    bad = pushed_metrics(job)
    assert bad["applylens_job_last_success_timestamp_seconds"] == good["applylens_job_last_success_timestamp_seconds"]
    assert bad["applylens_job_last_failure_timestamp_seconds"] >= good["applylens_job_last_success_timestamp_seconds"]
    assert bad["test_items_total"] == 2  # the failed run's own progress


def test_an_unreachable_pushgateway_never_fails_the_job():
    with pushed_job("http://127.0.0.1:9", "test-job") as registry:
        Counter("test_items_total", "items", registry=registry).inc()
