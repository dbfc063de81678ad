"""A mailbox with no warehouse still gets ats.* and a risk; the job pushes its metrics to a Pushgateway."""

from __future__ import annotations

import time

import pytest

from applylens_ats.bootstrap import run_once
from applylens_ats.domain import normalize_stage

from .conftest import NOW, make_env, new_database

pytestmark = pytest.mark.integration


async def test_without_a_warehouse_the_notification_emails_are_enough(database_factory, demo) -> None:
    env = await make_env(await new_database(database_factory), demo, warehouse=False)
    try:
        assert env.services.warehouse is None
        report = await run_once(env.settings, as_of=NOW, services=env.services)
        state = await env.snapshot()
    finally:
        await env.services.close()
    assert report.written > 0
    for app in demo.truth["applications"]:
        expected_system = {"direct": "inferred"}.get(app["system"], app["system"])
        for email_id in app["email_ids"]:
            got = state[(app["user_id"], email_id)]
            assert got is not None, (app["system"], app["company"], email_id)
            assert got["application_id"].startswith("inferred:")
            assert got["application_id"].endswith(app["application_id"].lower())
            assert got["company"] == app["company"]
            assert got["stage"] == normalize_stage(app["current_stage"]).value
            assert got["system"] == expected_system or app["system"] == "workday"  # recruiter mail only
            assert 0.0 <= got["ghosting_risk"] <= 1.0
            if got["stage"] in ("Rejected",):
                assert got["ghosting_risk"] == 0.0


async def test_the_job_pushes_its_metrics_to_the_pushgateway(database_factory, demo, pushgateway_url,
                                                              pushed_metrics) -> None:
    env = await make_env(await new_database(database_factory), demo, pushgateway_url=pushgateway_url)
    started = time.time()
    try:
        report = await run_once(env.settings, as_of=NOW, services=env.services)
    finally:
        await env.services.close()
    pushed = pushed_metrics("ats-enricher")
    assert report.written > 0 and pushed["ats_enriched_total"] == report.written
    assert started <= pushed["applylens_job_last_success_timestamp_seconds"] <= time.time()
