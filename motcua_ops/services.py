"""The service processes (`python -m services.<name>`), started after the engines."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from motcua_ops import procs
from motcua_ops.blob_copy import copy_local_blobs
from motcua_ops.paths import REPO_ROOT, Paths, child_env
from motcua_ops.ports import pick_port, port_is_free
from motcua_ops.state import (
    engine_state_path,
    load_services,
    read_json,
    recorded_ports,
    service_state_path,
    state_lock,
    write_json,
)
from motcua_ops.ui import step


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    port_env: str
    default_port: int | None = None
    cwd: Path = REPO_ROOT

    @property
    def url_env(self) -> str:
        """The env var telling the gateway (and others) where this service is."""
        return f"MOTCUA_GATEWAY_{self.name.upper().replace('-', '_')}_URL"

    @property
    def marker(self) -> str:
        return f"-m {self.module}"

    def present(self) -> bool:
        base = self.cwd / self.module.replace(".", "/")
        return base.with_suffix(".py").is_file() or (base / "__main__.py").is_file()


SERVICES = [
    ServiceSpec("identity", "services.identity", "MOTCUA_IDENTITY_PORT"),
    ServiceSpec("catalog", "services.catalog", "MOTCUA_CATALOG_PORT"),
    ServiceSpec("dossier", "services.dossier", "MOTCUA_DOSSIER_PORT"),
    ServiceSpec("dossier-relay", "services.dossier.entrypoints.relay", "MOTCUA_DOSSIER_RELAY_PORT"),
    ServiceSpec(
        "dossier-worker", "services.dossier.entrypoints.worker", "MOTCUA_DOSSIER_WORKER_PORT"
    ),
    ServiceSpec(
        "payment-sandbox",
        "services.payment.sandbox",
        "MOTCUA_PAYMENT_SANDBOX_PORT",
        default_port=8091,
    ),
    ServiceSpec("payment", "services.payment", "MOTCUA_PAYMENT_PORT"),
    ServiceSpec(
        "payment-worker", "services.payment.entrypoints.worker", "MOTCUA_PAYMENT_WORKER_PORT"
    ),
    ServiceSpec("notify", "services.notify", "MOTCUA_NOTIFY_PORT"),
    ServiceSpec("gateway", "services.gateway", "MOTCUA_GATEWAY_PORT", default_port=8000),
]


# The services whose routes verify the caller's access token against identity's JWK set
# (identity checks with its own keys, the gateway finds it from MOTCUA_GATEWAY_IDENTITY_URL).
TOKEN_SERVICES = ("catalog", "dossier", "payment", "notify")


def jwks_env(identity_url: str) -> dict[str, str]:
    """``MOTCUA_<SERVICE>_JWKS_URL`` of every service that verifies tokens."""
    jwks = f"{identity_url.rstrip('/')}/.well-known/jwks.json"
    return {f"MOTCUA_{name.upper()}_JWKS_URL": jwks for name in TOKEN_SERVICES}


@dataclass
class ServiceResult:
    name: str
    url: str
    pid: int | None
    state: str  # started | running | missing | failed | stopped
    detail: str = field(default="")
    consumer_lag: int | None = None  # summed over the process's groups and partitions
    relay_lag: int | None = None  # its outbox relays: notifications not yet published

    @property
    def ok(self) -> bool:
        return self.state in ("started", "running")


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with httpx.Client(trust_env=False, timeout=timeout) as client:
            return client.get(url).status_code == 200
    except httpx.HTTPError:
        return False


def process_lag(url: str, timeout: float = 2.0) -> tuple[int | None, int | None]:
    """(consumer lag, relay lag) totals from a process's /metrics; None for what it lacks."""
    try:
        with httpx.Client(trust_env=False, timeout=timeout) as client:
            response = client.get(f"{url}/metrics")
    except httpx.HTTPError:
        return None, None
    if response.status_code != 200:
        return None, None
    return lag_totals(response.text)


