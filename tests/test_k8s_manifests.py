"""deploy/k8s as `kubectl apply -k` would apply it: every object valid against the
Kubernetes schemas (strict: an unknown or misspelt field is an error), every pod
Pod Security "restricted", the network closed but for the suite's own paths, every key
a process needs handed to it from a Secret, and nothing left on a loopback address.

Each check returns the problems it finds, so the tests show both that the manifests are
clean and that a broken copy is caught.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from kubernetes_validate import utils as kubernetes_validate

from tests.test_deploy_files import known_env_names

K8S = Path(__file__).resolve().parents[1] / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33"
KUSTOMIZE_FIELDS = {"apiVersion", "kind", "namespace", "resources", "images"}
CLUSTER_SCOPED = {"Namespace"}
ENGINES = {"postgres", "kafka", "s3", "smtp"}
ENGINE_CREDENTIALS = {"postgres": "_POSTGRES_DSN", "s3": "_BLOB_S3_SECRET_KEY"}
ROUTED = {"identity", "catalog", "dossier", "payment", "notify"}  # behind the gateway
VOLUME_TYPES = {"configMap", "emptyDir", "projected", "secret", "downwardAPI", "ephemeral"}
VOLUME_TYPES |= {"persistentVolumeClaim", "csi"}

# What each process reads from a Secret: its own PostgreSQL role and the keys it signs,
# seals or verifies with (services/*/settings.py). Nothing else may reach it.
SECRETS = {
    "gateway": {"MOTCUA_GATEWAY_POSTGRES_DSN"},
    "identity": {
        "MOTCUA_IDENTITY_POSTGRES_DSN",
        "MOTCUA_IDENTITY_SIGNING_KEY_PEM",
        "MOTCUA_IDENTITY_CAPTCHA_SECRET",
        "MOTCUA_IDENTITY_LINK_SEAL_PUBLIC_KEY",
        "MOTCUA_IDENTITY_BLOB_S3_SECRET_KEY",
    },
    "catalog": {"MOTCUA_CATALOG_POSTGRES_DSN"},
    "dossier": {"MOTCUA_DOSSIER_POSTGRES_DSN", "MOTCUA_DOSSIER_BLOB_S3_SECRET_KEY"},
    "dossier-relay": {"MOTCUA_DOSSIER_POSTGRES_DSN"},
    "dossier-worker": {"MOTCUA_DOSSIER_POSTGRES_DSN"},
    "payment": {"MOTCUA_PAYMENT_POSTGRES_DSN", "MOTCUA_PAYMENT_VNPAY_HASH_SECRET"},
    "payment-worker": {"MOTCUA_PAYMENT_POSTGRES_DSN", "MOTCUA_PAYMENT_VNPAY_HASH_SECRET"},
    "payment-sandbox": {"MOTCUA_PAYMENT_VNPAY_HASH_SECRET"},
    "notify": {"MOTCUA_NOTIFY_POSTGRES_DSN", "MOTCUA_NOTIFY_LINK_SEAL_PRIVATE_KEY"},
}
# Addresses people follow from an email or a payment page: the portal's, never loopback.
PUBLIC_URLS = {
    "MOTCUA_IDENTITY_PORTAL_URL",
    "MOTCUA_NOTIFY_PORTAL_URL",
    "MOTCUA_PAYMENT_VNPAY_RETURN_URL",
    "MOTCUA_PAYMENT_VNPAY_PAYMENT_URL",
}

Doc = dict[str, Any]


# --- rendering -------------------------------------------------------------------------


def render(directory: Path = K8S) -> list[Doc]:
    """Our flat kustomization: its resources with its namespace and images applied. A
    field this renderer does not apply is refused rather than ignored."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - KUSTOMIZE_FIELDS
    if unknown:
        raise ValueError(f"kustomization.yaml: fields this renderer does not apply: {unknown}")
    namespace = kustomization.get("namespace")
    images = {i["name"]: i for i in kustomization.get("images", [])}
    docs = []
    for name in kustomization["resources"]:
        for doc in yaml.safe_load_all((directory / name).read_text()):
            if not doc:
                continue
            if namespace and doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = namespace
            for container in _containers(doc):
                container["image"] = _image(container["image"], images)
            docs.append(doc)
    return docs


def _image(image: str, images: dict[str, Doc]) -> str:
    name, _, tag = image.partition(":")
    override = images.get(name)
    if override is None:
        return image
    return f"{override.get('newName', name)}:{override.get('newTag', tag or 'latest')}"


