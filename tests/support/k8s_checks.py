"""The checks deploy/k8s must pass beyond its schemas (tests/test_k8s_manifests.py): each
returns the problems it finds, so a test can show both that the manifests are clean and
that a broken copy is caught."""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import urlparse

from kubernetes_validate import utils as kubernetes_validate

from tests.support.kustomize import (
    CLUSTER_SCOPED,
    Doc,
    containers,
    egress_targets,
    ingress_sources,
    of_kind,
    pod_labels,
    pod_spec,
    policies_on,
    selects,
)
from tests.test_deploy_files import known_env_names

KUBERNETES_VERSION = "1.33"
ENGINES = {"postgres", "kafka", "s3", "smtp"}
ENGINE_CREDENTIALS = {"postgres": "_POSTGRES_DSN", "s3": "_BLOB_S3_SECRET_KEY"}
ROUTED = {"identity", "catalog", "dossier", "payment", "notify"}  # behind the gateway
# The HTTP services that verify tokens against identity's keys (MOTCUA_<SERVICE>_JWKS_URL):
# identity lets these in besides the gateway.
VERIFIERS = {"catalog", "dossier", "payment", "notify"}
VOLUME_TYPES = {"configMap", "emptyDir", "projected", "secret", "downwardAPI", "ephemeral"}
VOLUME_TYPES |= {"persistentVolumeClaim", "csi"}

# What each process reads from a Secret: its own PostgreSQL role and the keys it signs,
# seals or verifies with (services/*/settings.py). Nothing else may reach it.
SECRETS = {
    "gateway": {"MOTCUA_GATEWAY_POSTGRES_DSN", "MOTCUA_GATEWAY_CSRF_SECRET"},
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
        spec = pod_spec(doc)
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
        for container in containers(doc):
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
    namespaces = of_kind(docs, "Namespace")
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
    for name, deployment in of_kind(docs, "Deployment").items():
        labels = pod_labels(deployment)
        if not policies_on(docs, labels, "Ingress"):
            problems.append(f"Deployment {name}: ingress is not restricted (no default deny)")
        if not policies_on(docs, labels, "Egress"):
            problems.append(f"Deployment {name}: egress is not restricted (no default deny)")
    return problems


def _service_problems(docs: list[Doc]) -> list[str]:
    """Each routed HTTP service is reached from the gateway's pods and from nothing else;
    identity also from the services that fetch its keys, and those reach it."""
    problems = []
    deployments = of_kind(docs, "Deployment")
    gateway = pod_labels(deployments["gateway"])
    verifiers = [pod_labels(deployments[name]) for name in sorted(VERIFIERS)]
    services = of_kind(docs, "Service")
    for name in sorted(ROUTED):
        selector = {"matchLabels": services[name]["spec"]["selector"]} if name in services else {}
        pods = [pod_labels(d) for d in deployments.values() if selects(selector, pod_labels(d))]
        if name not in services or not pods:
            problems.append(f"Service {name}: missing, or it selects no Deployment's pods")
            continue
        sources = ingress_sources(docs, pods[0])
        if not sources:
            problems.append(f"Service {name}: no NetworkPolicy lets the gateway in")
        allowed = [gateway, *verifiers] if name == "identity" else [gateway]
        for source in sources:
            if source is None or source == {} or not any(selects(source, p) for p in allowed):
                problems.append(f"Service {name}: reachable from more than the gateway")
        if name == "identity":
            problems += [
                f"Deployment {v}: cannot fetch identity's keys (no egress to identity)"
                for v, labels in zip(sorted(VERIFIERS), verifiers, strict=True)
                if not any(selects(source, pods[0]) for source in egress_targets(docs, labels))
            ]
    return problems


def _engine_problems(docs: list[Doc]) -> list[str]:
    """Each engine is reached only by the processes configured with it."""
    problems = []
    deployments = of_kind(docs, "Deployment")
    for engine in sorted(ENGINES):
        sources = ingress_sources(docs, {"app.kubernetes.io/name": engine})
        if not sources:
            problems.append(f"engine {engine}: no NetworkPolicy lets its clients in")
        if any(source is None or source == {} for source in sources):
            problems.append(f"engine {engine}: reachable from every pod")
        reaching = {
            name
            for name, deployment in deployments.items()
            if any(source and selects(source, pod_labels(deployment)) for source in sources)
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
        return pod_labels(deployment).get(f"engines.motcua/{engine}") == "client"
    return any(name.endswith(suffix) for name in _secret_env(deployment))


def _secret_env(deployment: Doc) -> set[str]:
    return {name for container in containers(deployment) for name in _from_secrets(container)}


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
    config = {k: v for cm in of_kind(docs, "ConfigMap").values() for k, v in cm["data"].items()}
    secret_names = {name for wanted in SECRETS.values() for name in wanted}
    problems += [
        f"ConfigMap holds the secret {name}" for name in sorted(secret_names & set(config))
    ]
    for name, deployment in of_kind(docs, "Deployment").items():
        for container in containers(deployment):
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
    config = {k: v for cm in of_kind(docs, "ConfigMap").values() for k, v in cm["data"].items()}
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
    budgets = of_kind(docs, "PodDisruptionBudget").values()
    for name, deployment in of_kind(docs, "Deployment").items():
        replicas = deployment["spec"].get("replicas", 1)
        mine = [b for b in budgets if selects(b["spec"]["selector"], pod_labels(deployment))]
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
