"""The Kubernetes manifests: they parse, validate against the API schemas offline
(kubernetes-validate ships them), the overlays render, and what production relies on holds."""

from __future__ import annotations

import re

import kubernetes_validate
import pytest
import yaml
from _deploy_manifests import DEPLOY, K8S, OVERLAYS, load_all

K8S_VERSION = "1.32"  # the API version the manifests target (kubectl in CI is 1.32)

ALL_YAML = sorted(p for p in DEPLOY.rglob("*.y*ml") if "local" not in p.relative_to(DEPLOY).parts[:1])


@pytest.mark.parametrize("path", ALL_YAML, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_yaml_file_parses(path) -> None:
    assert load_all(path), f"{path} holds no document"


def _resource_files() -> list:
    """Files listed under ``resources:`` of a kustomization: complete objects (patches are not)."""
    files = []
    for kustomization in K8S.rglob("kustomization.yaml"):
        for entry in yaml.safe_load(kustomization.read_text()).get("resources", []):
            path = kustomization.parent / entry
            if path.is_file():
                files.append(path)
    return sorted(files)


def _validate(doc: dict) -> None:
    try:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        pytest.fail(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.absolute_path)}")


@pytest.mark.parametrize("path", _resource_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_resource_files_validate_against_the_schemas(path) -> None:
    for doc in load_all(path):
        _validate(doc)


def test_validation_catches_a_misspelt_field() -> None:
    """The validator is strict: an unknown field fails (so the tests above can fail)."""
    doc = load_all(K8S / "base/apps/learner-api.yaml")[0]
    doc["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rendered_overlay_validates(rendered, overlay) -> None:
    for doc in rendered[overlay]:
        _validate(doc)


def _of(docs: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _pod(doc: dict) -> dict:
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def _our_containers(doc: dict) -> list[dict]:
    return [c for c in _pod(doc)["containers"] if "applylens-" in c["image"]]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_pods_are_probed_bounded_and_locked_down(rendered, overlay) -> None:
    docs = rendered[overlay]
    pdbs = _of(docs, "PodDisruptionBudget")
    workloads = [d for d in docs if d["kind"] in ("Deployment", "Job", "CronJob")]
    ours = [d for d in workloads if _our_containers(d)]
    assert len(ours) >= 10
    for doc in ours:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        pod = _pod(doc)
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in _our_containers(doc):
            sc = container["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"], name
            assert ":" in container["image"].rsplit("/", 1)[-1] and not container["image"].endswith(":latest"), name
            if doc["kind"] == "Deployment":
                assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
                assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        if doc["kind"] == "Deployment":
            labels = doc["spec"]["selector"]["matchLabels"]
            assert any(p["spec"]["selector"]["matchLabels"] == labels for p in pdbs.values()), f"{name} has no PDB"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_consumer_autoscalers_never_exceed_the_partition_count(rendered, overlay) -> None:
    docs = rendered[overlay]
    topics = next(d for n, d in _of(docs, "ConfigMap").items() if n.startswith("applylens-topics-") and "script" not in n)
    partitions = int(topics["data"]["TOPIC_PARTITIONS"])
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in _of(docs, "HorizontalPodAutoscaler").values()}
    consumers = [n for n, d in _of(docs, "Deployment").items() if "--role" in (_our_containers(d) or [{}])[0].get("args", [])
                 and d["spec"]["template"]["spec"]["containers"][0]["args"][2] == "consumer"]
    assert sorted(consumers) == ["ats-consumer", "learner-consumer", "money-consumer", "policy-consumer"]
    for name in consumers:
        spec = hpas[name]["spec"]
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"] <= partitions, (name, spec, partitions)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_nightly_cronjobs_keep_the_seed_schedule(rendered, overlay) -> None:
    cronjobs = _of(rendered[overlay], "CronJob")
    assert {n: c["spec"]["schedule"] for n, c in cronjobs.items()} == {
        "ats-enricher": "0 2 * * *",
        "policy-recompute-stats": "15 2 * * *",
    }
    for cron in cronjobs.values():
        assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert _our_containers(cronjobs["ats-enricher"])[0]["args"] == ["run"]
    assert _our_containers(cronjobs["policy-recompute-stats"])[0]["args"] == ["recompute-stats"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_gateway_routes_each_prefix_to_its_service(rendered, overlay) -> None:
    docs = rendered[overlay]
    services = _of(docs, "Service")
    routes = {}
    for ingress in _of(docs, "Ingress").values():
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                routes[path["path"]] = (ingress["metadata"]["name"], path["backend"]["service"]["name"])
    assert {p: svc for p, (_, svc) in routes.items()} == {
        "/learner": "learner-api", "/policy": "policy-api", "/money": "money-api", "/chat": "rag-api",
    }
    for _, svc in routes.values():
        assert svc in services, f"the gateway routes to a missing Service {svc}"
    chat = _of(docs, "Ingress")[routes["/chat"][0]]["metadata"]["annotations"]
    assert chat["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    assert int(chat["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_select_a_deployment_port(rendered, overlay) -> None:
    docs = rendered[overlay]
    deployments = _of(docs, "Deployment").values()
    for name, svc in _of(docs, "Service").items():
        matches = [d for d in deployments
                   if svc["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        assert matches, f"Service {name} selects no Deployment"
        ports = {p.get("name") for c in _pod(matches[0])["containers"] for p in c.get("ports", [])}
        for port in svc["spec"]["ports"]:
            assert port["targetPort"] in ports, f"Service {name} targets an unknown port {port['targetPort']}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_referenced_configmaps_exist_and_secrets_are_never_rendered_outside_dev(rendered, overlay) -> None:
    docs = rendered[overlay]
    configmaps = _of(docs, "ConfigMap")
    secrets = _of(docs, "Secret")
    text = yaml.safe_dump_all(docs)
    for ref in set(re.findall(r"configMapRef:\n\s+name: (\S+)", text)):
        assert ref in configmaps, f"envFrom names a missing ConfigMap {ref}"
    for ref in set(re.findall(r"secretRef:\n\s+name: (\S+)", text)):
        assert ref.startswith("applylens-secrets"), ref
        if overlay == "overlays/dev":
            assert ref in secrets
    if overlay != "overlays/dev":
        assert not secrets, "secrets are created out of band in prod, never rendered from the repository"


def test_topics_job_creates_the_topics_and_their_dlqs() -> None:
    script = (K8S / "base/topics/create-topics.sh").read_text()
    assert "for topic in applylens.actions.v1 applylens.emails.v1; do" in script
    assert 'create "$topic.dlq"' in script and "--if-not-exists" in script
    from applylens_contracts.events import TOPIC_ACTIONS, TOPIC_EMAILS, dlq_topic

    assert {TOPIC_ACTIONS, TOPIC_EMAILS} == {"applylens.actions.v1", "applylens.emails.v1"}
    assert dlq_topic(TOPIC_ACTIONS) == "applylens.actions.v1.dlq"


def test_migrations_job_migrates_every_service_that_owns_tables() -> None:
    job = load_all(K8S / "base/jobs/migrate.yaml")[0]
    images = {c["image"]: c["args"] for c in job["spec"]["template"]["spec"]["containers"]}
    assert images == {f"applylens-{s}": ["migrate"] for s in ("learner", "policy", "money", "ats")}


def test_prod_images_come_from_a_registry_at_a_release_tag(rendered) -> None:
    for doc in rendered["overlays/prod"]:
        if doc["kind"] in ("Deployment", "Job", "CronJob"):
            for container in _our_containers(doc):
                repo, _, tag = container["image"].rpartition(":")
                assert "/" in repo and re.fullmatch(r"\d+\.\d+\.\d+", tag), container["image"]
