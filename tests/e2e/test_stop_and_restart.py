"""Ctrl-C stops everything cleanly; the state folder's database survives a restart. Runs last: it ends the stack."""

from __future__ import annotations

import os
import signal

import httpx
import pytest

from .conftest import client, read_stack_json, start_stack, stop_stack

pytestmark = pytest.mark.e2e


def test_ctrl_c_stops_everything(stack):  # type: ignore[no-untyped-def]
    info, process, state = stack
    os.killpg(process.pid, signal.SIGINT)
    process.wait(90)
    assert process.returncode == 0
    assert not (state / "stack.json").exists()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{info['base_url']}/healthz", timeout=3)


def test_a_restart_keeps_the_data(stack):  # type: ignore[no-untyped-def]
    """After Ctrl-C, `applylens up --no-demo` on the same state folder serves what was learned before."""
    info, process, state = stack
    assert process.poll() is not None, "runs after test_ctrl_c_stops_everything"
    again = start_stack(state, "--no-demo")
    try:
        restarted = read_stack_json(state, again, timeout=180)
        assert restarted["database_url"] == info["database_url"]
        with client(restarted, info["token"]) as http:  # the old token still verifies: the secret is kept
            weights = http.get("/learner/weights", params={"limit": 5})
            receipts = http.get("/money/receipts.csv")
        assert weights.status_code == 200 and weights.json()["weights"], weights.text
        assert len(receipts.text.splitlines()) > 5
    finally:
        stop_stack(again)
