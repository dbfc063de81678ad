"""`applylens up` as a new user runs it: a subprocess on real ports, walked like the seed's smoke tests.

Replaces the seed's PowerShell smoke script, which printed ✗ but never failed: every
step here asserts. The stack starts its own embedded PostgreSQL and broker, exactly
like the README's quick start.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from .conftest import APPLYLENS, client as _client, stack_env, wait_for as _wait_for

pytestmark = pytest.mark.e2e

SEED_METRICS = (
    "user_weight_updates_total",
    "policy_fired_total",
    "policy_approved_total",
    "policy_rejected_total",
    "ats_enriched_total",
)




def test_stack_json_has_what_scripts_need(stack):  # type: ignore[no-untyped-def]
    info, _, state = stack
    assert {"base_url", "token", "user_id", "kafka_bootstrap", "database_url"} <= set(info)
    assert httpx.get(f"{info['base_url']}/readyz", timeout=10).status_code == 200
    # A second `up` on the same state folder says a stack is running, instead of failing obscurely.
    second = subprocess.run([APPLYLENS, "up"], env=stack_env(state),
                            capture_output=True, text=True, timeout=60)
    assert second.returncode != 0
    assert "already running" in (second.stdout + second.stderr)


def test_money_receipts_csv(stack):  # type: ignore[no-untyped-def]
    info, _, _ = stack
    with _client(info) as client:
        response = client.get("/money/receipts.csv")
    assert response.status_code == 200
    assert re.fullmatch(r'attachment; filename="?receipts_\d{8}\.csv"?', response.headers["content-disposition"])
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:6] == ["date", "merchant", "amount", "email_id", "subject", "category"]
    assert len(rows) > 5


def test_money_duplicates_and_summary(stack):  # type: ignore[no-untyped-def]
    info, _, _ = stack
    with _client(info) as client:
        duplicates = client.get("/money/duplicates", params={"window_days": 7}).json()
        summary = client.get("/money/summary").json()
    assert duplicates["window_days"] == 7 and duplicates["count"] >= 1
    assert duplicates["count"] == len(duplicates["duplicates"])
    assert float(summary["total_amount"]) > 0 and summary["count"] > 0


def test_decisions_move_weights_and_stats(stack):  # type: ignore[no-untyped-def]
    info, _, _ = stack
    with _client(info) as client:
        stats = _wait_for(lambda: [s for s in client.get("/policy/stats").json() if s["fired"] > 0],
                          timeout=120, what="policy stats from the published decisions")
        weights = _wait_for(lambda: client.get("/learner/weights", params={"limit": 10}).json(),
                            timeout=120, what="learned weights")
    assert [s["fired"] for s in stats] == sorted((s["fired"] for s in stats), reverse=True)
    assert any(s["approved"] > 0 for s in stats)
    assert any(s["precision"] is not None for s in stats)
    assert weights


def test_chat_streams_sources_then_answer(stack):  # type: ignore[no-untyped-def]
    info, _, _ = stack
    with _client(info) as client, client.stream("GET", "/chat/stream", params={"q": "interview", "mode": "networking"}) as r:
        assert r.status_code == 200
        events = [line.split(":", 1)[1].strip() for line in r.iter_lines() if line.startswith("event:")]
    assert events[0] == "sources" and events[-1] == "done"


def test_importing_my_own_mailbox_into_the_running_stack(stack, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`applylens import … --user me@example.com` finds the running stack by itself; receipts reach money mode."""
    from applylens_index.ingest.demo import load_truth, write_demo

    info, _, state = stack
    me = "me@example.com"
    files = write_demo(tmp_path, users=(me,), messages_per_user=60)
    expected = {r["email_id"] for r in load_truth(files.truth_path)["receipts"] if r["user_id"] == me}
    env, applylens = stack_env(state), APPLYLENS
    imported = subprocess.run([applylens, "import", str(files.mboxes[me]), "--user", me], env=env,
                              capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0, imported.stderr
    token = subprocess.run([applylens, "token", "--user", me], env=env, capture_output=True, text=True,
                           timeout=60).stdout.strip()
    with _client(info, token) as client:
        def receipts() -> set[str]:
            response = client.get("/money/receipts.csv")
            assert response.status_code == 200, response.text
            found = {row["email_id"] for row in csv.DictReader(io.StringIO(response.text))}
            return found if found >= expected else set()

        assert _wait_for(receipts, timeout=60, what="my receipts in money mode") == expected
        answer = client.post("/chat", json={"q": "receipt order total", "mode": "money", "k": 5}).json()
    assert answer["sources"] and all(s["id"] for s in answer["sources"])
    my_ids = {e for e, meta in load_truth(files.truth_path)["emails"].items()}
    assert {s["id"] for s in answer["sources"]} <= my_ids  # my mail only


def test_every_seed_metric_is_exported(stack):  # type: ignore[no-untyped-def]
    info, _, _ = stack
    texts = []
    for url in info.get("metrics_urls", [f"{info['base_url']}/metrics"]):
        texts.append(httpx.get(url, timeout=10).text)
    exported = "\n".join(texts)
    missing = [name for name in SEED_METRICS if f"\n{name}" not in exported and not exported.startswith(name)]
    assert not missing, f"not exported: {missing}"