def lag_totals(metrics: str) -> tuple[int | None, int | None]:
    """Sums of ``motcua_consumer_lag`` and ``motcua_outbox_lag`` in Prometheus text."""
    totals: dict[str, int] = {}
    for family in text_string_to_metric_families(metrics):
        if family.name in ("motcua_consumer_lag", "motcua_outbox_lag") and family.samples:
            totals[family.name] = sum(int(sample.value) for sample in family.samples)
    return totals.get("motcua_consumer_lag"), totals.get("motcua_outbox_lag")


def start_services(
    state_dir: Path | None = None, specs: list[ServiceSpec] | None = None, timeout: float = 90.0
) -> list[ServiceResult]:
    """Start every service that is not running, then wait for all /readyz in parallel."""
    specs = SERVICES if specs is None else specs
    paths = Paths.resolve(state_dir)
    paths.ensure()
    path = service_state_path(paths.state)
    with state_lock(paths.state):
        recorded = load_services(paths.state)
        taken = recorded_ports(paths.state)
        ports = {
            s.name: pick_port(
                s.port_env, recorded.get(s.name, {}).get("port"), taken, s.default_port
            )
            for s in specs
        }
        urls = {s.name: f"http://127.0.0.1:{ports[s.name]}" for s in specs}
        blobs = blob_store_env(paths.state)
        copy_local_blobs(paths.state, blobs)  # files kept on disk before S3 stay reachable
        env = {"MOTCUA_STATE_DIR": str(paths.state), **blobs}
        env.update({s.url_env: urls[s.name] for s in specs})
        if "MOTCUA_PAYMENT_SANDBOX" not in os.environ:
            # the local suite pays through the VNPay sandbox, with its public default secret
            env["MOTCUA_PAYMENT_SANDBOX"] = "true"
        identity_url = urls.get("identity") or recorded.get("identity", {}).get("url")
        if isinstance(identity_url, str):
            env.update(jwks_env(identity_url))  # as the URLs above: this suite's identity
        if "gateway" in urls and "MOTCUA_PAYMENT_VNPAY_RETURN_URL" not in os.environ:
            # the provider sends the payer back to the portal, wherever the gateway listens
            env["MOTCUA_PAYMENT_VNPAY_RETURN_URL"] = f"{urls['gateway']}/thanh-toan/ket-qua"
        results: dict[str, ServiceResult] = {}
        for spec in specs:
            results[spec.name] = _start_one(spec, paths, recorded, ports, urls[spec.name], env)
            if results[spec.name].pid:
                recorded[spec.name] = {
                    "url": urls[spec.name],
                    "port": ports[spec.name],
                    "pid": results[spec.name].pid,
                }
                write_json(path, recorded)
        _wait_ready(specs, results, paths, timeout)
        for result in results.values():
            if result.state == "failed" and result.name in recorded:
                recorded[result.name]["pid"] = None
        write_json(path, recorded)
    return [results[s.name] for s in specs]


# The services that keep files (attachments, results, the document wallet).
BLOB_SERVICES = ("dossier", "identity")


def blob_store_env(state: Path) -> dict[str, str]:
    """The launcher's S3 engine (versitygw) as the file store of the services with files,
    as a province would run them. A service whose ``MOTCUA_<SERVICE>_BLOB_S3_URL`` is in
    the environment keeps that (set it empty for local disk)."""
    s3 = read_json(engine_state_path(state)).get("s3")
    if not s3:
        return {}
    env = {}
    for service in BLOB_SERVICES:
        prefix = f"MOTCUA_{service.upper()}_BLOB_S3_"
        if prefix + "URL" not in os.environ:
            env.update(
                {
                    prefix + "URL": s3["url"],
                    prefix + "REGION": s3["region"],
                    prefix + "ACCESS_KEY": s3["access_key"],
                    prefix + "SECRET_KEY": s3["secret_key"],
                }
            )
    return env


