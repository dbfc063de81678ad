"""`applylens up`: the local stack in one process tree.

Today it starts the infrastructure (broker and database) and writes ``stack.json``;
the services join it as they land (see the README's quick start).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from . import infra

DATABASE_NAME = "applylens"


@dataclass
class StackInfo:
    kafka_bootstrap: str
    database_url: str
    state_dir: str
    jwt_secret_file: str
    pid: int


def state_dir() -> Path:
    return Path(os.environ.get("APPLYLENS_STATE_DIR", ".applylens")).resolve()


def jwt_secret(state: Path) -> str:
    """The local stack's signing secret: made once, kept in the state folder (never in the repo)."""
    path = state / "jwt_secret"
    if not path.exists():
        state.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def running_stack(state: Path) -> dict | None:
    """The stack.json of a stack that is still running, if any."""
    path = state / "stack.json"
    if not path.exists():
        return None
    info = json.loads(path.read_text())
    try:
        os.kill(int(info.get("pid", -1)), 0)
    except (OSError, ValueError):
        return None
    return info


def run_infrastructure(on_ready=None) -> None:  # type: ignore[no-untyped-def]
    """Start broker and database, write stack.json, block until SIGINT/SIGTERM, then stop everything."""
    state = state_dir()
    existing = running_stack(state)
    if existing:
        raise SystemExit(
            f"a stack is already running (pid {existing['pid']}, state {state}); stop it with Ctrl-C there first"
        )
    state.mkdir(parents=True, exist_ok=True)
    secret = jwt_secret(state)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with infra.kafka(state / "logs") as bootstrap, infra.postgres(state) as server:
        database_url = asyncio.run(infra.ensure_database(server, DATABASE_NAME))
        info = StackInfo(bootstrap, database_url, str(state), str(state / "jwt_secret"), os.getpid())
        (state / "stack.json").write_text(json.dumps(asdict(info), indent=2))
        try:
            if on_ready:
                on_ready(info, secret)
            stop.wait()
        finally:
            (state / "stack.json").unlink(missing_ok=True)
