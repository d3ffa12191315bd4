"""docker-compose.yml and deploy/k8s agree with the code: names, processes, probes.

Each check returns the problems it finds, so the tests below can show both that
the real files are clean and that a broken copy (a typo'd variable, a missing
healthcheck) is caught.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from services.catalog.settings import CatalogSettings
from services.dossier.settings import DossierSettings
from services.gateway.settings import GatewaySettings
from services.identity.settings import IdentitySettings
from services.notify.settings import NotifySettings
from services.payment.settings import PaymentSettings
from shared.blob_settings import BlobSettings
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS: list[type[ServiceSettings]] = [
    IdentitySettings,
    CatalogSettings,
    DossierSettings,
    PaymentSettings,
    NotifySettings,
    GatewaySettings,
]
# Read by shared/settings.py for every service, outside any service prefix.
SUITE_WIDE = {
    "MOTCUA_KAFKA_BOOTSTRAP_SERVERS",
    "MOTCUA_KAFKA_REPLICATION_FACTOR",
    "MOTCUA_POSTGRES_DSN",
    "MOTCUA_SMTP_HOST",
    "MOTCUA_SMTP_PORT",
    "MOTCUA_STATE_DIR",
}

# Images of real S3-compatible servers (the launcher runs versitygw too).
S3_SERVERS = ("versity/versitygw:",)

Doc = dict[str, Any]


def known_env_names() -> set[str]:
    names = set(SUITE_WIDE)
    for settings in SETTINGS:
        prefix = settings.model_config["env_prefix"]
        names |= {prefix + field.upper() for field in settings.model_fields}
    return names


def process_modules() -> set[str]:
    """Every runnable process in the code: each services package with a ``__main__``."""
    return {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "services").glob("**/__main__.py")
    }


def load_compose() -> Doc:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def load_k8s() -> list[Doc]:
    """The manifests ``kubectl apply -k deploy/k8s`` applies."""
    k8s = ROOT / "deploy" / "k8s"
    resources = yaml.safe_load((k8s / "kustomization.yaml").read_text())["resources"]
    docs = (yaml.safe_load_all((k8s / name).read_text()) for name in resources)
    return [doc for file_docs in docs for doc in file_docs if doc]


def _env(container: Doc) -> dict[str, str]:
    env = container.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): str(value) for key, value in env.items()}


def _module(command: Any) -> str | None:
    """``services.x`` from ``python -m services.x``, else None."""
    if isinstance(command, str):
        command = command.split()
    if isinstance(command, list) and len(command) >= 3 and command[1] == "-m":
        return command[2]
    return None


def compose_problems(compose: Doc) -> list[str]:
    services: dict[str, Doc] = compose.get("services") or {}
    known = known_env_names()
    problems = []
    for name, service in services.items():
        if "image" not in service and "build" not in service:
            problems.append(f"{name}: neither image nor build")
        if not (service.get("healthcheck") or {}).get("test"):
            problems.append(f"{name}: no healthcheck")
        depends_on = service.get("depends_on") or []
        problems += [f"{name}: depends on unknown {t}" for t in depends_on if t not in services]
        env = _env(service)
        problems += [
            f"{name}: unknown setting {var}"
            for var in env
            if var.startswith("MOTCUA_") and var not in known
        ]
        problems += [
            f"{name}: {var} points at {value}, not a compose service"
            for var, value in env.items()
            if var.startswith("MOTCUA_GATEWAY_")
            and var.endswith("_URL")
            and urlparse(value).hostname not in services
        ]
        module = _module(service.get("command"))
        if module is not None and importlib.util.find_spec(module) is None:
            problems.append(f"{name}: runs {module}, which does not exist")
    missing = process_modules() - {_module(s.get("command")) for s in services.values()}
    problems += [f"process {module} has no compose service" for module in sorted(missing)]
    return problems


def _processes(compose: Doc) -> dict[str, Doc]:
    """The compose services running Một Cửa code (``python -m services.…``)."""
    return {
        name: service
        for name, service in compose["services"].items()
        if (_module(service.get("command")) or "").startswith("services.")
    }


def _named_volume_mounts(service: Doc) -> list[tuple[str, bool]]:
    """(volume, read-only) for each named volume of ``service`` (short syntax)."""
    mounts = []
    for entry in service.get("volumes") or []:
        source, _, rest = str(entry).partition(":")
        if source and not source.startswith((".", "/")):
            mounts.append((source, rest.endswith(":ro")))
    return mounts


def volume_problems(compose: Doc) -> list[str]:
    """A volume is written by one process at most: no process reads another's keys."""
    writers: dict[str, set[str]] = {}
    for name, service in _processes(compose).items():
        for volume, read_only in _named_volume_mounts(service):
            if not read_only:
                writers.setdefault(volume, set()).add(name)
    return [
        f"volume {volume} is written by {', '.join(sorted(names))}"
        for volume, names in sorted(writers.items())
        if len(names) > 1
    ]


