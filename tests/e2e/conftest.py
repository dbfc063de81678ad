"""The running stack every e2e test walks: `applylens up` as a subprocess on real ports.

Test files run in name order: the smoke walk, then security, then stop-and-restart
(which ends the stack).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from applylens_local import infra
from applylens_local.infra import free_port

APPLYLENS = str(Path(sys.executable).parent / "applylens")


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last value {last!r}")


def stack_env(state: Path) -> dict[str, str]:
    """A user's shell: no infrastructure variables, so the stack starts (or finds) its own."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "JWT_SECRET")}
    env["APPLYLENS_STATE_DIR"] = str(state)
    return env


def start_stack(state: Path, *args: str) -> subprocess.Popen[bytes]:
    with (state / "up.log").open("ab") as log:
        return subprocess.Popen([APPLYLENS, "up", "--port", str(free_port()), *args], env=stack_env(state),
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def read_stack_json(state: Path, process: subprocess.Popen[bytes], timeout: float) -> dict:
    def ready() -> dict | None:
        if process.poll() is not None:
            tail = (state / "up.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"applylens up exited with {process.returncode}:\n{tail}")
        path = state / "stack.json"
        return json.loads(path.read_text()) if path.exists() else None

    return wait_for(ready, timeout, "stack.json")


def stop_stack(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def client(info: dict, token: str | None = None) -> httpx.Client:
    return httpx.Client(base_url=info["base_url"], timeout=30,
                        headers={"Authorization": f"Bearer {token or info['token']}"})


@pytest.fixture(scope="package")
def stack():  # type: ignore[no-untyped-def]
    with infra.scratch_dir("applylens-test-stack-") as state:
        process = start_stack(state)
        try:
            yield read_stack_json(state, process, timeout=300), process, state
        finally:
            stop_stack(process)
            print((state / "up.log").read_text(errors="replace")[-5000:])
