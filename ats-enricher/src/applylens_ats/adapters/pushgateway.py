"""Pushing a batch job's metrics to a Prometheus Pushgateway (a CronJob is not scraped)."""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, push_to_gateway, pushadd_to_gateway

log = logging.getLogger(__name__)


class PushgatewayPusher:
    """Pushes one registry under grouping key ``job=<job>``.

    ``replace=True`` (PUT) replaces the job's whole group — used after a successful run so
    the group holds exactly that run's figures; ``replace=False`` (POST) adds to it —
    used after a failure, so the last success timestamp survives.
    """

    def __init__(self, url: str, job: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.job = job
        self.timeout = timeout

    def push(self, registry: CollectorRegistry, *, replace: bool = True) -> None:
        push = push_to_gateway if replace else pushadd_to_gateway
        push(self.url, job=self.job, registry=registry, timeout=self.timeout)
        log.info("pushed metrics to %s (job=%s)", self.url, self.job)
