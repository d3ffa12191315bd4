"""Helpers for the payment integration tests (test_payment_*.py beside it):
the three payment processes on the real engines, a citizen's browser at the sandbox,
and reading what reached Kafka and the event store."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import psycopg
from aiokafka import AIOKafkaConsumer

from services.payment.adapters.vnpay import protocol
from services.payment.adapters.vnpay.api_client import VnpayApi
from services.payment.application.payments import PaymentApplication
from services.payment.application.ports import ProviderTransaction
from services.payment.settings import PaymentSettings
from shared.events.envelope import Actor, IntegrationEvent
from shared.kafka.producer import make_producer, publish
from shared.kafka.topics import ensure_topics
from tests.support.engines import Engines
from tests.support.processes import ServiceProcess
from tests.support.tokens import caller

SECRET = "test-secret-" + uuid.uuid4().hex
TMN = "MOTCUATEST"
PAYMENT_REQUESTED = "vn.motcua.dossier.payment_requested"


def citizen(user: str) -> dict[str, str]:
    return caller(user)


def officer(user: str, agency: str, *roles: str) -> dict[str, str]:
    return caller(user, "officer", agency, roles)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class PaymentSuite:
    """The sandbox, the payment API and the payment worker, as production runs them."""

    engines: Engines
    run_id: str
    env: dict[str, str]
    log_dir: Path
    sandbox: ServiceProcess
    api: ServiceProcess
    worker: ServiceProcess
    extra: list[ServiceProcess] = field(default_factory=list)

    @property
    def dossier_topic(self) -> str:
        return f"{self.run_id}.motcua.dossier.events"

    @property
    def payment_topic(self) -> str:
        return f"{self.run_id}.motcua.payment.events"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.api.url, timeout=30, trust_env=False)

    def another_api(self, **overrides: str) -> ServiceProcess:
        process = ServiceProcess(
            "services.payment", {**self.env, **overrides}, "MOTCUA_PAYMENT_PORT", self.log_dir
        )
        self.extra.append(process)
        return process

    def store(self) -> PaymentApplication:
        """The event store itself, read from the test (same settings as the processes)."""
        settings = PaymentSettings(
            sandbox=True,
            postgres_schema=self.env["MOTCUA_PAYMENT_POSTGRES_SCHEMA"],
            postgres_dsn=self.engines.postgres_dsn,
        )
        return PaymentApplication(env=settings.eventstore_env())

    def request_payment(
        self,
        *,
        payer: str,
        amount: int = 150_000,
        level: int = 4,
        agency: str = "HN.TP",
        sequence: int = 7,
        fees: list[dict[str, Any]] | None = None,
        dossier_id: str | None = None,
    ) -> tuple[str, str]:
        """Publish a dossier's ``payment_requested``; returns (dossier id, dossier code)."""
        dossier_id = dossier_id or str(uuid.uuid4())
        code = f"HNTP-261122-{uuid.uuid4().hex[:9].upper()}"
        fees = fees or [{"code": "LP", "name": "Lệ phí cấp giấy phép", "amount": amount}]
        event = IntegrationEvent(
            id=IntegrationEvent.stable_id(dossier_id, sequence),
            source="/motcua/dossier",
            type=PAYMENT_REQUESTED,
            subject=dossier_id,
            time=datetime.now(UTC),
            sequence=sequence,
            actor=Actor(id="officer-1", role="officer", agency=agency),
            data={
                "dossier_id": dossier_id,
                "code": code,
                "procedure_code": "1.009972",
                "procedure_version": 1,
                "procedure_name": "Cấp giấy phép xây dựng",
                "agency_code": agency,
                "payer_id": payer,
                "payer_name": "Nguyễn Thị Hồng",
                "service_level": level,
                "fees": fees,
                "total": sum(int(f["amount"]) for f in fees),
            },
        )
        asyncio.run(publish_to(self.engines.kafka_bootstrap_servers, self.dossier_topic, event))
        return dossier_id, code

    def dossier_event(
        self,
        dossier_id: str,
        kind: str,
        sequence: int,
        data: dict[str, Any],
        actor: Actor | None = None,
    ) -> IntegrationEvent:
        """Publish one more event of a dossier (``withdrawn``, ``rejected``...)."""
        event = IntegrationEvent(
            id=IntegrationEvent.stable_id(dossier_id, sequence),
            source="/motcua/dossier",
            type=f"vn.motcua.dossier.{kind}",
            subject=dossier_id,
            time=datetime.now(UTC),
            sequence=sequence,
            actor=actor or Actor(id="officer-1", role="officer"),
            data=data,
        )
        asyncio.run(publish_to(self.engines.kafka_bootstrap_servers, self.dossier_topic, event))
        return event

    def order_of(self, client: httpx.Client, payer: str, dossier_id: str) -> dict[str, Any]:
        """Wait until the worker opened and projected the dossier's order."""

        def listed() -> dict[str, Any] | None:
            items = client.get(
                "/api/v1/payments/orders", headers=citizen(payer), params={"dossier_id": dossier_id}
            ).json()["items"]
            return items[0] if items else None

        return wait_for(listed, 60, f"the order of dossier {dossier_id}")

    def order(self, client: httpx.Client, payer: str, order_id: str) -> dict[str, Any]:
        response = client.get(f"/api/v1/payments/orders/{order_id}", headers=citizen(payer))
        assert response.status_code == 200, response.text
        return response.json()

    def checkout(
        self, client: httpx.Client, payer: str, order_id: str, key: str | None = None
    ) -> dict[str, Any]:
        response = client.post(
            f"/api/v1/payments/orders/{order_id}/checkout",
            headers={**citizen(payer), "Idempotency-Key": key or uuid.uuid4().hex},
            json={"method": "vnpay", "accept_terms": True},
        )
        assert response.status_code == 201, response.text
        return response.json()

    def pay_at_office(
        self, client: httpx.Client, order_id: str, receipt_no: str, amount: int
    ) -> None:
        """A receiver of ``HN.TP`` records the fee paid at the counter."""
        response = client.post(
            f"/api/v1/payments/orders/{order_id}/office-payment",
            headers={
                **officer("officer-7", "HN.TP", "receiver"),
                "Idempotency-Key": uuid.uuid4().hex,
            },
            json={"receipt_no": receipt_no, "amount": amount},
        )
        assert response.status_code == 200, response.text

    def sandbox_holds(self, order_id: str, days: set[str]) -> dict[str, ProviderTransaction]:
        """What the sandbox holds of the order's attempts, asked through its merchant API
        (the daily report of each GMT+7 day in ``days``), by reference."""
        api = VnpayApi(
            tmn_code=TMN,
            secret=SECRET,
            api_url=self.env["MOTCUA_PAYMENT_VNPAY_API_URL"],
            report_url=self.env["MOTCUA_PAYMENT_VNPAY_REPORT_URL"],
        )
        prefix = uuid.UUID(order_id).hex
        return {
            txn.ref: txn
            for day in sorted(days)
            for txn in api.report(day)
            if txn.ref.startswith(prefix)
        }

    def stored_events(self, order_id: str) -> list[Any]:
        """The order's history as the event store holds it."""
        store = self.store()
        try:
            return list(store.repository.event_store.get(uuid.UUID(order_id)))
        finally:
            store.close()

    def kinds(self, order_id: str) -> list[str]:
        """The order's event kinds on the payment topic (``order_paid``...)."""
        return [e.type.rsplit(".", 1)[1] for e in self.payment_events(order_id)]

    def payment_events(self, order_id: str | None = None) -> list[IntegrationEvent]:
        events = asyncio.run(read_topic(self.engines.kafka_bootstrap_servers, self.payment_topic))
        return [e for e in events if order_id is None or e.subject == order_id]

    def stop(self) -> None:
        for process in (*self.extra, self.worker, self.api, self.sandbox):
            process.stop()


