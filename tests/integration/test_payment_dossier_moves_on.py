"""The whole path on the real engines: a dossier's approval asks for the fee
(``payment_requested`` through the dossier's outbox), the payment worker opens the
order, the citizen pays through the sandbox (URL, page, IPN), ``order_paid`` leaves
through the payment outbox, and the dossier worker moves the dossier on."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.payment.tests.integration.support import (
    browser_pays,
    citizen,
    payment_suite,
    wait_for,
)
from shared.events.envelope import Actor, IntegrationEvent
from shared.kafka.producer import make_producer, publish
from tests.support.engines import Engines
from tests.support.processes import ServiceProcess
from tests.support.tokens import caller

pytestmark = pytest.mark.integration

AGENCY = "NB.HOALU"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROCEDURE = {
    "code": "1.001193",
    "version": 1,
    "name": "Đăng ký khai sinh",
    "field_code": "HT",
    "service_level": 4,
    "mode": "toan_trinh",
    "agency_codes": [AGENCY],
    "government_level": "commune",
    "steps": ["Nộp hồ sơ"],
    "required_documents": [
        {
            "code": "giay_chung_sinh",
            "name": "Giấy chứng sinh",
            "originals": 1,
            "copies": 0,
            "required": True,
            "wallet_types": [],
        },
    ],
    "form_schema": {
        "type": "object",
        "properties": {"ho_ten_tre": {"type": "string"}},
        "required": ["ho_ten_tre"],
    },
    "form_ui": {},
    "time_limit_days": 3,
    "fees": [{"code": "le_phi", "name": "Lệ phí đăng ký khai sinh", "amount": 8000}],
    "result_delivery": ["office", "online"],
    "legal_basis": ["Luật Hộ tịch 2014"],
}
OFFICER = caller(
    "can-bo-1", "officer", AGENCY, ["receiver", "processor", "approver", "agency_admin"]
)


async def _publish(bootstrap: str, topic: str, event: IntegrationEvent) -> None:
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        await publish(producer, topic, event)
    finally:
        await producer.stop()


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


def _until(check: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    return wait_for(check, timeout, what)


def test_paying_through_the_sandbox_moves_the_dossier_on(
    engines: Engines, event_store_env: dict[str, str], tmp_path: Path
) -> None:
    with payment_suite(engines, tmp_path) as suite:
        env = {
            **engines.env(),
            **event_store_env,
            "MOTCUA_STATE_DIR": str(tmp_path / "state"),
            "MOTCUA_DOSSIER_TOPIC_PREFIX": f"{suite.run_id}.",
            "MOTCUA_DOSSIER_CONSUMER_GROUP": f"{suite.run_id}d",
        }
        dossier_processes = [
            ServiceProcess(
                "services.dossier.entrypoints.worker", env, "MOTCUA_DOSSIER_WORKER_PORT", tmp_path
            ),
            ServiceProcess(
                "services.dossier.entrypoints.relay", env, "MOTCUA_DOSSIER_RELAY_PORT", tmp_path
            ),
            ServiceProcess("services.dossier", env, "MOTCUA_DOSSIER_PORT", tmp_path),
        ]
        try:
            for process in dossier_processes:
                process.start(timeout=90)
            dossier_api = dossier_processes[-1]
            procedure = IntegrationEvent(
                id=uuid.uuid4(),
                source="/motcua/catalog",
                type="vn.motcua.catalog.procedure_published",
                subject="1.001193",
                time=datetime.now(UTC),
                data=PROCEDURE,
                sequence=1,
                actor=Actor(id="catalog", role="system"),
            )
            asyncio.run(
                _publish(
                    engines.kafka_bootstrap_servers,
                    f"{suite.run_id}.motcua.catalog.events",
                    procedure,
                )
            )
            payer = f"{suite.run_id}-cong-dan"
            with httpx.Client(base_url=dossier_api.url, timeout=30, trust_env=False) as dossiers:
                draft = {
                    "procedure_code": "1.001193",
                    "agency_code": AGENCY,
                    "form": {"ho_ten_tre": "Nguyễn Minh Khôi"},
                }
                created = _until(
                    lambda: (
                        (
                            r := dossiers.post(
                                "/api/v1/dossiers", headers=citizen(payer), json=draft
                            )
                        ).status_code
                        == 201
                        and r.json()
                    ),
                    "the procedure to arrive from catalog",
                )
                dossier_id = created["id"]
                base = f"/api/v1/dossiers/{dossier_id}"
                _ok(
                    dossiers.post(
                        f"{base}/attachments",
                        headers=citizen(payer),
                        data={"document_code": "giay_chung_sinh"},
                        files={"file": ("gcs.pdf", PDF, "application/pdf")},
                    ),
                    201,
                )
                _ok(dossiers.post(f"{base}/submit", headers=citizen(payer)))
                act = f"/api/v1/officer/dossiers/{dossier_id}"
                for step, body in (
                    ("accept", {}),
                    ("start-processing", {}),
                    ("propose", {"decision": "approve", "note": "Đủ"}),
                    ("approve", {"result": {"number": "KS-1"}}),
                ):
                    last = _ok(dossiers.post(f"{act}/{step}", headers=OFFICER, json=body))
                assert last["status"] == "awaiting_payment"

                with suite.client() as payments:
                    order = suite.order_of(payments, payer, dossier_id)
                    assert order["amount"] == 8000 and order["items"][0]["code"] == "le_phi"
                    attempt = suite.checkout(payments, payer, order["id"])
                    browser_pays(attempt["payment_url"], "pay")
                    wait_for(
                        lambda: suite.order(payments, payer, order["id"])["status"] == "paid",
                        30,
                        "the IPN",
                    )

                moved = _until(
                    lambda: (
                        (d := dossiers.get(base, headers=citizen(payer)).json())["status"]
                        == "result_ready"
                        and d
                    ),
                    "order_paid to move the dossier on",
                )
                assert moved["payment"]["order_id"] == order["id"]
        finally:
            for process in reversed(dossier_processes):
                process.stop()
