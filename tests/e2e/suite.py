"""The whole suite as production runs it: every process of the launcher's registry
(motcua_ops/services.py), on the test session's engines, in its own state directory,
with its own topic prefix and PostgreSQL schemas, demo data seeded.

Used by the ``suite`` fixture (tests/e2e/plugin.py): the API journey and the
browser tests drive it through the gateway only.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from motcua_ops.services import SERVICES, ServiceSpec, jwks_env
from shared.events.topics import events_topic
from shared.kafka.topics import ensure_topics
from tests.support.dossier_store import rows
from tests.support.engines import Engines
from tests.support.processes import ROOT, ServiceProcess

CONTEXTS = ("identity", "catalog", "dossier", "payment", "notify", "gateway")
EVENT_CONTEXTS = ("identity", "catalog", "dossier", "payment")
DEMO_PROCEDURE = "1.001193"


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.3)


@dataclass
class Suite:
    """Every service process; ``gateway_url`` is the one address callers use."""

    engines: Engines
    run_id: str
    state_dir: Path
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return self.processes["gateway"].url

    @property
    def maildir(self) -> Path:
        """Where the SMTP sink writes every .eml (shared by runs: filter by recipient)."""
        return self.engines.maildir

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    def url(self, service: str) -> str:
        return self.processes[service].url

    def stop(self, service_name: str) -> None:
        """Stop one process (SIGTERM, then SIGKILL); its port stays reserved for start()."""
        self.processes[service_name].stop()

    def start(self, service_name: str, timeout: float = 90.0) -> None:
        """Start one process again on the same port and wait for its /readyz."""
        self.processes[service_name].start(timeout)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An HTTP client on the gateway (no proxy from the environment)."""
        return httpx.Client(
            base_url=self.gateway_url, trust_env=False, timeout=kwargs.pop("timeout", 30), **kwargs
        )

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            self.processes[name].stop()


def _env(engines: Engines, run_id: str, state_dir: Path) -> dict[str, str]:
    env = {
        **engines.env(),
        "MOTCUA_STATE_DIR": str(state_dir),
        "MOTCUA_SMTP_MAILDIR": str(engines.maildir),
        "PYTHONPATH": str(ROOT),
    }
    for context in CONTEXTS:
        prefix = f"MOTCUA_{context.upper()}_"
        env[prefix + "TOPIC_PREFIX"] = f"{run_id}."
        env[prefix + "CONSUMER_GROUP"] = f"{run_id}-{context}"
        env[prefix + "POSTGRES_SCHEMA"] = f"{run_id}_{context}"  # its own schema of this run
    # Every test calls from 127.0.0.1: the per-address limits are raised so a session of
    # API and browser tests never trips them (services/gateway/tests cover the limits).
    env["MOTCUA_GATEWAY_RATE_LOGIN_PER_WINDOW"] = "1000"
    env["MOTCUA_GATEWAY_RATE_LOOKUP_PER_WINDOW"] = "1000"
    env["MOTCUA_GATEWAY_RATE_CLIENT_PER_WINDOW"] = "20000"
    env["MOTCUA_GATEWAY_RATE_ACCOUNT_PER_WINDOW"] = "20000"  # one citizen's schemathesis run
    # every test's citizens register from 127.0.0.1, and schemathesis posts the form too
    env["MOTCUA_IDENTITY_REGISTER_PER_ADDRESS"] = "10000"
    env["MOTCUA_PAYMENT_SANDBOX"] = "true"  # the VNPay sandbox, its public default secret
    env["MOTCUA_PAYMENT_SANDBOX_IPN_BACKOFF_SECONDS"] = "0.3"
    env["MOTCUA_PAYMENT_SANDBOX_IPN_ATTEMPTS"] = "12"
    return env


