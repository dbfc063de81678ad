"""Prometheus rules and the Grafana dashboard: valid for promtool, and built only on
metric names the code exports (the seed's names are contract)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from _deploy_manifests import DEPLOY, REPO

RULES = DEPLOY / "prometheus/rules/applylens.rules.yml"
RULES_TEST = DEPLOY / "prometheus/rules/applylens.rules.test.yml"
DASHBOARD = DEPLOY / "grafana/dashboards/applylens.json"

# The names the services export, by owner. The seed's five are contract (SPEC §3);
# the platform's come from applylens_platform.metrics; the job gauge is pushed by the
# two nightly jobs to the Pushgateway.
SEED = {
    "learner": {"user_weight_updates_total"},
    "policy": {"policy_fired_total", "policy_approved_total", "policy_rejected_total"},
    "ats": {"ats_enriched_total"},
}
JOB_GAUGE = "applylens_job_last_success_timestamp_seconds"
PLATFORM = {
    "applylens_consumer_batch_size", "applylens_consumer_batch_seconds", "applylens_consumer_events_total",
    "applylens_consumer_lag", "applylens_consumer_retries_total", "applylens_dlq_messages_total",
    "applylens_dependency_up", "applylens_http_requests_total", "applylens_http_request_seconds",
}
# Series Prometheus makes itself (not exported by any service).
PROMETHEUS_OWN = {"up"}

_PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "by", "without", "on", "ignoring", "group_left", "group_right",
    "rate", "irate", "increase", "delta", "histogram_quantile", "time", "absent", "and", "or", "unless",
    "bool", "offset", "topk", "bottomk", "clamp_min", "clamp_max", "abs", "vector", "scalar",
}


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads (label matchers, groupings, durations and strings removed)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    tokens = set(re.findall(r"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*", expr))
    return {t for t in tokens if t not in _PROMQL_WORDS}


def _family(name: str) -> str:
    """The exported family a sample name belongs to (histogram series end in _bucket/_sum/_count)."""
    return re.sub(r"_(bucket|sum|count)$", "", name)


def rule_exprs() -> list[str]:
    return [r["expr"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]


def dashboard_exprs() -> list[str]:
    return [t["expr"] for p in json.loads(DASHBOARD.read_text())["panels"] for t in p["targets"]]


def used_names() -> set[str]:
    return {n for e in rule_exprs() + dashboard_exprs() for n in metric_names(e)}


def test_expression_parser_finds_names_and_skips_labels() -> None:
    expr = 'sum by (sign) (rate(user_weight_updates_total{sign="plus"}[1h])) / on (x) up'
    assert metric_names(expr) == {"user_weight_updates_total", "up"}


def test_rules_and_dashboard_use_only_exported_metrics() -> None:
    known = set().union(*SEED.values()) | PLATFORM | {JOB_GAUGE} | PROMETHEUS_OWN
    unknown = {n for n in used_names() if _family(n) not in known and n not in known}
    assert not unknown, f"not exported by any service: {sorted(unknown)}"


def _exposed_names(text: str) -> set[str]:
    """Sample names a /metrics text exposes, from its TYPE lines (present even before a first sample)."""
    names = set()
    for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M):
        names.add(name)
        if kind == "histogram":
            names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
        if kind == "counter" and not name.endswith("_total"):
            names.add(f"{name}_total")
    return names


def test_platform_exports_the_names_used() -> None:
    import applylens_platform.metrics  # noqa: F401  (registers the collectors)
    from prometheus_client import REGISTRY, generate_latest

    exposed = _exposed_names(generate_latest(REGISTRY).decode())
    used_platform = {n for n in used_names() if _family(n).startswith("applylens_") and _family(n) != JOB_GAUGE}
    assert used_platform <= exposed, sorted(used_platform - exposed)
    assert PLATFORM <= {_family(n) for n in exposed}


_SCRAPE = """
import asyncio, importlib, os, sys
import httpx
from applylens_contracts.settings import ServiceSettings
os.environ.setdefault("JWT_SECRET", "deploy-check-secret-not-used-for-anything")
pkg = sys.argv[1]
bootstrap = importlib.import_module(pkg + ".bootstrap")
module = importlib.import_module(pkg + ".settings")
settings_cls = next(c for c in vars(module).values() if isinstance(c, type) and issubclass(c, ServiceSettings)
                    and c.__module__ == module.__name__)