def browser_pays(payment_url: str, action: str = "pay") -> httpx.Response:
    """Open the sandbox page as a browser does, press a button; returns the redirect."""
    with httpx.Client(timeout=30, trust_env=False) as browser:
        page = browser.get(payment_url)
        assert page.status_code == 200, page.text
        for label in ("Thanh toán", "Hủy", "Giao dịch thất bại"):
            assert label in page.text
        token = re.search(r'name="token" value="([0-9a-f]+)"', page.text)
        assert token, page.text
        base = payment_url.split("/paymentv2/")[0]
        redirect = browser.post(
            f"{base}/paymentv2/confirm", data={"token": token.group(1), "action": action}
        )
        assert redirect.status_code == 302, redirect.text
        return redirect


def result_params(redirect: httpx.Response) -> dict[str, str]:
    """The signed result the sandbox sent the browser back with (the same as its IPN)."""
    return dict(parse_qsl(urlsplit(redirect.headers["location"]).query))


def signed(params: dict[str, str], secret: str = SECRET) -> dict[str, str]:
    clean = {k: v for k, v in params.items() if k not in protocol.HASH_FIELDS}
    return {**clean, "vnp_SecureHash": protocol.sign(clean, secret)}


def distinct_ids(events: list[IntegrationEvent], kind: str) -> set[str]:
    return {str(e.id) for e in events if e.type == f"vn.motcua.payment.{kind}"}


