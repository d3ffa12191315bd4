"""A dossier's whole life through the HTTP API on the real engines (its event store and
read models in PostgreSQL): the procedure arrives from catalog's topic, a supplement round, the fee
paid through a payment event; refusals as problem+json; a tampered stored event caught."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from aiokafka import AIOKafkaProducer
from pypdf import PdfReader

from shared.events.envelope import Actor, IntegrationEvent
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
    "agency_codes": [AGENCY, "NB.NAMDINH"],
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
        {
            "code": "cccd",
            "name": "Căn cước công dân",
            "originals": 0,
            "copies": 1,
            "required": True,
            "wallet_types": ["cccd"],
        },
    ],
    "form_schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "ho_ten_tre": {"type": "string", "title": "Họ tên trẻ", "minLength": 2},
            "so_dinh_danh": {"type": "string", "pattern": "^[0-9]{12}$"},
        },
        "required": ["ho_ten_tre", "so_dinh_danh"],
    },
    "form_ui": {},
    "time_limit_days": 3,
    "fees": [{"code": "le_phi", "name": "Lệ phí đăng ký khai sinh", "amount": 8000}],
    "result_delivery": ["office", "post", "online"],
    "legal_basis": ["Luật Hộ tịch 2014"],
}


def citizen(user: str) -> dict[str, str]:
    return caller(user)


def officer(agency: str = AGENCY, user: str = "can-bo-1") -> dict[str, str]:
    return caller(user, "officer", agency, ["receiver", "processor", "approver", "agency_admin"])


AUDITOR = caller("kiem-tra-1", "auditor")


async def _publish(bootstrap: str, topic: str, event: IntegrationEvent) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=event.to_bytes(), key=event.subject.encode())
    finally:
        await producer.stop()


def _event(context: str, kind: str, subject: str, data: dict[str, Any]) -> IntegrationEvent:
    return IntegrationEvent(
        id=uuid.uuid4(),
        source=f"/motcua/{context}",
        type=f"vn.motcua.{context}.{kind}",
        subject=subject,
        time=datetime.now(UTC),
        data=data,
        sequence=1,
        actor=Actor(id=context, role="system"),
    )


def wallet_document(account_id: str, document_id: str) -> IntegrationEvent:
    return _event(
        "identity",
        "document_added",
        account_id,
        {
            "account_id": account_id,
            "document_id": document_id,
            "type": "cccd",
            "number": "036201001234",
            "issued_on": "2021-05-01",
            "issuer": "Bộ Công an",
            "file": {
                "name": "cccd.pdf",
                "content_type": "application/pdf",
                "size": 1000,
                "sha256": "ab" * 32,
            },
        },
    )


def _eventually(check: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


def _altered(state: bytes) -> bytes:
    """The stored event with its reason rewritten: still valid JSON, a different story."""
    content = json.loads(state)
    content["reason"] = "Hồ sơ đầy đủ, không cần bổ sung"
    return json.dumps(content).encode()


def _tamper(store: dict[str, str], engines: Engines, dossier_id: str, version: int) -> None:
    """Change one stored event in place, as someone with database access could."""
    schema = store["MOTCUA_DOSSIER_POSTGRES_SCHEMA"]
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.columns WHERE table_schema=%s "
                "AND column_name='originator_version'",
                (schema,),
            )
        ]
        changed = 0
        for table in tables:
            rows = conn.execute(
                f'SELECT originator_id, state FROM "{schema}"."{table}" '
                "WHERE originator_version=%s AND originator_id=%s",
                (version, uuid.UUID(dossier_id)),
            ).fetchall()
            for originator_id, state in rows:
                conn.execute(
                    f'UPDATE "{schema}"."{table}" SET state=%s '
                    "WHERE originator_version=%s AND originator_id=%s",
                    (_altered(bytes(state)), version, originator_id),
                )
                changed += 1
        assert changed == 1


def test_a_dossier_from_draft_to_completed_on_the_real_engines(
    engines: Engines, event_store_env: dict[str, str], run_id: str, tmp_path: Path
) -> None:
    env = {
        **engines.env(),
        **event_store_env,
        "MOTCUA_STATE_DIR": str(tmp_path / "state"),
        "MOTCUA_DOSSIER_TOPIC_PREFIX": f"{run_id}.",
        "MOTCUA_DOSSIER_CONSUMER_GROUP": run_id,
    }
    bootstrap = engines.kafka_bootstrap_servers
    worker = ServiceProcess(
        "services.dossier.entrypoints.worker", env, "MOTCUA_DOSSIER_WORKER_PORT", tmp_path
    )
    api = ServiceProcess("services.dossier", env, "MOTCUA_DOSSIER_PORT", tmp_path)
    worker.start()
    api.start()
    try:
        asyncio.run(
            _publish(
                bootstrap,
                f"{run_id}.motcua.catalog.events",
                _event("catalog", "procedure_published", "1.001193", PROCEDURE),
            )
        )
        owner_id = f"{run_id}-cong-dan"
        owner, other = citizen(owner_id), citizen(f"{run_id}-nguoi-khac")
        with httpx.Client(base_url=api.url, timeout=30) as client:
            draft = {
                "procedure_code": "1.001193",
                "agency_code": AGENCY,
                "form": {"ho_ten_tre": "Nguyễn Minh Khôi"},
            }
            created = _eventually(
                lambda: (
                    (r := client.post("/api/v1/dossiers", headers=owner, json=draft)).status_code
                    == 201
                    and r.json()
                ),
                "the procedure to arrive from catalog",
            )
            dossier_id = created["id"]
            base = f"/api/v1/dossiers/{dossier_id}"

            bad = client.put(
                f"{base}/form",
                headers=owner,
                json={"form": {"ho_ten_tre": "Khôi", "so_dinh_danh": "12"}},
            )
            assert bad.status_code == 422
            assert bad.headers["content-type"].startswith("application/problem+json")
            assert bad.json()["errors"][0]["field"] == "so_dinh_danh"
            _ok(
                client.put(
                    f"{base}/form",
                    headers=owner,
                    json={
                        "form": {"ho_ten_tre": "Nguyễn Minh Khôi", "so_dinh_danh": "036201001234"}
                    },
                )
            )

            assert client.get(f"{base}/receipt.pdf", headers=owner).status_code == 409
            missing = client.post(f"{base}/submit", headers=owner)
            assert missing.status_code == 422 and "Giấy chứng sinh" in missing.json()["detail"]
            refused = client.post(
                f"{base}/attachments",
                headers=owner,
                data={"document_code": "giay_chung_sinh"},
                files={"file": ("a.pdf", b"MZ\x90\x00", "application/pdf")},
            )
            assert refused.status_code == 415
            upload = _ok(
                client.post(
                    f"{base}/attachments",
                    headers=owner,
                    data={"document_code": "giay_chung_sinh"},
                    files={"file": ("giay-chung-sinh.pdf", PDF, "text/plain")},
                ),
                201,
            )
            assert upload["content_type"] == "application/pdf" and upload["size"] == len(PDF)
            # the citizen's identity card, from their wallet (identity's event): cited, not copied
            asyncio.run(
                _publish(
                    bootstrap,
                    f"{run_id}.motcua.identity.events",
                    wallet_document(owner_id, "doc-1"),
                )
            )
            link = {"document_code": "cccd", "wallet_document_id": "doc-1"}
            _eventually(
                lambda: (
                    client.post(f"{base}/wallet-documents", headers=owner, json=link).status_code
                    == 201
                ),
                "the wallet document to arrive from identity",
            )
            code = _ok(client.post(f"{base}/submit", headers=owner))["code"]

            # another citizen: as if it did not exist; another agency's officer: forbidden
            assert client.get(base, headers=other).status_code == 404
            other_draft = _ok(client.post("/api/v1/dossiers", headers=other, json=draft), 201)
            stolen = client.post(
                f"/api/v1/dossiers/{other_draft['id']}/wallet-documents", headers=other, json=link
            )
            assert stolen.status_code == 422  # someone else's wallet document
            assert stolen.json()["type"].endswith("wallet-document-invalid")
            foreign = client.post(
                f"/api/v1/officer/dossiers/{dossier_id}/accept", headers=officer("NB.STP"), json={}
            )
            assert foreign.status_code == 403
            assert foreign.json()["type"].endswith("dossier-wrong-agency")

            # two officers accept at the same moment: one wins, the other gets 409
            results: list[int] = []
            barrier = threading.Barrier(2)

            def accept(user: str) -> None:
                with httpx.Client(base_url=api.url, timeout=30) as own:
                    barrier.wait()
                    results.append(
                        own.post(
                            f"/api/v1/officer/dossiers/{dossier_id}/accept",
                            headers=officer(user=user),
                            json={},
                        ).status_code
                    )

            threads = [threading.Thread(target=accept, args=(f"can-bo-{n}",)) for n in (1, 2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(results) == [200, 409]

            act = f"/api/v1/officer/dossiers/{dossier_id}"
            receipt = client.get(f"{base}/receipt.pdf", headers=owner)
            assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
            receipt_text = PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text()
            assert code in receipt_text and "HẸN TRẢ KẾT QUẢ" in receipt_text
            _ok(client.post(f"{act}/start-processing", headers=officer(), json={}))
            appointment = datetime.fromisoformat(
                _ok(client.get(base, headers=owner))["appointment_at"]
            )
            _ok(
                client.post(
                    f"{act}/extend",
                    headers=officer(),
                    json={
                        "reason": "Cần xác minh thêm",
                        "new_appointment_at": (appointment + timedelta(days=5)).isoformat(),
                    },
                )
            )
            letter = client.get(f"{base}/extensions/1/letter.pdf", headers=owner)
            assert letter.status_code == 200
            assert "XIN LỖI" in PdfReader(io.BytesIO(letter.content)).pages[0].extract_text()
            assert client.get(f"{base}/extensions/2/letter.pdf", headers=owner).status_code == 404
            _ok(
                client.post(
                    f"{act}/request-supplement",
                    headers=officer(),
                    json={
                        "items": [{"document_code": "giay_chung_sinh", "reason": "Ảnh chụp bị mờ"}],
                        "reason": "Giấy tờ chưa rõ",
                    },
                )
            )
            second = _ok(
                client.post(
                    f"{base}/attachments",
                    headers=owner,
                    data={"document_code": "giay_chung_sinh"},
                    files={"file": ("ban-moi.pdf", PDF + b"%2\n", "x/y")},
                ),
                201,
            )
            _ok(
                client.post(
                    f"{base}/supplement",
                    headers=owner,
                    json={
                        "answers": [
                            {"document_code": "giay_chung_sinh", "attachment_ids": [second["id"]]}
                        ]
                    },
                )
            )
            _ok(
                client.post(
                    f"{act}/propose",
                    headers=officer(),
                    json={"decision": "approve", "note": "Đủ điều kiện"},
                )
            )
            approved = _ok(
                client.post(
                    f"{act}/approve", headers=officer(), json={"result": {"number": "KS-2026-001"}}
                )
            )
            assert approved["status"] == "awaiting_payment"

            paid = _event(
                "payment",
                "order_paid",
                "order-1",
                {
                    "order_id": "order-1",
                    "dossier_id": dossier_id,
                    "amount": 8000,
                    "paid_at": datetime.now(UTC).isoformat(),
                    "method": "vnpay_sandbox",
                    "receipt_no": "BL-1",
                },
            )
            asyncio.run(_publish(bootstrap, f"{run_id}.motcua.payment.events", paid))
            _eventually(
                lambda: client.get(base, headers=owner).json()["status"] == "result_ready",
                "the payment event to move the dossier on",
            )
            _ok(client.post(f"{act}/return-result", headers=officer(), json={"channel": "online"}))
            _ok(client.post(f"{base}/rating", headers=owner, json={"score": 5, "comment": "Tốt"}))
            again = client.post(f"{base}/rating", headers=owner, json={"score": 1})
            assert again.status_code == 409

            final = _ok(client.get(base, headers=owner))
            assert final["status"] == "completed" and final["national_status_code"] == 10
            assert final["supplements"][0]["paused_working_days"] >= 0
            steps = _ok(client.get(f"{base}/timeline", headers=owner))["steps"]
            labels = [s["label"] for s in steps]
            assert "Yêu cầu bổ sung hồ sơ" in labels and "Đề xuất kết quả" not in labels
            assert steps[-1]["time_local"] is not None

            public = client.get(f"/api/v1/lookup/{code}", params={"id_last4": "1234"})
            assert _ok(public)["status_label"] == "Đã trả kết quả"
            assert "form" not in public.json()
            assert (
                client.get(f"/api/v1/lookup/{code}", params={"id_last4": "9999"}).status_code == 404
            )

            export = _ok(client.get(f"{act}/national-export", headers=officer()))
            assert export["MaHoSo"] == code and export["TrangThaiHoSo"] == 10
            assert len(export["DanhSachBoSung"]) == 1

            assert (
                client.get(f"/api/v1/audit/dossiers/{code}/verify", headers=owner).status_code
                == 403
            )
            report = _ok(client.get(f"/api/v1/audit/dossiers/{code}/verify", headers=AUDITOR))
            assert report["valid"] is True
            events = _ok(client.get(f"/api/v1/audit/dossiers/{code}/events", headers=AUDITOR))
            target = next(
                e["sequence"] for e in events["events"] if e["type"] == "SupplementRequested"
            )
            _tamper(event_store_env, engines, dossier_id, target)
            tampered = _ok(
                client.get(f"/api/v1/audit/dossiers/{dossier_id}/verify", headers=AUDITOR)
            )
            assert tampered["valid"] is False and tampered["broken_at"] == target + 1
    finally:
        api.stop()
        worker.stop()
