"""Fixtures of the deploy checks: the rendered kustomize overlays."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

# --import-mode=importlib puts no test folder on sys.path: make the helpers importable.
sys.path.insert(0, str(Path(__file__).parent))

from _deploy_manifests import K8S, OVERLAYS  # noqa: E402


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """``kubectl kustomize`` of the base and each overlay, keyed by its path under deploy/k8s.

    Rendered from a copy of deploy/k8s in which the dev overlay's gitignored
    secrets.env is made from secrets.env.example, as a developer would.
    """
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (with its built-in kustomize) is not installed; CI images ship it")
    tree = tmp_path_factory.mktemp("k8s") / "k8s"
    shutil.copytree(K8S, tree, ignore=shutil.ignore_patterns("secrets.env"))
    dev = tree / "overlays/dev"
    shutil.copy(dev / "secrets.env.example", dev / "secrets.env")
    out: dict[str, list[dict]] = {}
    for name in OVERLAYS:
        proc = subprocess.run([kubectl, "kustomize", str(tree / name)], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"kustomize {name} failed:\n{proc.stderr}"
        out[name] = [doc for doc in yaml.safe_load_all(proc.stdout) if doc is not None]
    return out