def _wire(processes: dict[str, ServiceProcess], specs: list[ServiceSpec]) -> dict[str, str]:
    """The addresses every process needs of the others (ports are chosen already)."""
    gateway = processes["gateway"].url
    sandbox = processes["payment-sandbox"].url
    wiring = {spec.url_env: processes[spec.name].url for spec in specs}
    wiring.update(
        {
            "MOTCUA_IDENTITY_PORTAL_URL": gateway,
            "MOTCUA_NOTIFY_PORTAL_URL": gateway,
            "MOTCUA_PAYMENT_VNPAY_PAYMENT_URL": f"{sandbox}/paymentv2/vpcpay.html",
            "MOTCUA_PAYMENT_VNPAY_API_URL": f"{sandbox}/merchant_webapi/api/transaction",
            "MOTCUA_PAYMENT_VNPAY_REPORT_URL": f"{sandbox}/merchant_webapi/api/report",
            "MOTCUA_PAYMENT_VNPAY_RETURN_URL": f"{gateway}/thanh-toan/ket-qua",
            "MOTCUA_PAYMENT_SANDBOX_IPN_URL": f"{gateway}/api/v1/payments/vnpay/ipn",
        }
    )
    # every service checks its callers' tokens against identity's keys (not the test key)
    wiring.update(jwks_env(processes["identity"].url))
    for spec in specs:  # each process keeps its own port variable
        wiring.pop(spec.port_env, None)
    return wiring


def _schemas(engines: Engines, run_id: str, action: str) -> None:
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        for context in CONTEXTS:
            if action == "create":
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{run_id}_{context}"')
            else:
                conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}_{context}" CASCADE')


def _seed(suite: Suite, env: dict[str, str]) -> None:
    """``motcua seed --demo`` against this suite, then wait until it has spread."""
    done = subprocess.run(
        [sys.executable, "-c", "from motcua_ops.cli import app; app()", "seed", "--demo"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"motcua seed --demo failed:\n{done.stdout}\n{done.stderr}"
    dsn, schema = suite.engines.postgres_dsn, f"{suite.run_id}_dossier"
    wait_until(
        lambda: rows(dsn, schema, "procedures", "code = %s", (DEMO_PROCEDURE,)),
        120,
        f"dossier to receive procedure {DEMO_PROCEDURE} from catalog",
    )
    wait_until(
        lambda: rows(dsn, schema, "agencies", "id = %s", ("NB.HOALU",)),
        60,
        "dossier to receive the demo agencies from catalog",
    )
    with suite.client() as api:

        def found() -> bool:
            response = api.get("/api/v1/catalog/procedures", params={"q": "khai sinh"})
            return response.status_code == 200 and DEMO_PROCEDURE in response.text

        wait_until(found, 60, "catalog search to find the demo procedure")


def start_suite(engines: Engines, state_dir: Path) -> Suite:
    run_id = "e" + uuid.uuid4().hex[:10]
    state_dir.mkdir(parents=True, exist_ok=True)
    suite = Suite(engines, run_id, state_dir)
    suite.log_dir.mkdir(parents=True, exist_ok=True)
    env = _env(engines, run_id, state_dir)
    specs = [spec for spec in SERVICES if spec.present()]
    for spec in specs:
        suite.processes[spec.name] = ServiceProcess(spec.module, env, spec.port_env, suite.log_dir)
    wiring = _wire(suite.processes, specs)
    for process in suite.processes.values():
        process.env.update(wiring)
    _schemas(engines, run_id, "create")
    topics = [events_topic(c, f"{run_id}.") for c in EVENT_CONTEXTS]
    asyncio.run(ensure_topics(engines.kafka_bootstrap_servers, topics))
    try:
        # notify first: it creates the key pair identity seals emailed links with.
        suite.start("notify")
        with ThreadPoolExecutor(max_workers=len(specs)) as pool:
            started = [
                pool.submit(process.start, 120.0)
                for name, process in suite.processes.items()
                if name != "notify"
            ]
            for future in started:
                future.result()
        _seed(suite, {**env, **wiring})
    except BaseException:
        stop_suite(suite)
        raise
    return suite


def stop_suite(suite: Suite) -> None:
    suite.stop_all()
    _schemas(suite.engines, suite.run_id, "drop")
