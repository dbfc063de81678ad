"""The enricher's configuration: every variable, read once at start (see the README's table)."""

from __future__ import annotations

from pydantic import Field

from applylens_contracts.settings import ServiceSettings

from .domain import MATCH_THRESHOLD


class AtsSettings(ServiceSettings):
    service_name: str = "ats-enricher"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8005, ge=1, le=65535)

    # The warehouse Fivetran syncs Greenhouse/Lever into; defaults to DATABASE_URL.
    # "none" disables it: every user is enriched by inference from the notification emails.
    warehouse_url: str | None = None
    warehouse_greenhouse_schema: str = "greenhouse"
    warehouse_lever_schema: str = "lever"
    warehouse_ats_schema: str = "applylens_ats"


    ats_match_threshold: float = Field(default=MATCH_THRESHOLD, gt=0, le=1)
    ats_batch_size: int = Field(default=1000, ge=1, le=10_000)
    ats_consumer_group: str = "ats-enricher"
    # New mail the run re-checks although the consumer should have enriched it already.
    ats_new_mail_lookback_hours: float = Field(default=48.0, ge=0)
    # Decimal places of ats.ghosting_risk: a rounded risk only changes (and is rewritten) when it moves.
    ats_risk_decimals: int = Field(default=3, ge=1, le=6)

    @property
    def resolved_warehouse_url(self) -> str | None:
        if self.warehouse_url and self.warehouse_url.lower() == "none":
            return None
        return self.warehouse_url or self.database_url
