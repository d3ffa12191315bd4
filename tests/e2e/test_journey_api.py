"""Issue 8's journey through the gateway's HTTP API only, against the whole running suite.

A citizen registers, activates the account from the email, logs in, finds «Đăng ký khai
sinh», files it online with a tờ khai, a giấy chứng sinh and their CCCD from the wallet;
the ward's officers ask for a supplement, accept, process and approve; the result is
returned online. The demo's birth registration is free (lệ phí 0 đồng), so the paid
level-4 leg runs on the same ward's «Cấp bản sao trích lục hộ tịch» (8.000 đồng), paid
at the VNPay-protocol sandbox. Each time, the public lookup, the citizen's timeline and
the auditor's replay tell the same story in the same order.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.e2e.journey import (
    BIRTH,
    EXTRACT,
    WARD,
    Session,
    add_wallet_document,
    applicant,
    cite_wallet_document,
    extract_draft,
    log_in,
    lookup,
    mails,
    new_citizen,
    ok,
    pay_at_the_sandbox,
    pdf,
    register_and_activate,
    status_of,
    text_of,
    upload,
)
from tests.e2e.suite import Suite, wait_until

pytestmark = pytest.mark.integration

VIETNAM = timezone(timedelta(hours=7))


class Story:
    """What the public lookup showed after each step (status codes, in order)."""

    def __init__(self, suite: Suite, code: str, national_id: str) -> None:
        self.suite, self.code, self.national_id = suite, code, national_id
        self.seen: list[str] = []

    def look(self, expected: str) -> dict[str, Any]:
        found = lookup(self.suite, self.code, self.national_id)
        assert found["status"] == expected, found
        assert "form" not in found and "applicant" not in found  # never personal data
        self.seen.append(found["status"])
        return found


def the_three_views_agree(
    suite: Suite, citizen: Session, dossier_id: str, story: Story, internal_only: set[str]
) -> list[dict[str, Any]]:
    """The citizen's timeline is the auditor's event list without the internal steps,
    in the same order and at the same times; replaying the events up to each step gives
    the statuses the public lookup showed, in the same order; the chain verifies."""
    steps = ok(citizen.get(f"/api/v1/dossiers/{dossier_id}/timeline"))["steps"]
    auditor = log_in(suite, "thanhtra@motcua.local")
    try:
        events = ok(auditor.get(f"/api/v1/audit/dossiers/{story.code}/events"))["events"]
        assert [e["sequence"] for e in events] == list(range(1, len(events) + 1))
        public = [e for e in events if e["type"] not in internal_only]
        assert [(s["sequence"], s["event"], s["time"]) for s in steps] == [
            (e["sequence"], e["type"], e["time"]) for e in public
        ]
        assert internal_only <= {e["type"] for e in events}  # hidden, not missing
        for step in steps:  # shown in Vietnam's time
            assert step["label"] and step["time_local"] == datetime.fromisoformat(
                step["time"]
            ).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")

        replayed: list[str] = []
        for step in steps:
            state = ok(
                auditor.get(
                    f"/api/v1/audit/dossiers/{story.code}/state", params={"at": step["time"]}
                )
            )["dossier"]
            if state["status"] != "draft" and (not replayed or replayed[-1] != state["status"]):
                replayed.append(state["status"])
        assert replayed == story.seen

        chain = ok(auditor.get(f"/api/v1/audit/dossiers/{story.code}/verify"))
        assert chain["valid"] is True and chain["events"] == len(events)
    finally:
        auditor.close()
    return steps


def test_birth_registration_from_registration_to_the_result(suite: Suite) -> None:
    person = new_citizen("khai-sinh")
    citizen = register_and_activate(suite, person)
    receiver = log_in(suite, "receiver.hoalu@motcua.local")
    processor = log_in(suite, "processor.hoalu@motcua.local")
    approver = log_in(suite, "approver.hoalu@motcua.local")
    try:
        me = ok(citizen.get("/api/v1/me"))
        assert (me["email"], me["kind"]) == (person.email, "citizen")

        # «THỦ TỤC HÀNH CHÍNH»: search, open the procedure
        found = ok(citizen.get("/api/v1/catalog/procedures", params={"q": "khai sinh"}))
        assert BIRTH in [item["code"] for item in found["items"]]
        procedure = ok(citizen.get(f"/api/v1/catalog/procedures/{BIRTH}"))
        assert procedure["name"] == "Đăng ký khai sinh" and procedure["service_level"] == 4
        assert WARD in procedure["agency_codes"]
        documents = {d["code"]: d for d in procedure["required_documents"]}
        assert "cccd" in documents["GTTT"]["wallet_types"]
        assert procedure["fees"][0]["amount"] == 0  # free when registered in time

        # «Nộp hồ sơ trực tuyến»: a draft, then the form (with another contact address
        # than the account's), the files and the wallet's CCCD
        created = ok(
            citizen.post(
                "/api/v1/dossiers",
                json={
                    "procedure_code": BIRTH,
                    "agency_code": WARD,
                    "form": {"ho_ten": person.full_name},
                },
            ),
            201,
        )
        dossier_id = created["id"]
        base = f"/api/v1/dossiers/{dossier_id}"
        contact = applicant(
            person.full_name, person.national_id, person.email.replace("@", ".lienhe@")
        )
        form = {
            **contact,
            "quan_he": "Mẹ",
            "ho_ten_tre": "Trần Minh Khôi",
            "gioi_tinh": "Nam",
            "ngay_sinh_tre": "2026-11-10",
            "noi_sinh": "Bệnh viện Sản Nhi Ninh Bình",
            "dan_toc": "Kinh",
            "quoc_tich": "Việt Nam",
            "ho_ten_me": person.full_name,
        }
        invalid = citizen.put(f"{base}/form", json={"form": {**form, "so_dinh_danh": "12"}})
        assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == (
            "so_dinh_danh"
        )
        ok(citizen.put(f"{base}/form", json={"form": form}))
        upload(citizen, dossier_id, "TK", "to-khai-khai-sinh.pdf", pdf("tk"))
        upload(citizen, dossier_id, "GCS", "giay-chung-sinh.pdf", pdf("gcs-1"))
        wallet_id = add_wallet_document(citizen, person.national_id)
        cite_wallet_document(citizen, dossier_id, "GTTT", wallet_id)
        submitted = ok(citizen.post(f"{base}/submit"))
        code = submitted["code"]
        assert submitted["status"] == "submitted" and code.startswith(f"{WARD}-")
        story = Story(suite, code, person.national_id)
        story.look("submitted")

        # the email with the code at the account's address (seed: «gửi thông báo qua email
        # mà bạn đã đăng ký»), linking the lookup
        def with_the_code() -> str | None:
            return next(
                (text_of(m) for m in mails(suite, person.email) if code in str(m["Subject"])), None
            )

        email = wait_until(with_the_code, 60, f"the email with the code {code}")
        assert f"{suite.gateway_url}/tra-cuu?ma={code}" in email

        # «QUẢN LÝ HỒ SƠ»: the citizen's list shows it (the read model follows shortly)
        wait_until(
            lambda: code in citizen.get("/api/v1/dossiers").text,
            30,
            "the dossier in the citizen's list",
        )
        queue = "/api/v1/officer/queues/to_receive?size=100"
        wait_until(
            lambda: code in receiver.get(queue).text,
            30,
            "the dossier in the ward's reception queue",
        )

        # the receiver asks for a clearer birth certificate; the citizen supplements
        officer = f"/api/v1/officer/dossiers/{dossier_id}"
        ok(
            receiver.post(
                f"{officer}/request-supplement",
                json={
                    "items": [{"document_code": "GCS", "reason": "Ảnh chụp giấy chứng sinh bị mờ"}],
                    "reason": "Giấy chứng sinh chưa rõ, đề nghị chụp lại",
                },
            )
        )
        story.look("supplement_requested")

        def supplement_email() -> str | None:
            return next(
                (
                    text_of(m)
                    for m in mails(suite, person.email)
                    if code in str(m["Subject"]) and "bổ sung" in str(m["Subject"])
                ),
                None,
            )

        asked = wait_until(supplement_email, 60, "the email asking for a supplement")
        assert "Giấy chứng sinh chưa rõ, đề nghị chụp lại" in asked
        again = upload(citizen, dossier_id, "GCS", "giay-chung-sinh-ro.pdf", pdf("gcs-2"))
        ok(
            citizen.post(
                f"{base}/supplement",
                json={
                    "answers": [
                        {
                            "document_code": "GCS",
                            "attachment_ids": [again["id"]],
                            "note": "Đã chụp lại bản rõ nét",
                        }
                    ]
                },
            )
        )
        story.look("submitted")

        # accepted with a receipt; processed; approved
        ok(receiver.post(f"{officer}/accept", json={}))
        story.look("accepted")
        receipt = citizen.get(f"{base}/receipt.pdf")
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
        ok(processor.post(f"{officer}/start-processing", json={}))
        story.look("in_processing")
        ok(
            processor.post(
                f"{officer}/propose", json={"decision": "approve", "note": "Đủ điều kiện đăng ký"}
            )
        )
        approved = ok(
            approver.post(f"{officer}/approve", json={"result": {"number": "KS-2026-000123"}})
        )
        assert approved["status"] == "result_ready"  # nothing to pay: the fee is 0 đồng
        story.look("result_ready")
        orders = ok(citizen.get("/api/v1/payments/orders", params={"dossier_id": dossier_id}))
        assert orders["items"] == []

        # the result is returned online
        ok(receiver.post(f"{officer}/return-result", json={"channel": "online"}))
        final = story.look("completed")
        assert final["completed_at"] is not None
        dossier = ok(citizen.get(base))
        assert dossier["status"] == "completed" and dossier["result"]["number"] == (
            "KS-2026-000123"
        )

        # the bell: one notification per step that concerns the citizen, newest first
        wanted = [
            "dossier_submitted",
            "supplement_requested",
            "dossier_accepted",
            "result_ready",
            "dossier_completed",
        ]

        def bell() -> list[dict[str, Any]] | None:
            inbox = ok(citizen.get("/api/v1/notifications"))["items"]
            mine = [n for n in inbox if n["dossier_id"] == dossier_id]
            return mine if set(wanted) <= {n["kind"] for n in mine} else None

        inbox = wait_until(bell, 60, "the citizen's notifications")
        kinds = [n["kind"] for n in reversed(inbox) if n["kind"] in wanted]
        assert kinds == wanted and all(not n["read"] for n in inbox)
        unread = ok(citizen.get("/api/v1/notifications"))["unread"]
        ok(citizen.post(f"/api/v1/notifications/{inbox[0]['id']}/read"))
        assert ok(citizen.get("/api/v1/notifications"))["unread"] == unread - 1

        steps = the_three_views_agree(suite, citizen, dossier_id, story, {"Proposed"})
        labels = [s["label"] for s in steps]
        for label in (
            "Nộp hồ sơ",
            "Yêu cầu bổ sung hồ sơ",
            "Công dân bổ sung hồ sơ",
            "Tiếp nhận hồ sơ, hẹn ngày trả kết quả",
            "Phê duyệt kết quả",
            "Trả kết quả",
        ):
            assert label in labels
        assert labels.index("Yêu cầu bổ sung hồ sơ") < labels.index("Phê duyệt kết quả")
    finally:
        for session in (citizen, receiver, processor, approver):
            session.close()


def test_a_level4_fee_paid_at_the_sandbox(suite: Suite) -> None:
    person = new_citizen("trich-luc")
    citizen = register_and_activate(suite, person)
    receiver = log_in(suite, "receiver.hoalu@motcua.local")
    processor = log_in(suite, "processor.hoalu@motcua.local")
    approver = log_in(suite, "approver.hoalu@motcua.local")
    try:
        found = ok(citizen.get("/api/v1/catalog/procedures", params={"q": "trích lục"}))
        assert EXTRACT in [item["code"] for item in found["items"]]
        procedure = ok(citizen.get(f"/api/v1/catalog/procedures/{EXTRACT}"))
        assert procedure["service_level"] == 4 and procedure["fees"][0]["amount"] == 8000

        dossier_id = extract_draft(citizen, person)
        base = f"/api/v1/dossiers/{dossier_id}"
        upload(citizen, dossier_id, "TK", "to-khai-trich-luc.pdf", pdf("tk-trich-luc"))
        cite_wallet_document(
            citizen, dossier_id, "GTTT", add_wallet_document(citizen, person.national_id)
        )
        code = ok(citizen.post(f"{base}/submit"))["code"]
        story = Story(suite, code, person.national_id)
        story.look("submitted")

        officer = f"/api/v1/officer/dossiers/{dossier_id}"
        ok(receiver.post(f"{officer}/accept", json={}))
        story.look("accepted")
        ok(processor.post(f"{officer}/start-processing", json={}))
        story.look("in_processing")
        ok(processor.post(f"{officer}/propose", json={"decision": "approve", "note": "Đủ"}))
        approved = ok(
            approver.post(f"{officer}/approve", json={"result": {"number": "TL-2026-000045"}})
        )
        assert approved["status"] == "awaiting_payment"
        story.look("awaiting_payment")

        # «Giao dịch»: the fee order arrives from the dossier's event; pay it online
        def the_order() -> dict[str, Any] | None:
            items = ok(citizen.get("/api/v1/payments/orders", params={"dossier_id": dossier_id}))[
                "items"
            ]
            return items[0] if items else None

        order = wait_until(the_order, 60, "the fee order")
        assert order["amount"] == 8000 and order["status"] == "pending"
        attempt = ok(
            citizen.post(
                f"/api/v1/payments/orders/{order['id']}/checkout",
                headers={"Idempotency-Key": f"checkout-{dossier_id}"},
                json={"method": "vnpay", "accept_terms": True},
            ),
            201,
        )
        redirect = pay_at_the_sandbox(attempt["payment_url"])
        back = redirect.headers["location"]  # the portal's page (test_payment_result_page)
        assert back.startswith(f"{suite.gateway_url}/thanh-toan/ket-qua?")

        # the sandbox's IPN reached payment through the gateway; dossier follows
        wait_until(
            lambda: status_of(citizen, dossier_id) == "result_ready",
            60,
            "the payment to move the dossier to result_ready",
        )
        story.look("result_ready")
        paid = ok(citizen.get(f"/api/v1/payments/orders/{order['id']}"))
        assert paid["status"] == "paid" and paid["payment"]["receipt_no"]
        receipt = citizen.get(f"/api/v1/payments/orders/{order['id']}/receipt")
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
        assert ok(citizen.get(base))["payment"] is not None

        ok(receiver.post(f"{officer}/return-result", json={"channel": "online"}))
        story.look("completed")

        def told() -> bool:  # the fee due and its receipt, by email and on the bell
            subjects = [str(m["Subject"]) for m in mails(suite, person.email)]
            kinds = {n["kind"] for n in ok(citizen.get("/api/v1/notifications"))["items"]}
            return {"payment_due", "payment_received"} <= kinds and all(
                any(s.startswith(f"[Một Cửa] {start} hồ sơ {code}") for s in subjects)
                for start in ("Thanh toán phí, lệ phí", "Biên lai thanh toán")
            )

        wait_until(told, 60, "the payment notifications")

        steps = the_three_views_agree(suite, citizen, dossier_id, story, {"Proposed"})
        events = [s["event"] for s in steps]
        assert (
            events.index("PaymentRequested")
            < events.index("PaymentReceived")
            < (events.index("ResultReturned"))
        )
    finally:
        for session in (citizen, receiver, processor, approver):
            session.close()
