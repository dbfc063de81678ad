"""The enricher's Prometheus metrics (the consumer's batch, lag and DLQ metrics are the platform's).

``ats_enriched_total`` is the seed's name: documents whose ``ats.*`` was written (a
document whose fields did not change is not rewritten and not counted). Its one label,
``source``, is bounded: ``warehouse`` or ``inferred``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

ATS_ENRICHED = Counter(
    "ats_enriched_total",
    "Email documents whose ats.* fields were written, by source (warehouse, inferred).",
    ["source"],
)
for _source in ("warehouse", "inferred"):  # exported at 0 from the start: rate() and alerts see the series
    ATS_ENRICHED.labels(source=_source)
ATS_CLEARED = Counter(
    "ats_cleared_total",
    "Email documents whose ats.* fields were removed (the application vanished or no longer matches).",
)
ATS_CONSUMED = Counter(
    "ats_consumer_emails_total",
    "email.ingested events handled, by outcome (enriched, unchanged_or_no_match, missing, duplicate).",
    ["outcome"],
)

JOB_NAME = "ats-enricher"


class JobMetrics:
    """What one run of the 02:00 job pushes to the Pushgateway, on the run's own registry (nothing else leaks in);
    the last-success/failure time and the duration are added by ``applylens_platform.pushgateway.pushed_job``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.enriched = Counter(
            "ats_enriched_total", "Email documents whose ats.* fields this run wrote.", registry=registry
        )
        self.mailboxes = Gauge("ats_job_mailboxes", "Mailboxes the job's last run visited.", registry=registry)
