"""deploy/k8s as `kubectl apply -k` would apply it, without kustomize: our kustomization
is flat (resources, a namespace, image tags), so a small renderer does; it refuses any
other field rather than ignore it. Also Kubernetes label selectors, and which
NetworkPolicies let what reach a pod."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
KUSTOMIZE_FIELDS = {"apiVersion", "kind", "namespace", "resources", "images"}
CLUSTER_SCOPED = {"Namespace"}

Doc = dict[str, Any]


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
            for container in containers(doc):
                container["image"] = _image(container["image"], images)
            docs.append(doc)
    return docs


def _image(image: str, images: dict[str, Doc]) -> str:
    name, _, tag = image.partition(":")
    override = images.get(name)
    if override is None:
        return image
    return f"{override.get('newName', name)}:{override.get('newTag', tag or 'latest')}"


def pod_spec(doc: Doc) -> Doc | None:
    if doc.get("kind") in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
        spec: Doc = doc["spec"]["template"]["spec"]
        return spec
    return None


def containers(doc: Doc) -> list[Doc]:
    spec = pod_spec(doc)
    if spec is None:
        return []
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def of_kind(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


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


def pod_labels(deployment: Doc) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def policies_on(docs: list[Doc], labels: dict[str, str], direction: str) -> list[Doc]:
    return [
        p
        for p in of_kind(docs, "NetworkPolicy").values()
        if direction in p["spec"].get("policyTypes", [])
        and selects(p["spec"]["podSelector"], labels)
    ]


def ingress_sources(docs: list[Doc], labels: dict[str, str]) -> list[Doc | None]:
    """Who may open a connection to pods with ``labels``: each allowed peer's pod
    selector, None for a rule open to every source; [] when nothing is allowed."""
    sources: list[Doc | None] = []
    for policy in policies_on(docs, labels, "Ingress"):
        for rule in policy["spec"].get("ingress") or []:
            peers = rule.get("from")
            if not peers:
                sources.append(None)
                continue
            for peer in peers:
                sources.append(peer.get("podSelector"))
    return sources


def egress_targets(docs: list[Doc], labels: dict[str, str]) -> list[Doc]:
    """The pod selectors pods with ``labels`` may open a connection to (peers given by pod
    selector only: DNS and external blocks are not pods of ours)."""
    return [
        peer["podSelector"]
        for policy in policies_on(docs, labels, "Egress")
        for rule in policy["spec"].get("egress") or []
        for peer in rule.get("to") or []
        if "podSelector" in peer
    ]
