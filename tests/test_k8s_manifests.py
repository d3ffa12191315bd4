"""deploy/k8s as `kubectl apply -k` would apply it: every object valid against the
Kubernetes schemas (strict: an unknown or misspelt field is an error), every pod
Pod Security "restricted", the network closed but for the suite's own paths, every key
a process needs handed to it from a Secret, and nothing left on a loopback address.

The renderer is tests/support/kustomize.py, the checks tests/support/k8s_checks.py; the
tests below show both that the manifests are clean and that a broken copy is caught.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.support.k8s_checks import all_problems
from tests.support.kustomize import K8S, Doc, containers, of_kind, pod_labels, render, selects


def test_the_rendered_manifests_are_clean() -> None:
    assert all_problems(render()) == []


def test_every_object_gets_the_namespace_and_the_image_its_tag() -> None:
    docs = render()
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {"motcua"}
    images = {c["image"] for d in docs for c in containers(d)}
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
    return of_kind(docs, "Deployment")[name]


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
        lambda d: pod_labels(_deployment(d, "payment-sandbox")).update(
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
        lambda d: of_kind(d, "ConfigMap")["motcua"]["data"].update(
            MOTCUA_NOTIFY_PORTAL_URL="http://127.0.0.1:8000"
        ),
        "ConfigMap: MOTCUA_NOTIFY_PORTAL_URL is not a public https address",
    ),
    (
        "no budget",
        lambda d: d.remove(of_kind(d, "PodDisruptionBudget")["gateway"]),
        "Deployment gateway: 2 replicas and no PodDisruptionBudget",
    ),
    (
        "namespace not restricted",
        lambda d: of_kind(d, "Namespace")["motcua"]["metadata"]["labels"].pop(
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
    for deployment in of_kind(render(), "Deployment").values():
        pod = deployment["spec"]["template"]["spec"]["securityContext"]
        assert (pod["runAsUser"], pod["runAsGroup"]) == (int(uid), int(gid))
