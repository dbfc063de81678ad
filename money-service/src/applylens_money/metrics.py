"""money-service's own Prometheus metrics (no per-user labels)."""

from __future__ import annotations

from prometheus_client import Counter

EXTRACTED = Counter(
    "money_extracted_total",
    "Emails whose money fields were extracted and stored, by outcome (receipt, not_receipt).",
    ["outcome"],
)
CSV_ROWS = Counter("money_csv_rows_total", "Receipt rows written to CSV exports.")