def _start_one(
    spec: ServiceSpec,
    paths: Paths,
    recorded: dict[str, dict[str, object]],
    ports: dict[str, int],
    url: str,
    env: dict[str, str],
) -> ServiceResult:
    previous = recorded.get(spec.name, {})
    pid = previous.get("pid")
    if isinstance(pid, int) and procs.pid_alive(pid, spec.marker):
        if previous.get("port") == ports[spec.name]:
            return ServiceResult(spec.name, url, pid, "running")
        procs.stop(pid, spec.marker)
    if not spec.present():
        return ServiceResult(spec.name, url, None, "missing", f"no module {spec.module} yet")
    if not port_is_free(ports[spec.name]):
        return ServiceResult(
            spec.name,
            url,
            None,
            "failed",
            f"port {ports[spec.name]} is used by another process "
            f"(choose one with {spec.port_env}=<port>)",
        )
    child = child_env({**env, spec.port_env: str(ports[spec.name])})
    with step(f"starting {spec.name}"):
        pid = procs.spawn(
            [sys.executable, "-m", spec.module], paths.log(spec.name), env=child, cwd=spec.cwd
        )
    return ServiceResult(spec.name, url, pid, "started")


def _wait_ready(
    specs: list[ServiceSpec], results: dict[str, ServiceResult], paths: Paths, timeout: float
) -> None:
    pending = {s.name: s for s in specs if results[s.name].ok}
    deadline = time.monotonic() + timeout
    with step(f"waiting for {len(pending)} service(s) to answer /readyz"):
        while pending:
            for name, spec in list(pending.items()):
                result = results[name]
                if http_ok(f"{result.url}/readyz"):
                    del pending[name]
                elif not procs.pid_alive(result.pid, spec.marker):
                    _fail(result, spec, paths, "exited during start-up")
                    del pending[name]
            if pending and time.monotonic() > deadline:
                for name, spec in pending.items():
                    _fail(results[name], spec, paths, f"not ready within {timeout:.0f}s")
                    procs.stop(results[name].pid, spec.marker)
                pending.clear()
            time.sleep(0.3 if pending else 0)


def _fail(result: ServiceResult, spec: ServiceSpec, paths: Paths, problem: str) -> None:
    result.state = "failed"
    result.detail = f"{spec.name} {problem}\n{procs.log_tail(paths.log(spec.name))}"


def stop_services(
    state_dir: Path | None = None, specs: list[ServiceSpec] | None = None
) -> list[str]:
    """Stop the recorded services, gateway first; return the names that were running."""
    specs = SERVICES if specs is None else specs
    paths = Paths.resolve(state_dir)
    path = service_state_path(paths.state)
    stopped = []
    with state_lock(paths.state):
        recorded = load_services(paths.state)
        for spec in reversed(specs):
            entry = recorded.get(spec.name)
            if entry and procs.stop(entry.get("pid"), spec.marker, timeout=10.0):
                stopped.append(spec.name)
            if entry:
                entry["pid"] = None
        if recorded:
            write_json(path, recorded)
    return stopped


def service_status(
    state_dir: Path | None = None, specs: list[ServiceSpec] | None = None
) -> list[ServiceResult]:
    specs = SERVICES if specs is None else specs
    recorded = load_services(Paths.resolve(state_dir).state)
    result = []
    for spec in specs:
        entry = recorded.get(spec.name, {})
        pid, url = entry.get("pid"), entry.get("url", "-")
        if not spec.present() and not pid:
            result.append(ServiceResult(spec.name, url, None, "missing"))
        elif procs.pid_alive(pid, spec.marker) and http_ok(f"{url}/healthz"):
            consumer, relay = process_lag(url)
            result.append(
                ServiceResult(
                    spec.name, url, pid, "running", consumer_lag=consumer, relay_lag=relay
                )
            )
        else:
            result.append(ServiceResult(spec.name, url, pid, "stopped"))
    return result