def _pod_spec(doc: Doc) -> Doc | None:
    if doc.get("kind") in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
        spec: Doc = doc["spec"]["template"]["spec"]
        return spec
    return None


def _containers(doc: Doc) -> list[Doc]:
    spec = _pod_spec(doc)
    if spec is None:
        return []
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def _of_kind(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


# --- label selectors -------------------------------------------------------------------


def selects(selector: Doc, labels: dict[str, str]) -> bool:
    """A Kubernetes label selector against a pod's labels (`{}` selects every pod)."""
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        present = key in labels
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if (operator == "Exists") != present and operator in {"Exists", "DoesNotExist"}:
            return False
    return True


def _pod_labels(deployment: Doc) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def _policies_on(docs: list[Doc], labels: dict[str, str], direction: str) -> list[Doc]:
    return [
        p
        for p in _of_kind(docs, "NetworkPolicy").values()
        if direction in p["spec"].get("policyTypes", [])
        and selects(p["spec"]["podSelector"], labels)
    ]


def ingress_sources(docs: list[Doc], labels: dict[str, str]) -> list[Doc | None]:
    """Who may open a connection to pods with ``labels``: each allowed peer's pod
    selector, None for a rule open to every source; [] when nothing is allowed."""
    sources: list[Doc | None] = []
    for policy in _policies_on(docs, labels, "Ingress"):
        for rule in policy["spec"].get("ingress") or []:
            peers = rule.get("from")
            if not peers:
                sources.append(None)
                continue
            for peer in peers:
                sources.append(peer.get("podSelector"))
    return sources


# --- checks ----------------------------------------------------------------------------


def schema_problems(docs: list[Doc]) -> list[str]:
    return [p for doc in docs for p in _schema_problems(json.dumps(doc, sort_keys=True))]


@functools.cache
def _schema_problems(text: str) -> list[str]:
    """One object's (as JSON, so a copy already checked is not checked again: the schemas
    take a while to load)."""
    doc = json.loads(text)
    name = f"{doc.get('kind')} {doc.get('metadata', {}).get('name')}"
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(p) for p in error.path)
        return [f"{name}: {path}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [f"{name}: {error.message}"]
    return []


def restricted_problems(docs: list[Doc]) -> list[str]:
    """Pod Security Standards, "restricted" profile, plus a read-only root filesystem."""
    problems = []
    for doc in docs:
        spec = _pod_spec(doc)
        if spec is None:
            continue
        name = f"{doc['kind']} {doc['metadata']['name']}"
        pod = spec.get("securityContext") or {}
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(flag):
                problems.append(f"{name}: {flag}")
        for volume in spec.get("volumes") or []:
            kinds = set(volume) - {"name"}
            if not kinds <= VOLUME_TYPES:
                problems.append(f"{name}: volume {volume['name']} is {', '.join(sorted(kinds))}")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{name}: mounts a service account token it never uses")
        for container in _containers(doc):
            where = f"{name} container {container['name']}"
            own = container.get("securityContext") or {}

            def setting(key: str, own: Doc = own, pod: Doc = pod) -> Any:
                return own.get(key, pod.get(key))  # the container's, else the pod's

            if setting("runAsNonRoot") is not True:
                problems.append(f"{where}: runAsNonRoot is not true")
            if setting("runAsUser") == 0:
                problems.append(f"{where}: runs as root")
            if (setting("seccompProfile") or {}).get("type") not in {"RuntimeDefault", "Localhost"}:
                problems.append(f"{where}: seccompProfile is not RuntimeDefault")
            if own.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: allowPrivilegeEscalation is not false")
            if own.get("privileged"):
                problems.append(f"{where}: privileged")
            capabilities = own.get("capabilities") or {}
            if "ALL" not in (capabilities.get("drop") or []):
                problems.append(f"{where}: capabilities do not drop ALL")
            if set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}:
                problems.append(f"{where}: adds capabilities {capabilities['add']}")
            if own.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: root filesystem is writable")
            if any(p.get("hostPort") for p in container.get("ports") or []):
                problems.append(f"{where}: hostPort")
            mounts = {m["mountPath"] for m in container.get("volumeMounts") or []}
            if "/tmp" not in mounts:
                problems.append(f"{where}: no writable /tmp (an emptyDir)")
    return problems


