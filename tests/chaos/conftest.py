"""Fixtures of the fault tests, and their opt-in.

The fault tests take minutes (processes killed and restarted, a database and a broker
restarted, 20k-event streams), so a plain ``pytest`` (``make test``, ``make unit``,
``make integration``) leaves them out; they run when the marker expression names them
(``make chaos`` = ``pytest -m chaos``) or when a path under tests/chaos is given.
Deselecting here instead of ``-m "not chaos"`` in addopts keeps working when a make target
passes its own ``-m``, which would replace the one in addopts.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# --import-mode=importlib puts no test folder on sys.path: make the harness importable.
sys.path.insert(0, str(Path(__file__).parent))

from chaos_harness import Broker, ServiceProcess  # noqa: E402

HERE = Path(__file__).parent.resolve()


def _asked_for_chaos(config: pytest.Config) -> bool:
    if "chaos" in (config.option.markexpr or ""):
        return True
    for arg in config.args:
        path = Path(arg.split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _asked_for_chaos(config):
        return
    chaos = [item for item in items if item.get_closest_marker("chaos") is not None]
    if chaos:
        config.hook.pytest_deselected(items=chaos)
        items[:] = [item for item in items if item.get_closest_marker("chaos") is None]


@pytest.fixture
def chaos_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def broker(chaos_dir: Path) -> Iterator[Broker]:
    """A memory-storage tansu broker only this test uses: its topics hold this test's records only."""
    owned = Broker(chaos_dir / "tansu.log").start()
    try:
        yield owned
    finally:
        owned.kill()


@pytest.fixture
def processes(request: pytest.FixtureRequest) -> Iterator[list[ServiceProcess]]:
    """Register service processes here; they are stopped at the end and their logs shown on failure."""
    started: list[ServiceProcess] = []
    yield started
    for process in started:
        process.stop()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for process in started:
            print(f"\n--- {process.name} log ({process.log_path}) ---\n{process.log_tail(8000)}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
