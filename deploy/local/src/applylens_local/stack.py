"""`applylens up`: the whole system on one machine, one command.

Starts the broker and the database (or uses KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL /
ELASTICSEARCH_URL), applies every service's migrations, runs each consumer in its own
process and consumer group, serves every HTTP path from one gateway process, loads
the demo mailbox and warehouse, runs the ATS enrichment once, publishes a stream of
proposals and decisions, and runs the 02:00 and 02:15 jobs on schedule.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import infra
from .services import SERVICES
from .supervisor import Supervisor, run_command

DATABASE_NAME = "applylens"
DEMO_USERS = ("demo@example.com", "alex@example.com")
EVENT_NAMESPACE = uuid.UUID("6a1f0c9e-8a55-4d0e-9d7c-3b1c0de5a11e")


@dataclass
class StackInfo:
    base_url: str
    chat_url: str
    token: str
    user_id: str
    kafka_bootstrap: str
    database_url: str
    elasticsearch_url: str | None
    state_dir: str
    pid: int
    metrics_urls: list[str]


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


def wait_ready(url: str, timeout: float = 90.0, dead: Callable[[], list] = list) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if dead():
            raise RuntimeError(f"a process died while starting: {[c.name for c in dead()]}; see the logs folder")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except Exception as exc:  # not up yet
            last = str(exc)
        time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {timeout:.0f}s: {last}")


def script(name: str) -> str:
    """A console script of this environment (the one running us), falling back to PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else (shutil.which(name) or name)


async def publish_demo_decisions(bootstrap: str, mailbox_paths: dict[str, Path]) -> int:
    """Publish the demo decision stream; ids are derived from the content so a restart republishes nothing new."""
    from applylens_contracts.publisher import connect_publisher
    from applylens_index.ingest import iter_parsed

    from .demo_stream import decision_stream

    docs = [r.doc for user, path in mailbox_paths.items() for r in iter_parsed(path, user) if r.ok]
    count = 0
    async with connect_publisher(bootstrap, source="/demo") as publisher:
        for event in decision_stream(docs):
            event_id = str(uuid.uuid5(EVENT_NAMESPACE, f"{event.ce_type}:{event.user_id}:{event.action_id}"))
            await publisher.publish(event, event_id=event_id, time=event.occurred_at)
            count += 1
    return count


def load_demo(state: Path, env: dict[str, str], log: Callable[[str], None]) -> None:
    from applylens_index.ingest.demo import MBOX_NAME, write_demo

    demo_dir = state / "demo"
    if not (demo_dir / "ground_truth.json").exists():  # written once: a restart keeps the same mail
        log("writing the demo mailbox …")
        write_demo(demo_dir, fmt="mbox", users=list(DEMO_USERS), messages_per_user=300,
                   now=datetime.now(timezone.utc).replace(microsecond=0))
    mailboxes = {user: demo_dir / user / MBOX_NAME for user in DEMO_USERS}
    logs = state / "logs"
    for user, path in mailboxes.items():
        log(f"importing {path.name} for {user} …")
        run_command([script("applylens"), "import", str(path), "--user", user], env, logs / "import.log")
    log("loading the demo ATS warehouse and running the enrichment …")
    run_command([script("applylens-ats"), "warehouse-init"], env, logs / "ats-job.log")
    run_command([script("applylens-ats"), "warehouse-demo", "--truth", str(demo_dir / "ground_truth.json")], env,
                logs / "ats-job.log")
    run_command([script("applylens-ats"), "run"], env, logs / "ats-job.log")
    run_command([script("applylens-money"), "extract"], env, logs / "money-extract.log")
    log("publishing proposals and decisions …")
    count = asyncio.run(publish_demo_decisions(env["KAFKA_BOOTSTRAP_SERVERS"], mailboxes))
    log(f"published {count} action events")


def start_scheduler(env: dict[str, str], logs: Path):  # type: ignore[no-untyped-def]
    """The seed's schedules, in process: 02:00 ATS enrichment, 02:15 policy stats recompute."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(run_command, CronTrigger(hour=2, minute=0),
                      args=[[script("applylens-ats"), "run"], env, logs / "ats-job.log"], id="ats-enrich")
    scheduler.add_job(run_command, CronTrigger(hour=2, minute=15),
                      args=[[script("applylens-policy"), "recompute-stats"], env, logs / "policy-job.log"],
                      id="policy-recompute")
    scheduler.start()
    return scheduler


def run_stack(*, port: int = 8080, demo: bool = True, log: Callable[[str], None] = print,
              on_ready: Callable[[StackInfo], None] | None = None) -> None:
    state = state_dir()
    existing = running_stack(state)
    if existing:
        raise SystemExit(f"a stack is already running (pid {existing['pid']}) at {existing.get('base_url')}; "
                         f"stop it with Ctrl-C there, or use another APPLYLENS_STATE_DIR")
    state.mkdir(parents=True, exist_ok=True)
    logs = state / "logs"
    secret = jwt_secret(state)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    supervisor = Supervisor(logs)
    scheduler = None
    with infra.kafka(logs) as bootstrap, infra.postgres(state) as server:
        database_url = asyncio.run(infra.ensure_database(server, DATABASE_NAME))
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "DATABASE_URL": database_url,
            "JWT_SECRET": secret,
            "LOG_JSON": os.environ.get("LOG_JSON", "false"),
            "APPLYLENS_STATE_DIR": str(state),
        }
        try:
            log("applying migrations …")
            for spec in SERVICES:
                if spec.migrates:
                    run_command([script(spec.script), "migrate"], env, logs / "migrations.log")
            metrics_urls = [f"http://127.0.0.1:{port}/metrics"]
            for spec in SERVICES:
                if spec.consumer:
                    consumer_port = infra.free_port()
                    supervisor.start(f"{spec.name}-consumer", [script(spec.script), "serve", "--role", "consumer",
                                     "--host", "127.0.0.1", "--port", str(consumer_port)], env)
                    metrics_urls.append(f"http://127.0.0.1:{consumer_port}/metrics")
            supervisor.start("gateway", [sys.executable, "-m", "applylens_local", "gateway", "--host", "127.0.0.1",
                                         "--port", str(port)], env)
            base_url = f"http://127.0.0.1:{port}"
            wait_ready(f"{base_url}/readyz", dead=supervisor.dead)
            if demo:
                load_demo(state, env, log)
            from applylens_contracts.identity import mint_token

            info = StackInfo(
                base_url=base_url, chat_url=f"{base_url}/chat", user_id=DEMO_USERS[0],
                token=mint_token(DEMO_USERS[0], secret, ttl_seconds=7 * 24 * 3600),
                kafka_bootstrap=bootstrap, database_url=database_url,
                elasticsearch_url=os.environ.get("ELASTICSEARCH_URL"), state_dir=str(state), pid=os.getpid(),
                metrics_urls=metrics_urls,
            )
            (state / "stack.json").write_text(json.dumps(asdict(info), indent=2))
            scheduler = start_scheduler(env, logs)
            if on_ready:
                on_ready(info)
            while not stop.wait(1.0):
                if supervisor.dead():
                    names = ", ".join(c.name for c in supervisor.dead())
                    log(f"stopping: {names} exited; see {logs}")
                    break
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            supervisor.stop_all()
            (state / "stack.json").unlink(missing_ok=True)
