"""deploy/k8s: each overlay rendered by kustomize, every document validated against the
Kubernetes schemas (kubernetes-validate, strict), and held to what the platform needs: the
probes, resources and non-root security of every pod, a PodDisruptionBudget and an
autoscaler for each Deployment that may run several replicas, the network policies (traffic
worked out from them, not read from their names), the migration Job, the 3-node NATS
JetStream cluster, Secrets from the generator only, the gateway's Ingress, and settings that
the services' own settings classes accept.

Rendering needs kustomize v4+ (kubectl's built-in one will do); without one,
scripts/install-k8s-tools.sh puts a kubectl in .tools/bin. The overlays are rendered from a
temporary copy of deploy/k8s with each *.env.example copied to *.env: no secret is ever
written into the tree.
"""

from __future__ import annotations

import base64
import copy
import ipaddress
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import kubernetes_validate
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S = REPO_ROOT / "deploy" / "k8s"
INSTALLER = REPO_ROOT / "scripts" / "install-k8s-tools.sh"
OVERLAYS = ("staging", "production")
# The newest Kubernetes whose schemas kubernetes-validate ships (1.37 with 1.37.0).
KUBERNETES_VERSION = kubernetes_validate.latest_version()

GATEWAY = "reporting-gateway"
DOMAIN_SERVICES = ("capacity", "foster-care", "family-counselling")
SERVICES = (GATEWAY, *DOMAIN_SERVICES)
# Which Deployments may run several replicas (the reasons are in each one's manifest):
# the outbox relay and the breach sweeper claim rows FOR UPDATE SKIP LOCKED, the gateway's
# consumers share durable pull consumers behind an inbox and its rebuild takes an advisory
# lock, the ranking cache tolerates its TTL. A Deployment that must stay single goes in
# SINGLETONS (replicas 1, no autoscaler, no disruption budget); every Deployment is one or
# the other.
SCALABLE = frozenset(SERVICES)
SINGLETONS: frozenset[str] = frozenset()
MODULES = {
    GATEWAY: "reporting_gateway",
    "capacity": "capacity",
    "foster-care": "foster_care",
    "family-counselling": "family_counselling",
}
HOSTS = {"staging": "platform.staging.bufetat.example", "production": "platform.bufetat.example"}
INGRESS_CONTROLLER_NAMESPACE = "ingress-nginx"
MONITORING_NAMESPACE = "monitoring"
HTTP = 8000
NATS_CLIENT, NATS_CLUSTER, NATS_MONITOR = 4222, 6222, 8222
POSTGRES = 5432
HTTPS = 443


# --- rendering ---------------------------------------------------------------------------


def _kustomize_major(kubectl: str) -> int:
    try:
        answer = subprocess.run(
            [kubectl, "version", "--client"], capture_output=True, text=True, timeout=30
        )
    except OSError:
        return 0
    found = re.search(r"Kustomize Version: v(\d+)\.", answer.stdout)
    return int(found.group(1)) if found else 0


def _find_renderer() -> list[str] | None:
    kustomize = shutil.which("kustomize")
    if kustomize is not None:
        return [kustomize, "build"]
    for kubectl in (shutil.which("kubectl"), str(REPO_ROOT / ".tools" / "bin" / "kubectl")):
        if kubectl and Path(kubectl).exists() and _kustomize_major(kubectl) >= 4:
            return [kubectl, "kustomize"]
    return None