def namespace_problems(docs: list[Doc]) -> list[str]:
    namespaces = _of_kind(docs, "Namespace")
    used = {d["metadata"].get("namespace") for d in docs if d["kind"] not in CLUSTER_SCOPED}
    problems = [f"objects in {ns}, which is not defined" for ns in used - set(namespaces)]
    if None in used:
        problems.append("objects without a namespace")
    for name, namespace in namespaces.items():
        labels = namespace["metadata"].get("labels") or {}
        if labels.get("pod-security.kubernetes.io/enforce") != "restricted":
            problems.append(f"Namespace {name}: Pod Security restricted is not enforced")
    return problems


def network_problems(docs: list[Doc]) -> list[str]:
    return [*_isolation_problems(docs), *_service_problems(docs), *_engine_problems(docs)]


def _isolation_problems(docs: list[Doc]) -> list[str]:
    problems = []
    for name, deployment in _of_kind(docs, "Deployment").items():
        labels = _pod_labels(deployment)
        if not _policies_on(docs, labels, "Ingress"):
            problems.append(f"Deployment {name}: ingress is not restricted (no default deny)")
        if not _policies_on(docs, labels, "Egress"):
            problems.append(f"Deployment {name}: egress is not restricted (no default deny)")
    return problems


def _service_problems(docs: list[Doc]) -> list[str]:
    """Each routed HTTP service is reached from the gateway's pods and from nothing else."""
    problems = []
    deployments = _of_kind(docs, "Deployment")
    gateway = _pod_labels(deployments["gateway"])
    services = _of_kind(docs, "Service")
    for name in sorted(ROUTED):
        selector = {"matchLabels": services[name]["spec"]["selector"]} if name in services else {}
        pods = [_pod_labels(d) for d in deployments.values() if selects(selector, _pod_labels(d))]
        if name not in services or not pods:
            problems.append(f"Service {name}: missing, or it selects no Deployment's pods")
            continue
        sources = ingress_sources(docs, pods[0])
        if not sources:
            problems.append(f"Service {name}: no NetworkPolicy lets the gateway in")
        for source in sources:
            if source is None or source == {} or not selects(source, gateway):
                problems.append(f"Service {name}: reachable from more than the gateway")
    return problems


def _engine_problems(docs: list[Doc]) -> list[str]:
    """Each engine is reached only by the processes configured with it."""
    problems = []
    deployments = _of_kind(docs, "Deployment")
    for engine in sorted(ENGINES):
        sources = ingress_sources(docs, {"app.kubernetes.io/name": engine})
        if not sources:
            problems.append(f"engine {engine}: no NetworkPolicy lets its clients in")
        if any(source is None or source == {} for source in sources):
            problems.append(f"engine {engine}: reachable from every pod")
        reaching = {
            name
            for name, deployment in deployments.items()
            if any(source and selects(source, _pod_labels(deployment)) for source in sources)
        }
        strangers = sorted(name for name in reaching if not _uses(deployments[name], engine))
        if strangers:
            problems.append(f"engine {engine}: reached by {strangers}, which do not use it")
    return problems


def _uses(deployment: Doc, engine: str) -> bool:
    """Whether the process is configured with the engine: it holds the engine's
    credentials, or (Kafka, SMTP: no credentials) its pod is labelled a client."""
    suffix = ENGINE_CREDENTIALS.get(engine)
    if suffix is None:
        return _pod_labels(deployment).get(f"engines.motcua/{engine}") == "client"
    return any(name.endswith(suffix) for name in _secret_env(deployment))


def _secret_env(deployment: Doc) -> set[str]:
    return {name for container in _containers(deployment) for name in _from_secrets(container)}


def _from_secrets(container: Doc) -> set[str]:
    """The variables a container takes from a Secret, one key each."""
    return {
        e["name"]
        for e in container.get("env") or []
        if "secretKeyRef" in (e.get("valueFrom") or {})
    }