app = bootstrap.build_app(settings_cls(), consume=False)
async def main():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        response = await client.get("/metrics")
        response.raise_for_status()
        sys.stdout.write(response.text)
asyncio.run(main())
"""


@pytest.mark.parametrize("service", ["learner", "policy", "money", "rag", "ats"])
def test_each_service_exports_what_the_dashboard_and_rules_read(service) -> None:
    """Each service's own /metrics (one process per service, so no other's collectors leak in)."""
    package = f"applylens_{service}"
    if importlib.util.find_spec(f"{package}.bootstrap") is None:
        pytest.skip(f"{package}.bootstrap does not exist yet (the service is still landing)")
    proc = subprocess.run([sys.executable, "-c", _SCRAPE, package], capture_output=True, text=True, timeout=120,
                          cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    exposed = _exposed_names(proc.stdout)
    expected = (SEED.get(service, set()) & used_names()) | {
        n for n in used_names() if _family(n).startswith("applylens_http_") or n == "applylens_dependency_up"
    }
    assert expected <= exposed, f"{service} does not export {sorted(expected - exposed)}"


# The Pushgateway job label each nightly job pushes under (= its CronJob's name).
NIGHTLY_JOBS = {"ats-enricher": "ats-enricher", "policy-recompute-stats": "policy-service"}


@pytest.mark.parametrize("job", sorted(NIGHTLY_JOBS))
def test_nightly_jobs_push_the_last_success_gauge(job) -> None:
    source = "\n".join(p.read_text() for p in (REPO / NIGHTLY_JOBS[job] / "src").rglob("*.py"))
    assert "pushed_job(" in source, f"the {job} job must push its metrics (applylens_platform.pushgateway.pushed_job)"
    assert f'"{job}"' in source, f"the {job} job must push under job={job!r} (the alerts name it)"
    platform = (REPO / "contracts/platform/src/applylens_platform/pushgateway.py").read_text()
    assert f'"{JOB_GAUGE}"' in platform
    assert f'job="{job}"' in RULES.read_text()


def test_dashboard_has_the_seed_panels_and_the_right_precision() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = " ".join(dashboard_exprs())
    assert "rate(user_weight_updates_total[1h])" in exprs  # the seed's learning rate
    assert 'user_weight_updates_total{sign="plus"}' in exprs and 'user_weight_updates_total{sign="minus"}' in exprs
    assert "policy_fired_total" in exprs and "ats_enriched_total" in exprs
    assert "applylens_consumer_lag" in exprs and "applylens_dlq_messages_total" in exprs
    precision = next(p for p in dashboard["panels"] if p["title"].startswith("Precision"))["targets"][0]["expr"]
    # SPEC §4: approved / (approved + rejected); the seed's approved / fired counted pending proposals.
    assert "policy_rejected_total" in precision and "policy_fired_total" not in precision
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    assert {t["datasource"]["uid"] for p in dashboard["panels"] for t in p["targets"]} == {"prometheus"}


def test_grafana_provisioning_points_at_the_dashboard_and_datasource() -> None:
    provider = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/applylens.yml").read_text())
    datasource = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    compose = yaml.safe_load((DEPLOY / "compose/compose.yaml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    path = provider["providers"][0]["options"]["path"]
    assert f"../grafana/dashboards:{path}:ro" in mounts
    assert datasource["datasources"][0]["uid"] == "prometheus"


def _promtool() -> str:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (apt-get install -y --no-install-recommends prometheus)")
    return promtool


def test_promtool_checks_the_rules_and_the_compose_config() -> None:
    promtool = _promtool()
    for args in (["check", "rules", str(RULES)], ["check", "config", str(DEPLOY / "prometheus/prometheus.yml")]):
        proc = subprocess.run([promtool, *args], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_promtool_unit_tests_of_the_alerts_pass() -> None:
    promtool = _promtool()
    proc = subprocess.run([promtool, "test", "rules", RULES_TEST.name], capture_output=True, text=True,
                          timeout=60, cwd=RULES_TEST.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_kubernetes_scrape_config_keeps_annotated_pods(tmp_path: Path) -> None:
    # Debian's promtool is built without Kubernetes discovery, so this file is checked by shape.
    config = yaml.safe_load((DEPLOY / "prometheus/scrape-kubernetes.yml").read_text())
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    keep = jobs["applylens-pods"]["relabel_configs"][0]
    assert keep["action"] == "keep" and keep["source_labels"] == ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]
    assert jobs["pushgateway"]["honor_labels"] is True