def _renderer() -> list[str]:
    found = _find_renderer()
    if found is None:
        subprocess.run(["bash", str(INSTALLER)], check=True, timeout=600)
        found = _find_renderer()
    if found is None:
        pytest.fail(f"no kustomize v4+ and {INSTALLER.name} could not provide one")
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Every overlay's documents, rendered from a copy whose *.env are the examples."""
    renderer = _renderer()
    copy_root = tmp_path_factory.mktemp("k8s") / "k8s"
    shutil.copytree(K8S, copy_root, ignore=shutil.ignore_patterns("*.env"))
    for example in copy_root.glob("overlays/*/*.env.example"):
        shutil.copyfile(example, example.with_suffix(""))
    documents = {}
    for overlay in OVERLAYS:
        answer = subprocess.run(
            [*renderer, str(copy_root / "overlays" / overlay)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert answer.returncode == 0, answer.stderr
        documents[overlay] = [doc for doc in yaml.safe_load_all(answer.stdout) if doc]
    return documents


@dataclass
class Rendered:
    """One overlay's documents, by kind and name."""

    overlay: str
    documents: list[dict[str, Any]]
    by_kind: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for doc in self.documents:
            self.by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc

    def kind(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.by_kind.get(kind, {})

    @property
    def namespace(self) -> str:
        (name,) = self.kind("Namespace")
        return name

    def secret(self, name: str) -> dict[str, str]:
        data = self.kind("Secret")[name].get("data", {})
        return {key: base64.b64decode(value).decode() for key, value in data.items()}

    def config_map(self, name: str) -> dict[str, str]:
        data: dict[str, str] = self.kind("ConfigMap")[name].get("data", {})
        return data

    def workloads(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for kind in ("Deployment", "StatefulSet", "Job"):
            yield from self.kind(kind).items()

    def container_env(self, container: dict[str, Any]) -> dict[str, str]:
        """The container's environment as Kubernetes makes it (env over envFrom)."""
        env: dict[str, str] = {}
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                env.update(self.config_map(source["configMapRef"]["name"]))
            if "secretRef" in source:
                env.update(self.secret(source["secretRef"]["name"]))
        for variable in container.get("env", []):
            reference = variable.get("valueFrom", {})
            if "value" in variable:
                env[variable["name"]] = variable["value"]
            elif "secretKeyRef" in reference:
                key = reference["secretKeyRef"]
                env[variable["name"]] = self.secret(key["name"])[key["key"]]
            elif "configMapKeyRef" in reference:
                key = reference["configMapKeyRef"]
                env[variable["name"]] = self.config_map(key["name"])[key["key"]]
            else:
                env[variable["name"]] = f"<{reference}>"
        return env


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest, rendered: dict[str, list[dict[str, Any]]]) -> Rendered:
    return Rendered(request.param, rendered[request.param])


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """A Kubernetes label selector applied to `labels` (an empty selector selects all)."""
    if selector is None:
        return True
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


# --- the schemas ---------------------------------------------------------------------------


def test_every_document_is_valid_kubernetes(overlay: Rendered) -> None:
    for doc in overlay.documents:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    assert len(overlay.documents) > 30


def test_the_validation_is_strict(rendered: dict[str, list[dict[str, Any]]]) -> None:
    deployment = copy.deepcopy(Rendered("x", rendered["staging"]).kind("Deployment")[GATEWAY])
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


# --- the pods ------------------------------------------------------------------------------


def assert_locked_down(name: str, spec: dict[str, Any], uid: int) -> None:
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True, name
    assert pod["runAsUser"] == uid, name
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
    assert spec["automountServiceAccountToken"] is False, name
    for container in spec["containers"] + spec.get("initContainers", []):
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False, name
        assert context["readOnlyRootFilesystem"] is True, name
        assert context["capabilities"]["drop"] == ["ALL"], name
        resources = container["resources"]
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources[bound]), (name, bound)


def test_every_deployment_has_its_probes_resources_and_runs_locked_down(
    overlay: Rendered,
) -> None:
    deployments = overlay.kind("Deployment")
    assert set(deployments) == set(SERVICES)
    for name, deployment in deployments.items():
        spec = pod_spec(deployment)
        assert_locked_down(name, spec, uid=10001)
        (container,) = spec["containers"]
        assert container["args"] == [MODULES[name]]
        assert container["image"].startswith("registry.bufetat.example/bufetat-platform:")
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        assert ports == {"http": HTTP}
        for probe, path in (
            ("startupProbe", "/healthz"),
            ("livenessProbe", "/healthz"),
            ("readinessProbe", "/readyz"),
        ):
            assert container[probe]["httpGet"] == {"path": path, "port": "http"}, (name, probe)
        # A read-only root file system, and a writable /tmp.
        (tmp,) = [mount for mount in container["volumeMounts"] if mount["mountPath"] == "/tmp"]
        volumes = {volume["name"]: volume for volume in spec["volumes"]}
        assert "emptyDir" in volumes[tmp["name"]]
        # Prometheus scrapes it by the annotations deploy/prometheus/prometheus.yml names.
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == str(ports["http"])
        assert annotations["prometheus.io/path"] == "/metrics"
        # Replicas spread over nodes.
        keys = {c["topologyKey"] for c in spec["topologySpreadConstraints"]}
        assert "kubernetes.io/hostname" in keys
        for constraint in spec["topologySpreadConstraints"]:
            assert selects(constraint["labelSelector"], pod_labels(deployment))


def test_scalable_deployments_have_a_disruption_budget_and_an_autoscaler(
    overlay: Rendered,
) -> None:
    deployments = overlay.kind("Deployment")
    assert set(deployments) == SCALABLE | SINGLETONS
    budgets = overlay.kind("PodDisruptionBudget")
    autoscalers = overlay.kind("HorizontalPodAutoscaler")
    for name, deployment in deployments.items():
        labels = pod_labels(deployment)
        covering = [b for b in budgets.values() if selects(b["spec"]["selector"], labels)]
        scaling = [
            a
            for a in autoscalers.values()
            if a["spec"]["scaleTargetRef"]
            == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        ]
        if name in SINGLETONS:
            assert deployment["spec"].get("replicas") == 1, name
            assert covering == [], name
            assert scaling == [], name
            continue
        assert len(covering) == 1, name
        assert covering[0]["spec"]["maxUnavailable"] == 1, name
        (autoscaler,) = scaling
        assert autoscaler["apiVersion"] == "autoscaling/v2"
        low, high = autoscaler["spec"]["minReplicas"], autoscaler["spec"]["maxReplicas"]
        assert 1 <= low < high, name
        if overlay.overlay == "production":
            assert low >= 2, name  # a node drained never takes the service away
        # The autoscaler owns the count: an apply must not reset it.
        assert "replicas" not in deployment["spec"], name
    # Nothing autoscales NATS: its size is the cluster's.
    targets = {a["spec"]["scaleTargetRef"]["kind"] for a in autoscalers.values()}
    assert targets == {"Deployment"}


# --- the network ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pod:
    workload: str
    namespace: str
    labels: tuple[tuple[str, str], ...]
    ports: tuple[tuple[str, int], ...] = ()

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


def namespace_labels(namespace: str) -> dict[str, str]:
    return {"kubernetes.io/metadata.name": namespace}


class Network:
    """Which connections the overlay's NetworkPolicies allow, worked out as Kubernetes does:
    a pod selected by any policy of a direction is isolated in that direction, and then a
    connection needs a rule allowing it on both ends."""

    def __init__(self, overlay: Rendered) -> None:
        self.namespace = overlay.namespace
        self.policies = list(overlay.kind("NetworkPolicy").values())
        self.pods = {
            name: Pod(
                name,
                self.namespace,
                tuple(pod_labels(workload).items()),
                tuple(
                    (port["name"], port["containerPort"])
                    for container in pod_spec(workload)["containers"]
                    for port in container.get("ports", [])
                ),
            )
            for name, workload in overlay.workloads()
        }

    def _selecting(self, pod: Pod, direction: str) -> list[dict[str, Any]]:
        return [
            policy
            for policy in self.policies
            if pod.namespace == self.namespace
            and selects(policy["spec"]["podSelector"], pod.label_map)
            and direction in policy["spec"]["policyTypes"]
        ]

    @staticmethod
    def _port_allowed(
        rules: list[dict[str, Any]] | None, port: int, protocol: str, target: Pod | None
    ) -> bool:
        if not rules:
            return True
        for rule in rules:
            if rule.get("protocol", "TCP") != protocol:
                continue
            if "port" not in rule:
                return True
            number = rule["port"]
            if isinstance(number, str):  # a named port of the target
                number = dict(target.ports).get(number) if target is not None else None
            if number is not None and number <= port <= rule.get("endPort", number):
                return True
        return False

    def _peer_is_pod(self, peer: dict[str, Any], pod: Pod) -> bool:
        if "ipBlock" in peer:
            return False
        if "namespaceSelector" in peer:
            in_namespace = selects(peer["namespaceSelector"], namespace_labels(pod.namespace))
        else:
            in_namespace = pod.namespace == self.namespace
        return in_namespace and selects(peer.get("podSelector"), pod.label_map)

    def _egress(
        self, source: Pod, port: int, protocol: str, to_pod: Pod | None, ip: str | None
    ) -> bool:
        policies = self._selecting(source, "Egress")
        if not policies:
            return True
        for policy in policies:
            for rule in policy["spec"].get("egress", []):
                if not self._port_allowed(rule.get("ports"), port, protocol, to_pod):
                    continue
                peers = rule.get("to")
                if not peers:
                    return True
                for peer in peers:
                    if to_pod is not None and self._peer_is_pod(peer, to_pod):
                        return True
                    if ip is not None and "ipBlock" in peer and in_block(ip, peer["ipBlock"]):
                        return True
        return False

    def _ingress(self, target: Pod, source: Pod, port: int, protocol: str) -> bool:
        policies = self._selecting(target, "Ingress")
        if not policies:
            return True
        for policy in policies:
            for rule in policy["spec"].get("ingress", []):
                if not self._port_allowed(rule.get("ports"), port, protocol, target):
                    continue
                peers = rule.get("from")
                if not peers or any(self._peer_is_pod(peer, source) for peer in peers):
                    return True
        return False

    def connects(self, source: Pod, target: Pod, port: int, protocol: str = "TCP") -> bool:
        return self._egress(source, port, protocol, target, None) and self._ingress(
            target, source, port, protocol
        )

    def reaches_address(self, source: Pod, ip: str, port: int) -> bool:
        return self._egress(source, port, "TCP", None, ip)


def in_block(ip: str, block: dict[str, Any]) -> bool:
    address = ipaddress.ip_address(ip)
    if address not in ipaddress.ip_network(block["cidr"]):
        return False
    return not any(address in ipaddress.ip_network(cidr) for cidr in block.get("except", []))


def postgres_cidr(overlay: Rendered) -> str:
    policy = overlay.kind("NetworkPolicy")["allow-postgresql"]
    (rule,) = policy["spec"]["egress"]
    (peer,) = rule["to"]
    cidr: str = peer["ipBlock"]["cidr"]
    return cidr


def test_everything_is_denied_unless_allowed(overlay: Rendered) -> None:
    deny = overlay.kind("NetworkPolicy")["default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_inside_the_namespace_only_the_gateway_calls_the_services_and_all_call_nats(
    overlay: Rendered,
) -> None:
    network = Network(overlay)
    pods = network.pods
    assert set(pods) == {*SERVICES, "nats", "migrate"}
    probed_ports = {HTTP, NATS_CLIENT, NATS_CLUSTER, NATS_MONITOR, POSTGRES}
    allowed = {
        (source, target, port)
        for source in pods
        for target in pods
        for port in probed_ports
        if network.connects(pods[source], pods[target], port)
    }
    assert allowed == {
        *((GATEWAY, service, HTTP) for service in DOMAIN_SERVICES),
        *((service, "nats", NATS_CLIENT) for service in SERVICES),
        ("nats", "nats", NATS_CLUSTER),
    }


def test_from_outside_only_the_ingress_controller_reaches_the_gateway(overlay: Rendered) -> None:
    network = Network(overlay)
    reached: dict[str, set[tuple[str, int]]] = {}
    for namespace in (INGRESS_CONTROLLER_NAMESPACE, MONITORING_NAMESPACE, "default", "kube-system"):
        stranger = Pod("stranger", namespace, (("app", "anything"),))
        reached[namespace] = {
            (name, port)
            for name, pod in network.pods.items()
            for port in (HTTP, NATS_CLIENT, NATS_CLUSTER, NATS_MONITOR)
            if network._ingress(pod, stranger, port, "TCP")
        }
    assert reached[INGRESS_CONTROLLER_NAMESPACE] == {(GATEWAY, HTTP)}
    # Prometheus scrapes /metrics, which the Ingress does not route.
    assert reached[MONITORING_NAMESPACE] == {(name, HTTP) for name in SERVICES}
    assert reached["default"] == reached["kube-system"] == set()


def test_out_of_the_cluster_the_services_reach_postgresql_the_issuer_and_dns_only(
    overlay: Rendered,
) -> None:
    network = Network(overlay)
    cidr = ipaddress.ip_network(postgres_cidr(overlay))
    # The base's documentation range is replaced by the overlay's own.
    assert not cidr.overlaps(ipaddress.ip_network("192.0.2.0/24"))
    postgres = str(next(cidr.hosts()))
    issuer = "203.0.113.10"  # a public address: a cloud identity provider's
    addresses = (postgres, issuer, "10.99.0.1", "172.16.5.5", "192.168.1.1")
    allowed = {
        (name, address, port)
        for name, pod in network.pods.items()
        for address in addresses
        for port in (22, 80, HTTPS, POSTGRES, NATS_CLIENT, HTTP)
        if network.reaches_address(pod, address, port)
    }
    assert allowed == {
        *((name, postgres, POSTGRES) for name in (*SERVICES, "migrate")),
        *((name, issuer, HTTPS) for name in SERVICES),
    }
    kube_dns = Pod("kube-dns", "kube-system", (("k8s-app", "kube-dns"),))
    for name, pod in network.pods.items():
        for protocol in ("UDP", "TCP"):
            assert network._egress(pod, 53, protocol, kube_dns, None), (name, protocol)
        assert not network._egress(pod, HTTPS, "TCP", kube_dns, None), name


# --- the migration -------------------------------------------------------------------------


def test_one_job_migrates_the_four_databases_in_order(overlay: Rendered) -> None:
    (job,) = overlay.kind("Job").values()
    spec = job["spec"]
    assert spec["backoffLimit"] >= 1
    assert spec["ttlSecondsAfterFinished"] > 0
    template = pod_spec(job)
    assert template["restartPolicy"] == "Never"
    assert_locked_down("migrate", template, uid=10001)
    (container,) = template["containers"]
    assert container["args"] == [
        "migrate",
        "capacity",
        "foster_care",
        "family_counselling",
        "reporting_gateway",
    ]
    assert (
        container["image"]
        == overlay.kind("Deployment")[GATEWAY]["spec"]["template"]["spec"]["containers"][0]["image"]
    )
    env = overlay.container_env(container)
    for module in MODULES.values():
        assert env[f"DATABASE_URL_{module.upper()}"].startswith("postgresql://")
    # What it needs is applied before it (base/migrate-job.yaml): the namespace, ConfigMaps,
    # Secrets and network policies carry the components that selector names.
    first = {"namespace", "config", "network", "migration"}
    for doc in overlay.documents:
        component = doc["metadata"].get("labels", {}).get("app.kubernetes.io/component")
        if doc["kind"] in ("Namespace", "ConfigMap", "Secret", "NetworkPolicy", "Job"):
            assert component in first, (doc["kind"], doc["metadata"]["name"])
        else:
            assert component not in first, (doc["kind"], doc["metadata"]["name"])


# --- NATS ----------------------------------------------------------------------------------


def test_nats_is_a_three_node_jetstream_cluster_on_volumes(overlay: Rendered) -> None:
    statefulset = overlay.kind("StatefulSet")["nats"]
    spec = statefulset["spec"]
    assert spec["replicas"] == 3
    assert spec["podManagementPolicy"] == "Parallel"
    template = pod_spec(statefulset)
    assert_locked_down("nats", template, uid=1000)
    (container,) = template["containers"]
    assert container["image"] == "nats:2.10-alpine"
    env = {variable["name"]: variable for variable in container["env"]}
    assert env["SERVER_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"

    # The configuration: JetStream on the claimed volume, routes to the three pods.
    volumes = {volume["name"]: volume for volume in template["volumes"]}
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    config_map = volumes["config"]["configMap"]["name"]
    config = overlay.config_map(config_map)["nats.conf"]
    assert container["args"] == ["--config", f"{mounts['config']}/nats.conf"]
    assert re.search(r"^server_name: \$SERVER_NAME$", config, re.MULTILINE)
    store = re.search(r"^\s*store_dir: (\S+)$", config, re.MULTILINE)
    assert store is not None
    (claim,) = spec["volumeClaimTemplates"]
    assert store.group(1).startswith(mounts[claim["metadata"]["name"]] + "/")
    assert claim["metadata"]["name"] not in volumes  # the claim, not an emptyDir
    service = overlay.kind("Service")[spec["serviceName"]]["spec"]
    assert service["clusterIP"] == "None"
    assert service["publishNotReadyAddresses"] is True
    assert selects({"matchLabels": service["selector"]}, pod_labels(statefulset))
    routes = set(re.findall(r"nats://(\S+):6222", config))
    assert routes == {f"nats-{i}.{spec['serviceName']}" for i in range(3)}

    # Probes on the monitoring port, one server per node, one server down at a time.
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = container[probe]["httpGet"]
        assert get["port"] == "monitor", probe
        assert get["path"].startswith("/healthz"), probe
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"client": NATS_CLIENT, "cluster": NATS_CLUSTER, "monitor": NATS_MONITOR}
    (anti,) = template["affinity"]["podAntiAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]
    assert anti["topologyKey"] == "kubernetes.io/hostname"
    assert selects(anti["labelSelector"], pod_labels(statefulset))
    budget = overlay.kind("PodDisruptionBudget")["nats"]["spec"]
    assert budget["maxUnavailable"] == 1
    assert selects(budget["selector"], pod_labels(statefulset))

    # The services use all three, and keep each stream on all three.
    for name in SERVICES:
        container_env = overlay.container_env(
            pod_spec(overlay.kind("Deployment")[name])["containers"][0]
        )
        assert container_env["NATS_STREAM_REPLICAS"] == "3", name
        servers = {urlparse(url).netloc for url in container_env["NATS_URL"].split(",")}
        assert servers == {f"nats-{i}.{spec['serviceName']}:{NATS_CLIENT}" for i in range(3)}


# --- secrets and settings ------------------------------------------------------------------


def _example_keys(overlay: str, name: str) -> set[str]:
    lines = (K8S / "overlays" / overlay / f"{name}.env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


def test_secrets_come_from_the_generator_and_every_reference_exists(overlay: Rendered) -> None:
    secrets = overlay.kind("Secret")
    generated = {re.sub(r"-[a-z0-9]{10}$", "", name): name for name in secrets}
    assert set(generated) == {"database-urls", "pii-keys", "auth"}
    assert all(name != base for base, name in generated.items())  # the generator's suffix
    for base, env_file in (("database-urls", "database"), ("pii-keys", "pii"), ("auth", "auth")):
        assert set(overlay.secret(generated[base])) == _example_keys(overlay.overlay, env_file)
    config_maps = overlay.kind("ConfigMap")
    for name, workload in overlay.workloads():
        spec = pod_spec(workload)
        for container in spec["containers"]:
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    assert source["secretRef"]["name"] in secrets, name
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in config_maps, name
            for variable in container.get("env", []):
                key = variable.get("valueFrom", {}).get("secretKeyRef")
                if key is not None:
                    assert key["key"] in overlay.secret(key["name"]), (name, key)
        for volume in spec.get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps, name
    # The PII keys reach exactly the services that store national identity numbers.
    pii = generated["pii-keys"]
    holders = {
        name
        for name, deployment in overlay.kind("Deployment").items()
        for source in pod_spec(deployment)["containers"][0].get("envFrom", [])
        if source.get("secretRef", {}).get("name") == pii
    }
    assert holders == {"capacity", "foster-care"}


def test_no_secret_is_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "deploy/k8s"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [path for path in tracked if path.endswith(".env")]
    for overlay in OVERLAYS:
        for name in ("database", "pii", "auth"):
            path = f"deploy/k8s/overlays/{overlay}/{name}.env"
            ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO_ROOT)
            assert ignored.returncode == 0, f"{path} is not ignored by git"


def service_settings(overlay: Rendered, name: str) -> Any:
    """The service's own settings class, fed the container's environment as rendered (with
    real PII keys in place of the examples' placeholders)."""
    from capacity.settings import CapacitySettings
    from common.pii import generate_key
    from family_counselling.settings import FamilyCounsellingSettings
    from foster_care.settings import FosterCareSettings
    from reporting_gateway.settings import GatewaySettings

    classes: dict[str, Any] = {
        GATEWAY: GatewaySettings,
        "capacity": CapacitySettings,
        "foster-care": FosterCareSettings,
        "family-counselling": FamilyCounsellingSettings,
    }
    env = overlay.container_env(pod_spec(overlay.kind("Deployment")[name])["containers"][0])
    for key in ("PII_ENCRYPTION_KEY", "PII_HASH_KEY"):
        if key in env:
            assert env[key] == "CHANGE-ME"
            env[key] = generate_key()
    # Validated from the values alone: nothing of this process's environment comes in.
    return classes[name].model_validate({key.lower(): value for key, value in env.items()})


def test_the_services_accept_their_settings_and_trust_the_organisations_issuer(
    overlay: Rendered,
) -> None:
    services = overlay.kind("Service")
    for name in SERVICES:
        settings = service_settings(overlay, name)
        assert settings.environment == overlay.overlay
        assert settings.nats_stream_replicas == 3
        # The organisation's issuer over https, never the gateway's local one.
        jwks, issuer = urlparse(settings.auth_jwks_url), urlparse(settings.auth_issuer)
        assert jwks.scheme == issuer.scheme == "https", name
        assert jwks.hostname not in services, name
        assert issuer.hostname not in services, name
        assert urlparse(settings.database_url).path == f"/{MODULES[name]}", name
    gateway = service_settings(overlay, GATEWAY)
    assert gateway.local_issuer_enabled is False
    # The proxy's targets are the domain services' in-cluster Services.
    for name, url in (
        ("capacity", gateway.capacity_url),
        ("foster-care", gateway.foster_care_url),
        ("family-counselling", gateway.family_counselling_url),
    ):
        target = urlparse(url)
        assert target.hostname == name
        service_ports = {port["port"] for port in services[name]["spec"]["ports"]}
        assert (target.port or 80) in service_ports
        selector = services[name]["spec"]["selector"]
        assert selects({"matchLabels": selector}, pod_labels(overlay.kind("Deployment")[name]))


# --- the way in ----------------------------------------------------------------------------


def test_only_the_gateway_has_an_ingress_over_tls(overlay: Rendered) -> None:
    (ingress,) = overlay.kind("Ingress").values()
    spec = ingress["spec"]
    assert spec["ingressClassName"]
    host = HOSTS[overlay.overlay]
    (rule,) = spec["rules"]
    assert rule["host"] == host
    assert [tls["hosts"] for tls in spec["tls"]] == [[host]]
    assert all(tls["secretName"] for tls in spec["tls"])
    services = overlay.kind("Service")
    gateway_pods = pod_labels(overlay.kind("Deployment")[GATEWAY])
    paths = set()
    for path in rule["http"]["paths"]:
        backend = services[path["backend"]["service"]["name"]]
        assert selects({"matchLabels": backend["spec"]["selector"]}, gateway_pods)
        for name in DOMAIN_SERVICES:
            deployment = overlay.kind("Deployment")[name]
            assert not selects({"matchLabels": backend["spec"]["selector"]}, pod_labels(deployment))
        paths.add(path["path"])
    assert {"/api", "/v1", "/dashboard", "/openapi.json"} <= paths
    # The probes and the metrics stay inside the cluster.
    assert not paths & {"/", "/metrics", "/healthz", "/readyz"}
