"""60 s of concurrent requests on money mode and chat of the running stack, as two users: zero errors."""

from __future__ import annotations

import asyncio

import pytest

from applylens_contracts.identity import mint_token
from applylens_local.load import MIX, run_load

pytestmark = pytest.mark.e2e

SECONDS = 60.0


def test_sixty_seconds_of_concurrent_money_and_chat_requests_without_an_error(stack):  # type: ignore[no-untyped-def]
    info, _, state = stack
    other = mint_token("alex@example.com", (state / "jwt_secret").read_text().strip())
    report = asyncio.run(run_load(info["base_url"], [info["token"], other], seconds=SECONDS, concurrency=16))
    print("\n".join(f"{k}: {v}" for k, v in report.figures().items()))
    assert report.error_count == 0, report.error_samples
    assert set(report.latencies) == set(MIX)  # every kind of request was made
    assert report.seconds >= SECONDS and report.requests >= 100
