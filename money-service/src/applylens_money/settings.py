"""money-service configuration: every variable, read once at start (see the README's table)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from applylens_contracts.settings import ServiceSettings


class MoneySettings(ServiceSettings):
    service_name: str = "money-service"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8003, ge=1, le=65535)

    # The email.ingested consumer's group (extraction of newly ingested mail).
    money_consumer_group: str = "money-service"
    # Extraction: emails read and written per index round trip.
    money_extract_batch: int = Field(default=500, ge=1, le=5000)
    # CSV rows come from money-service's receipts table ("ledger": a server-side cursor, fast at
    # any size) or from the emails index's keyset stream ("index"). Both hold what one
    # extraction wrote. See the README (the PostgreSQL engine's stream is slow past ~20k rows).
    money_csv_source: Literal["ledger", "index"] = "ledger"
    # CSV: documents fetched per index page while streaming (memory is about this many documents).
    money_csv_page: int = Field(default=500, ge=1, le=5000)
    # /money/duplicates?window_days= upper bound.
    money_max_window_days: int = Field(default=365, ge=1)
    # Apply money-service's own migrations (money_receipts) at start.
    money_migrate_on_start: bool = True
