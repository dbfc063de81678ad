"""`applylens up` as a new user runs it: a subprocess on real ports, walked like the seed's smoke tests.

Replaces the seed's PowerShell smoke script, which printed ✗ but never failed: every
step here asserts. The stack starts its own embedded PostgreSQL and broker, exactly
like the README's quick start.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from applylens_local.infra import free_port

pytestmark = pytest.mark.e2e

SEED_METRICS = (
    "user_weight_updates_total",
    "policy_fired_total",
    "policy_approved_total",
    "policy_rejected_total",
    "ats_enriched_total",
)


def _wait_for(predicate, timeout: float, what: str, interval: float = 1.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last value {last!r}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    state = tmp_path_factory.mktemp("stack")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}
    env["APPLYLENS_STATE_DIR"] = str(state)
    port = free_port()
    command = [str(Path(sys.executable).parent / "applylens"), "up", "--port", str(port)]
    log = (state / "up.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        info = _wait_for(
            lambda: (state / "stack.json").exists() and json.loads((state / "stack.json").read_text()),
            timeout=300,
            what="stack.json (see up.log in the state folder)" if process.poll() is None
            else f"a stack that exited with {process.returncode}",
        )
        yield info, process, state
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()
        print((state / "up.log").read_text(errors="replace")[-5000:])


def _client(info: dict) -> httpx.Client:
    return httpx.Client(base_url=info["base_url"], headers={"Authorization": f"Bearer {info['token']}"}, timeout=30)


def test_stack_json_has_what_scripts_need(stack):  # type: ignore[no-untyped-def]
    info, _, state = stack
    assert {"base_url", "token", "user_id", "kafka_bootstrap", "database_url"} <= set(info)
    assert httpx.get(f"{info['base_url']}/readyz", timeout=10).status_code == 200
    # A second `up` on the same state folder says a stack is running, instead of failing obscurely.
    env = dict(os.environ, APPLYLENS_STATE_DIR=str(state))
    second = subprocess.run([str(Path(sys.executable).parent / "applylens"), "up"], env=env,
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
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "JWT_SECRET")}
    env["APPLYLENS_STATE_DIR"] = str(state)
    applylens = str(Path(sys.executable).parent / "applylens")
    imported = subprocess.run([applylens, "import", str(files.mboxes[me]), "--user", me], env=env,
                              capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0, imported.stderr
    token = subprocess.run([applylens, "token", "--user", me], env=env, capture_output=True, text=True,
                           timeout=60).stdout.strip()
    with httpx.Client(base_url=info["base_url"], headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
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


def test_ctrl_c_stops_everything(stack):  # type: ignore[no-untyped-def]
    info, process, state = stack
    os.killpg(process.pid, signal.SIGINT)
    process.wait(90)
    assert not (state / "stack.json").exists()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{info['base_url']}/healthz", timeout=3)


def test_a_restart_keeps_the_data(stack):  # type: ignore[no-untyped-def]
    """After Ctrl-C, `applylens up --no-demo` on the same state folder serves what was learned before."""
    info, process, state = stack
    assert process.poll() is not None, "runs after test_ctrl_c_stops_everything"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}
    env["APPLYLENS_STATE_DIR"] = str(state)
    port = free_port()
    with (state / "restart.log").open("wb") as log:
        again = subprocess.Popen([str(Path(sys.executable).parent / "applylens"), "up", "--no-demo", "--port", str(port)],
                                 env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        restarted = _wait_for(lambda: (state / "stack.json").exists() and json.loads((state / "stack.json").read_text()),
                              timeout=180, what="the restarted stack")
        assert restarted["database_url"] == info["database_url"]
        with httpx.Client(base_url=restarted["base_url"], timeout=30,
                          headers={"Authorization": f"Bearer {info['token']}"}) as client:  # the old token still verifies
            weights = client.get("/learner/weights", params={"limit": 5})
            receipts = client.get("/money/receipts.csv")
        assert weights.status_code == 200 and weights.json()["weights"], weights.text
        assert len(receipts.text.splitlines()) > 5
    finally:
        os.killpg(again.pid, signal.SIGINT)
        try:
            again.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(again.pid, signal.SIGKILL)