def secret_problems(docs: list[Doc]) -> list[str]:
    problems = []
    known = known_env_names()
    config = {k: v for cm in _of_kind(docs, "ConfigMap").values() for k, v in cm["data"].items()}
    secret_names = {name for wanted in SECRETS.values() for name in wanted}
    problems += [
        f"ConfigMap holds the secret {name}" for name in sorted(secret_names & set(config))
    ]
    for name, deployment in _of_kind(docs, "Deployment").items():
        for container in _containers(deployment):
            where = f"Deployment {name}"
            for source in container.get("envFrom") or []:
                if "secretRef" in source:
                    problems.append(
                        f"{where}: takes a whole Secret ({source['secretRef']['name']})"
                    )
            given = _from_secrets(container)
            literal = {e["name"] for e in container.get("env") or [] if "value" in e}
            wanted = SECRETS.get(name, set())
            problems += [f"{where}: {s} is not given from a Secret" for s in sorted(wanted - given)]
            problems += [
                f"{where}: gets {s}, which it does not need" for s in sorted(given - wanted)
            ]
            problems += [f"{where}: {s} written in the manifest" for s in sorted(literal & wanted)]
            problems += [f"{where}: unknown setting {s}" for s in sorted(given - known)]
    return problems


def configuration_problems(docs: list[Doc]) -> list[str]:
    config = {k: v for cm in _of_kind(docs, "ConfigMap").values() for k, v in cm["data"].items()}
    problems = []
    for name in sorted(PUBLIC_URLS):
        url = urlparse(config.get(name, ""))
        if url.scheme != "https" or url.hostname in {None, "127.0.0.1", "localhost", "::1"}:
            problems.append(f"ConfigMap: {name} is not a public https address")
    if "MOTCUA_KAFKA_REPLICATION_FACTOR" not in config:
        problems.append("ConfigMap: MOTCUA_KAFKA_REPLICATION_FACTOR is not set")
    for name in ("MOTCUA_DOSSIER_BLOB_S3_URL", "MOTCUA_IDENTITY_BLOB_S3_URL"):
        if urlparse(config.get(name, "")).hostname != "s3":
            problems.append(f"ConfigMap: {name} does not point at the S3 engine")
    return problems


def disruption_problems(docs: list[Doc]) -> list[str]:
    problems = []
    budgets = _of_kind(docs, "PodDisruptionBudget").values()
    for name, deployment in _of_kind(docs, "Deployment").items():
        replicas = deployment["spec"].get("replicas", 1)
        mine = [b for b in budgets if selects(b["spec"]["selector"], _pod_labels(deployment))]
        if replicas > 1 and not mine:
            problems.append(f"Deployment {name}: {replicas} replicas and no PodDisruptionBudget")
        for budget in mine:
            least = budget["spec"].get("minAvailable")
            if isinstance(least, int) and least >= replicas:
                problems.append(f"Deployment {name}: its budget blocks every node drain")
    return problems


def all_problems(docs: list[Doc]) -> list[str]:
    return [
        *schema_problems(docs),
        *restricted_problems(docs),
        *namespace_problems(docs),
        *network_problems(docs),
        *secret_problems(docs),
        *configuration_problems(docs),
        *disruption_problems(docs),
    ]


# --- tests -----------------------------------------------------------------------------


def test_the_rendered_manifests_are_clean() -> None:
    assert all_problems(render()) == []


def test_every_object_gets_the_namespace_and_the_image_its_tag() -> None:
    docs = render()
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {"motcua"}
    images = {c["image"] for d in docs for c in _containers(d)}
    assert images == {"motcua:0.1.0"}


def test_a_kustomization_field_the_renderer_does_not_apply_is_refused(tmp_path: Path) -> None:
    for source in K8S.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text())
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    kustomization["commonLabels"] = {"team": "x"}
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    with pytest.raises(ValueError, match="commonLabels"):
        render(tmp_path)


def _deployment(docs: list[Doc], name: str) -> Doc:
    return _of_kind(docs, "Deployment")[name]


def _container(docs: list[Doc], name: str) -> Doc:
    container: Doc = _deployment(docs, name)["spec"]["template"]["spec"]["containers"][0]
    return container


def _drop_policy(name: str) -> Callable[[list[Doc]], None]:
    def breakage(docs: list[Doc]) -> None:
        docs[:] = [
            d for d in docs if not (d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == name)
        ]

    return breakage


def _open_to_all(docs: list[Doc]) -> None:
    docs.append(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "open", "namespace": "motcua"},
            "spec": {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "dossier"}},
                "policyTypes": ["Ingress"],
                "ingress": [{}],
            },
        }
    )