def _blob_services() -> set[str]:
    return {s.service_name() for s in SETTINGS if issubclass(s, BlobSettings)}


def s3_problems(compose: Doc) -> list[str]:
    services: dict[str, Doc] = compose["services"]
    s3 = {n for n, s in services.items() if str(s.get("image", "")).startswith(S3_SERVERS)}
    if not s3:
        return ["no S3 server: files would sit on one container's disk"]
    problems = []
    for name in sorted(_blob_services()):
        env = _env(services.get(name, {}))
        prefix = f"MOTCUA_{name.upper()}_BLOB_S3_"
        if urlparse(env.get(prefix + "URL", "")).hostname not in s3:
            problems.append(f"{name}: {prefix}URL does not point at the S3 service")
        problems += [
            f"{name}: {prefix}{key} is not set"
            for key in ("ACCESS_KEY", "SECRET_KEY")
            if not env.get(prefix + key)
        ]
        if not set(services.get(name, {}).get("depends_on") or []) & s3:
            problems.append(f"{name}: does not wait for the S3 service")
    return problems


def _deployments(docs: list[Doc]) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == "Deployment"}


def k8s_problems(docs: list[Doc], compose: Doc) -> list[str]:
    known = known_env_names()
    config_maps = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "ConfigMap"}
    problems = [
        f"ConfigMap {name}: unknown setting {var}"
        for name, config_map in config_maps.items()
        for var in config_map.get("data") or {}
        if var.startswith("MOTCUA_") and var not in known
    ]
    modules = set()
    for name, deployment in _deployments(docs).items():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            modules.add(_module(container.get("command")))
            for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                if (container.get(probe) or {}).get("httpGet", {}).get("path") != path:
                    problems.append(f"Deployment {name}: {probe} is not GET {path}")
            for source in container.get("envFrom") or []:
                ref = (source.get("configMapRef") or {}).get("name")
                if ref is not None and ref not in config_maps:
                    problems.append(f"Deployment {name}: unknown ConfigMap {ref}")
    in_compose = {
        module
        for s in compose["services"].values()
        if (module := _module(s.get("command"))) is not None
    }
    problems += [f"{m} runs in compose but not in deploy/k8s" for m in sorted(in_compose - modules)]
    return problems


def _rename_env(compose: Doc, service: str, old: str, new: str) -> Doc:
    broken = copy.deepcopy(compose)
    env = broken["services"][service]["environment"]
    env[new] = env.pop(old)
    return broken


def test_compose_file_is_consistent_with_the_code() -> None:
    assert compose_problems(load_compose()) == []


def test_k8s_manifests_run_every_compose_process_with_probes() -> None:
    assert k8s_problems(load_k8s(), load_compose()) == []


def test_no_volume_is_shared_by_the_processes() -> None:
    assert volume_problems(load_compose()) == []


def test_files_go_to_the_s3_service() -> None:
    assert s3_problems(load_compose()) == []


def test_the_shared_state_volume_of_old_is_caught() -> None:
    broken = copy.deepcopy(load_compose())
    for service in _processes(broken).values():
        service["volumes"] = ["motcua-state:/var/lib/motcua"]
    assert volume_problems(broken) == [
        f"volume motcua-state is written by {', '.join(sorted(_processes(broken)))}"
    ]


