"""The 02:00 job against the real PostgreSQL index and a Fivetran-shaped warehouse filled from the demo."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from applylens_ats.bootstrap import run_once
from applylens_ats.domain import ghosting_risk, normalize_stage
from applylens_ats.domain.companies import company_key

from .conftest import NOW, Env, make_env, new_database

pytestmark = pytest.mark.integration


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def expected_ats(app: dict, as_of: datetime) -> dict:
    """What the warehouse says about a truth application, as ats.* (independent of the enricher's code paths)."""
    stage = normalize_stage(app["current_stage"])
    last_change = _ts(app["stage_history"][-1]["at"])
    interviews = sorted(_ts(i["scheduled_at"]) for i in app["interviews"])
    upcoming = [t for t in interviews if t > as_of]
    past = [t for t in interviews if t <= as_of]
    next_at, last_at = (upcoming[0] if upcoming else None), (past[-1] if past else None)
    risk = ghosting_risk(stage, now=as_of, last_stage_change=last_change,
                         next_interview_at=next_at, last_interview_at=last_at)
    return {
        "system": app["system"],
        "application_id": app["application_id"],
        "stage": stage.value,
        "last_stage_change": last_change,
        "interview_date": next_at or last_at,
        "company": app["company"],
        "ghosting_risk": round(risk, 3),
    }


async def test_demo_warehouse_gives_exactly_the_expected_ats_fields(env: Env) -> None:
    report = await run_once(env.settings, as_of=NOW, services=env.services)
    truth = env.demo.truth
    state = await env.snapshot()
    application_emails = set()
    direct_per_company = Counter((a["user_id"], a["company"]) for a in truth["applications"] if a["system"] == "direct")
    checked = Counter()
    for app in truth["applications"]:
        for email_id in app["email_ids"]:
            application_emails.add((app["user_id"], email_id))
            got = state[(app["user_id"], email_id)]
            assert got is not None, f"{app['system']} {app['company']} email {email_id} has no ats"
            if app["system"] == "direct":  # not in any ATS: inferred from the emails
                assert got["system"] == "inferred"
                assert got["company"] == app["company"]
                assert got["application_id"] == f"inferred:{company_key(app['company'])}:{app['application_id']}"
                assert got["stage"] == normalize_stage(app["current_stage"]).value
                assert 0.0 <= got["ghosting_risk"] <= 1.0
                checked["direct"] += 1
            else:
                assert got == expected_ats(app, NOW), (app["system"], app["company"], email_id)
                checked[app["system"]] += 1
    assert set(checked) == {"greenhouse", "lever", "workday", "direct"}
    # Nothing else in the mailbox is an application email (promos, receipts, newsletters ...).
    assert {key for key, value in state.items() if value is not None} == application_emails
    assert report.written == len(application_emails)
    assert direct_per_company  # the demo does exercise the fallback

    rerun = await run_once(env.settings, as_of=NOW, services=env.services)
    assert rerun.written == 0 and rerun.full_passes == 0  # nothing changed: nothing rewritten


async def test_incremental_run_touches_only_what_changed(env: Env) -> None:
    await run_once(env.settings, as_of=NOW, services=env.services)
    truth = env.demo.truth
    gh = next(a for a in truth["applications"] if a["system"] == "greenhouse"
              and a["current_stage"] in ("Applied", "Recruiter Screen", "Phone Screen"))
    alice = gh["user_id"]
    lever = next(a for a in truth["applications"] if a["user_id"] == alice and a["system"] == "lever")
    moved_at = NOW - timedelta(hours=1)
    async with env.services.pool.acquire() as conn:
        # Greenhouse moves an application to the onsite stage; Fivetran syncs it.
        onsite = int(gh["job_id"]) * 10 + 3
        await conn.execute("UPDATE greenhouse.application SET current_stage_id = $2, _fivetran_synced = now() "
                           "WHERE id = $1", int(gh["application_id"]), onsite)
        await conn.execute("INSERT INTO greenhouse.application_history (application_id, updated_at, new_stage_id, "
                           "new_status) VALUES ($1, $2, $3, 'active')", int(gh["application_id"]), moved_at, onsite)
        # Lever deletes an opportunity: Fivetran soft-deletes the row (the view no longer shows it).
        await conn.execute("UPDATE lever.opportunity SET _fivetran_deleted = true, _fivetran_synced = now() "
                           "WHERE id = $1", lever["application_id"])

    written: list[tuple[str, str]] = []
    real_update = env.services.index.update_partial

    async def recording(user_id, updates):
        written.extend((user_id, doc_id) for doc_id, _ in updates)
        return await real_update(user_id, updates)

    env.services.index.update_partial = recording  # type: ignore[method-assign]
    report = await run_once(env.settings, as_of=NOW, services=env.services)

    assert report.full_passes == 1 and report.mailboxes == 2  # alice fully, bob only new mail + risk refresh
    assert {user for user, _ in written} == {alice}
    assert set(written) == {(alice, e) for e in gh["email_ids"] + lever["email_ids"]}
    state = await env.snapshot()
    for email_id in gh["email_ids"]:
        got = state[(alice, email_id)]
        assert got["stage"] == "Onsite" and got["last_stage_change"] == moved_at
    for email_id in lever["email_ids"]:  # gone from the warehouse: only what the emails themselves say remains
        got = state[(alice, email_id)]
        assert got is None or got["application_id"].startswith("inferred:")


async def test_a_crash_mid_run_and_a_rerun_give_the_same_final_state(database_factory, demo) -> None:
    clean = await make_env(await new_database(database_factory), demo, ats_batch_size=25)
    crashed = await make_env(await new_database(database_factory), demo, ats_batch_size=25)
    try:
        await run_once(clean.settings, as_of=NOW, services=clean.services)
        expected = await clean.snapshot()

        flushes = 0

        async def crash_after_three(count: int) -> None:
            nonlocal flushes
            flushes += 1
            if flushes == 3:
                raise RuntimeError("injected crash after 3 batches")

        with pytest.raises(RuntimeError, match="injected crash"):
            await run_once(crashed.settings, as_of=NOW, services=crashed.services, after_flush=crash_after_three)
        partial = await crashed.snapshot()
        assert partial != expected  # the crash really stopped it half-way

        # The rerun resumes the same run (same risk clock, even when started later).
        report = await run_once(crashed.settings, as_of=NOW + timedelta(days=3), services=crashed.services)
        assert report.resumed and report.as_of == NOW
        assert await crashed.snapshot() == expected
    finally:
        await clean.services.close()
        await crashed.services.close()


async def test_daily_run_refreshes_the_risk_of_active_applications_only(env: Env) -> None:
    await run_once(env.settings, as_of=NOW, services=env.services)
    before = await env.snapshot()
    report = await run_once(env.settings, as_of=NOW + timedelta(days=10), services=env.services)
    after = await env.snapshot()
    assert report.full_passes == 0
    changed = {key for key in before if before[key] != after[key]}
    assert changed, "ten days later some active application must look riskier"
    for key in changed:
        assert before[key]["stage"] not in ("Rejected", "Hired", "Withdrawn")
        assert after[key]["ghosting_risk"] >= before[key]["ghosting_risk"]
        assert {k: v for k, v in after[key].items() if k != "ghosting_risk"} == \
               {k: v for k, v in before[key].items() if k != "ghosting_risk"}