BREAKAGES: list[tuple[str, Callable[[list[Doc]], None], str]] = [
    (
        "misspelt field",
        lambda d: _container(d, "catalog").update(readinessProbes={}),
        "Deployment catalog: spec.template.spec.containers.0: Additional properties",
    ),
    (
        "writable root",
        lambda d: _container(d, "dossier")["securityContext"].pop("readOnlyRootFilesystem"),
        "Deployment dossier container dossier: root filesystem is writable",
    ),
    (
        "capabilities kept",
        lambda d: _container(d, "notify")["securityContext"].pop("capabilities"),
        "Deployment notify container notify: capabilities do not drop ALL",
    ),
    (
        "no seccomp",
        lambda d: _deployment(d, "gateway")["spec"]["template"]["spec"]["securityContext"].pop(
            "seccompProfile"
        ),
        "Deployment gateway container gateway: seccompProfile is not RuntimeDefault",
    ),
    (
        "root",
        lambda d: _container(d, "payment").setdefault("securityContext", {}).update(runAsUser=0),
        "Deployment payment container payment: runs as root",
    ),
    (
        "no default deny",
        _drop_policy("default-deny-ingress"),
        "Deployment dossier-relay: ingress is not restricted (no default deny)",
    ),
    (
        "service open",
        _open_to_all,
        "Service dossier: reachable from more than the gateway",
    ),
    (
        "engine open",
        _drop_policy("postgres-clients"),
        "engine postgres: no NetworkPolicy lets its clients in",
    ),
    (
        "engine for all",
        lambda d: _pod_labels(_deployment(d, "payment-sandbox")).update(
            {"engines.motcua/postgres": "client"}
        ),
        "engine postgres: reached by ['payment-sandbox'], which do not use it",
    ),
    (
        "key not mounted",
        lambda d: _container(d, "identity").update(
            env=[
                e
                for e in _container(d, "identity")["env"]
                if e["name"] != "MOTCUA_IDENTITY_CAPTCHA_SECRET"
            ]
        ),
        "Deployment identity: MOTCUA_IDENTITY_CAPTCHA_SECRET is not given from a Secret",
    ),
    (
        "every secret to every pod",
        lambda d: _container(d, "catalog")["envFrom"].append(
            {"secretRef": {"name": "motcua-postgres"}}
        ),
        "Deployment catalog: takes a whole Secret (motcua-postgres)",
    ),
    (
        "loopback portal",
        lambda d: _of_kind(d, "ConfigMap")["motcua"]["data"].update(
            MOTCUA_NOTIFY_PORTAL_URL="http://127.0.0.1:8000"
        ),
        "ConfigMap: MOTCUA_NOTIFY_PORTAL_URL is not a public https address",
    ),
    (
        "no budget",
        lambda d: d.remove(_of_kind(d, "PodDisruptionBudget")["gateway"]),
        "Deployment gateway: 2 replicas and no PodDisruptionBudget",
    ),
    (
        "namespace not restricted",
        lambda d: _of_kind(d, "Namespace")["motcua"]["metadata"]["labels"].pop(
            "pod-security.kubernetes.io/enforce"
        ),
        "Namespace motcua: Pod Security restricted is not enforced",
    ),
]


@pytest.mark.parametrize(
    ("breakage", "problem"), [(b, p) for _, b, p in BREAKAGES], ids=[i for i, _, _ in BREAKAGES]
)
def test_a_broken_manifest_is_caught(breakage: Callable[[list[Doc]], None], problem: str) -> None:
    docs = copy.deepcopy(render())
    breakage(docs)
    assert any(p.startswith(problem) for p in all_problems(docs)), all_problems(docs)


def test_label_selectors_follow_kubernetes() -> None:
    labels = {"app.kubernetes.io/name": "dossier", "tier": "api"}
    assert selects({}, labels)
    assert selects({"matchLabels": {"tier": "api"}}, labels)
    assert not selects({"matchLabels": {"tier": "web"}}, labels)
    assert selects(
        {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["api"]}]}, labels
    )
    assert not selects(
        {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["api"]}]}, labels
    )
    assert selects({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, labels)
    assert not selects({"matchExpressions": [{"key": "zone", "operator": "Exists"}]}, labels)
    assert selects({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, labels)


def test_the_image_runs_as_the_non_root_user_the_pods_run_as() -> None:
    dockerfile = (K8S.parents[1] / "Dockerfile").read_text().splitlines()
    user = [line.split()[1] for line in dockerfile if line.startswith("USER ")][-1]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0, "numeric, so runAsNonRoot can be verified"
    assert gid.isdigit() and int(gid) != 0
    for deployment in _of_kind(render(), "Deployment").values():
        pod = deployment["spec"]["template"]["spec"]["securityContext"]
        assert (pod["runAsUser"], pod["runAsGroup"]) == (int(uid), int(gid))