def test_a_read_only_mount_of_another_process_volume_is_allowed() -> None:
    compose = load_compose()
    identity = dict(_named_volume_mounts(compose["services"]["identity"]))
    assert identity["link-seal-public"] is True  # notify writes it; identity only reads
    assert "notify-state" not in identity  # never notify's private key


@pytest.mark.parametrize(
    ("breakage", "problem"),
    [
        (
            lambda c: c["services"].pop("s3"),
            "no S3 server: files would sit on one container's disk",
        ),
        (
            lambda c: c["services"]["dossier"]["environment"].pop("MOTCUA_DOSSIER_BLOB_S3_URL"),
            "dossier: MOTCUA_DOSSIER_BLOB_S3_URL does not point at the S3 service",
        ),
        (
            lambda c: c["services"]["identity"]["environment"].pop(
                "MOTCUA_IDENTITY_BLOB_S3_SECRET_KEY"
            ),
            "identity: MOTCUA_IDENTITY_BLOB_S3_SECRET_KEY is not set",
        ),
    ],
)
def test_files_on_a_container_disk_are_caught(breakage: Any, problem: str) -> None:
    broken = copy.deepcopy(load_compose())
    breakage(broken)
    assert problem in s3_problems(broken)


def test_every_payment_process_starts_with_its_compose_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sandbox mode where the public default secret is used, so none is refused."""
    for name, service in _processes(load_compose()).items():
        if not str(_module(service.get("command"))).startswith("services.payment"):
            continue
        with monkeypatch.context() as env:
            for var, value in _env(service).items():
                env.setenv(var, value)
            assert PaymentSettings().sandbox, name


def test_a_typo_in_a_setting_name_is_caught() -> None:
    broken = _rename_env(load_compose(), "dossier", "MOTCUA_DOSSIER_PORT", "MOTCUA_DOSIER_PORT")
    assert compose_problems(broken) == ["dossier: unknown setting MOTCUA_DOSIER_PORT"]


@pytest.mark.parametrize(
    ("breakage", "problem"),
    [
        (lambda c: c["services"]["postgres"].pop("healthcheck"), "postgres: no healthcheck"),
        (lambda c: c["services"]["gateway"].pop("healthcheck"), "gateway: no healthcheck"),
        (
            lambda c: c["services"]["notify"]["depends_on"].update(smtp={}),
            "notify: depends on unknown smtp",
        ),
        (
            lambda c: c["services"]["gateway"]["environment"].update(
                MOTCUA_GATEWAY_DOSSIER_URL="http://dossiers:8000"
            ),
            "gateway: MOTCUA_GATEWAY_DOSSIER_URL points at http://dossiers:8000, "
            "not a compose service",
        ),
        (
            lambda c: c["services"]["catalog"].update(command="python -m services.catalogue"),
            "catalog: runs services.catalogue, which does not exist",
        ),
        (
            lambda c: c["services"].pop("dossier-relay"),
            "process services.dossier.entrypoints.relay has no compose service",
        ),
    ],
)
def test_a_broken_compose_file_is_caught(breakage: Any, problem: str) -> None:
    broken = copy.deepcopy(load_compose())
    breakage(broken)
    assert problem in compose_problems(broken)


def test_every_manifest_is_in_the_kustomization() -> None:
    k8s = ROOT / "deploy" / "k8s"
    listed = set(yaml.safe_load((k8s / "kustomization.yaml").read_text())["resources"])
    assert {p.name for p in k8s.glob("*.yaml")} - {"kustomization.yaml"} == listed


def test_a_process_missing_from_k8s_is_caught() -> None:
    docs = [d for d in load_k8s() if d["metadata"]["name"] != "payment"]
    assert "services.payment runs in compose but not in deploy/k8s" in k8s_problems(
        docs, load_compose()
    )


def test_replicas_scale_the_stateless_and_keep_one_relay() -> None:
    replicas = {name: d["spec"]["replicas"] for name, d in _deployments(load_k8s()).items()}
    assert replicas["gateway"] == 2
    assert replicas["dossier"] == 2
    assert replicas["dossier-relay"] == 1
    relay = _deployments(load_k8s())["dossier-relay"]
    assert relay["spec"]["strategy"]["type"] == "Recreate"  # never two relays, even briefly