async def publish_to(bootstrap: str, topic: str, event: IntegrationEvent) -> None:
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        await publish(producer, topic, event)
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str) -> list[IntegrationEvent]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[IntegrationEvent] = []
    try:
        while batch := await consumer.getmany(timeout_ms=2000):
            for records in batch.values():
                found.extend(IntegrationEvent.from_bytes(r.value) for r in records)
    finally:
        await consumer.stop()
    return found


@contextmanager
def payment_suite(
    engines: Engines, tmp_path: Path, *, start_worker: bool = True, **overrides: str
) -> Iterator[PaymentSuite]:
    """The three processes on a fresh PostgreSQL schema (the processes migrate it; it is
    dropped at the end) and a fresh topic prefix."""
    run_id = "p" + uuid.uuid4().hex[:12]
    env = {
        **engines.env(),
        "MOTCUA_STATE_DIR": str(tmp_path / "state"),
        "MOTCUA_PAYMENT_TOPIC_PREFIX": f"{run_id}.",
        "MOTCUA_PAYMENT_CONSUMER_GROUP": run_id,
        "MOTCUA_PAYMENT_POSTGRES_SCHEMA": run_id,
        "MOTCUA_PAYMENT_SANDBOX_DB_PATH": str(tmp_path / "sandbox.db"),
        "MOTCUA_PAYMENT_VNPAY_TMN_CODE": TMN,
        "MOTCUA_PAYMENT_VNPAY_HASH_SECRET": SECRET,
        "MOTCUA_PAYMENT_SANDBOX": "true",  # the sandbox provider; failpoints allowed
        "MOTCUA_PAYMENT_SANDBOX_IPN_BACKOFF_SECONDS": "0.3",
        "MOTCUA_PAYMENT_SANDBOX_IPN_ATTEMPTS": "12",
        "MOTCUA_PAYMENT_LATE_CHARGE_SWEEP_SECONDS": "0.5",
    }
    sandbox = ServiceProcess(
        "services.payment.sandbox", env, "MOTCUA_PAYMENT_SANDBOX_PORT", tmp_path
    )
    sandbox_url = f"http://127.0.0.1:{sandbox.port}"
    env.update(
        {
            "MOTCUA_PAYMENT_VNPAY_PAYMENT_URL": f"{sandbox_url}/paymentv2/vpcpay.html",
            "MOTCUA_PAYMENT_VNPAY_API_URL": f"{sandbox_url}/merchant_webapi/api/transaction",
            "MOTCUA_PAYMENT_VNPAY_REPORT_URL": f"{sandbox_url}/merchant_webapi/api/report",
        }
    )
    api = ServiceProcess("services.payment", {**env, **overrides}, "MOTCUA_PAYMENT_PORT", tmp_path)
    env["MOTCUA_PAYMENT_VNPAY_RETURN_URL"] = f"{api.url}/api/v1/payments/vnpay/return"
    env["MOTCUA_PAYMENT_SANDBOX_IPN_URL"] = f"{api.url}/api/v1/payments/vnpay/ipn"
    api.env.update(
        {k: env[k] for k in ("MOTCUA_PAYMENT_VNPAY_RETURN_URL", "MOTCUA_PAYMENT_SANDBOX_IPN_URL")}
    )
    sandbox.env.update(env)
    sandbox.env["MOTCUA_PAYMENT_SANDBOX_PORT"] = str(sandbox.port)
    worker = ServiceProcess(
        "services.payment.entrypoints.worker", env, "MOTCUA_PAYMENT_WORKER_PORT", tmp_path
    )
    suite = PaymentSuite(engines, run_id, env, tmp_path, sandbox, api, worker)
    asyncio.run(
        ensure_topics(engines.kafka_bootstrap_servers, [suite.dossier_topic, suite.payment_topic])
    )
    try:
        sandbox.start()
        api.start()
        if start_worker:
            worker.start(timeout=90)
        yield suite
    finally:
        suite.stop()
        with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')
