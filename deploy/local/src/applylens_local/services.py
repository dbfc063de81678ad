"""The services of the local stack: how to build each one's app and run each one's commands."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from fastapi import FastAPI


@dataclass(frozen=True)
class ServiceSpec:
    name: str  # short name, also the package suffix: applylens_<name>
    script: str  # console script
    settings_class: str
    http_prefix: str | None  # where the gateway serves its API; None = no user-facing HTTP
    consumer: bool  # runs a Kafka consumer process of its own
    migrates: bool = True  # has tables (or the index) to migrate: `<script> migrate`

    @property
    def package(self) -> str:
        return f"applylens_{self.name}"

    def settings(self):  # type: ignore[no-untyped-def]
        module = importlib.import_module(f"{self.package}.settings")
        return getattr(module, self.settings_class)()

    def api_app(self) -> FastAPI:
        """The service's HTTP app without its consumer (the consumer runs in its own process)."""
        bootstrap = importlib.import_module(f"{self.package}.bootstrap")
        return bootstrap.build_app(self.settings(), consume=False, serve_api=True)


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("learner", "applylens-learner", "LearnerSettings", "/learner", consumer=True),
    ServiceSpec("policy", "applylens-policy", "PolicySettings", "/policy", consumer=True),
    ServiceSpec("money", "applylens-money", "MoneySettings", "/money", consumer=True),
    ServiceSpec("rag", "applylens-rag", "RagSettings", "/chat", consumer=False, migrates=False),
    ServiceSpec("ats", "applylens-ats", "AtsSettings", None, consumer=True),
)


def gateway_routes() -> dict[str, FastAPI]:
    return {spec.http_prefix: spec.api_app() for spec in SERVICES if spec.http_prefix}
