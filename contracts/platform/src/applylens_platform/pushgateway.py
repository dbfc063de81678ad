"""Batch jobs (CronJobs) are not scraped: they push their metrics to a Prometheus Pushgateway.

``pushed_job(url, job)`` wraps one run. The caller registers its own metrics on the
registry it yields. On success the job's group is replaced (PUT) with those metrics plus
``applylens_job_last_success_timestamp_seconds`` and ``applylens_job_duration_seconds``:
the group holds exactly the last good run. On failure the metrics are added (POST) with
``applylens_job_last_failure_timestamp_seconds`` instead, so the last success time
survives and the stale-job alert keeps counting from it. A Pushgateway outage is logged,
never fails the job. With no URL nothing is pushed.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway, pushadd_to_gateway

log = logging.getLogger(__name__)

LAST_SUCCESS = "applylens_job_last_success_timestamp_seconds"
LAST_FAILURE = "applylens_job_last_failure_timestamp_seconds"
DURATION = "applylens_job_duration_seconds"


class PushgatewayPusher:
    """Pushes one registry under grouping key ``job=<job>``: ``replace`` = PUT (the whole group), else POST."""

    def __init__(self, url: str, job: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.job = job
        self.timeout = timeout

    def push(self, registry: CollectorRegistry, *, replace: bool = True) -> None:
        push = push_to_gateway if replace else pushadd_to_gateway
        push(self.url, job=self.job, registry=registry, timeout=self.timeout)
        log.info("pushed metrics to %s (job=%s)", self.url, self.job)


@contextlib.contextmanager
def pushed_job(url: str | None, job: str) -> Iterator[CollectorRegistry]:
    registry = CollectorRegistry()
    started = time.time()
    try:
        yield registry
    except BaseException:
        Gauge(LAST_FAILURE, "Unix time the job last failed.", registry=registry).set(time.time())
        Gauge(DURATION, "Wall time of the job's last run, seconds.", registry=registry).set(time.time() - started)
        _push(url, job, registry, replace=False)
        raise
    Gauge(LAST_SUCCESS, "Unix time the job last finished successfully.", registry=registry).set(time.time())
    Gauge(DURATION, "Wall time of the job's last run, seconds.", registry=registry).set(time.time() - started)
    _push(url, job, registry, replace=True)


def _push(url: str | None, job: str, registry: CollectorRegistry, *, replace: bool) -> None:
    if not url:
        return
    pusher = PushgatewayPusher(url, job)
    try:
        pusher.push(registry, replace=replace)
    except Exception:  # the run's work is done (or already failed); monitoring must not change that
        log.exception("could not push metrics to the Pushgateway at %s", pusher.url)
