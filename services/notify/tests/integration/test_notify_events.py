"""Every event kind becomes the right email (read from the SMTP sink's .eml files) and
inbox entry; redelivered events and a restarted notify send nothing twice; statistics."""

from __future__ import annotations

import asyncio
import time
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from services.notify.tests.integration.support import (
    AGENCY,
    Stream,
    account,
    caught_up,
    created,
    headers,
    later,
    notify_env,
    notify_store,
    publish_raw,
    records,
    send,
    start_notify,
    wait_for,
)
from tests.support.engines import Engines
from tests.support.mail import messages_to

pytestmark = pytest.mark.integration


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _lifecycle(run_id: str, owner: str, form_email: str) -> tuple[list, list, str, str]:
    code, code2 = f"HL-{run_id[-6:]}-A", f"HL-{run_id[-6:]}-B"
    one, two, order = Stream("dossier"), Stream("dossier"), Stream("payment")
    expired, late = Stream("payment"), Stream("payment")
    dossier = [
        created(one, owner, form_email),
        one.next("submitted", {"code": code, "at": later()}),
        one.next(
            "accepted", {"at": later(), "appointment_at": later(days=20), "received_documents": []}
        ),
        one.next(
            "supplement_requested",
            {
                "round": 1,
                "reason": "Bản sao giấy chứng sinh bị mờ",
                "at": later(),
                "items": [{"document_code": "GCS", "name": "Giấy chứng sinh", "reason": "mờ"}],
            },
        ),
        one.next(
            "supplemented",
            {"round": 1, "answers": [], "at": later(), "appointment_at": later(days=21)},
        ),
        one.next("approved", {"result": "Cấp giấy khai sinh", "fee_due": 8000, "at": later()}),
        one.next(
            "payment_received", {"order_id": order.subject, "amount": 8000, "paid_at": later()}
        ),
        one.next("result_returned", {"channel": "office", "at": later()}),
        created(two, owner, form_email),
        two.next("submitted", {"code": code2, "at": later()}),
        two.next(
            "rejected_at_reception", {"reason": "Không thuộc thẩm quyền của phường", "at": later()}
        ),
    ]
    payment = [
        order.next(
            "order_created",
            {
                "order_id": order.subject,
                "dossier_id": one.subject,
                "dossier_code": code,
                "payer_id": owner,
                "amount": 8000,
                "procedure_code": "1.001193",
                "agency_code": AGENCY,
                "reason": "Lệ phí",
                "items": [{"code": "LP", "name": "Lệ phí hộ tịch", "amount": 8000}],
            },
        ),
        order.next(
            "order_paid",
            {
                "order_id": order.subject,
                "dossier_id": one.subject,
                "amount": 8000,
                "paid_at": later(),
                "method": "vnpay_sandbox",
                "receipt_no": "BL-0001",
            },
        ),
        expired.next(
            "order_expired",
            {
                "order_id": expired.subject,
                "dossier_id": two.subject,
                "opened_at": later(),
                "deadline": later(days=21),
                "reason": "Quá hạn thanh toán: 15 ngày làm việc",
            },
        ),
        late.next(
            "order_paid_after_close",
            {
                "order_id": late.subject,
                "dossier_id": two.subject,
                "amount": 8000,
                "paid_at": later(),
                "method": "vnpay_sandbox",
                "receipt_no": "BL-0002",
                "closed_as": "cancelled",
            },
        ),
    ]
    return dossier, payment, code, code2


# (kind, words in the subject, words in the text body) for the owner's emails
OWNER_EMAILS = [
    ("dossier_submitted", "đã được gửi thành công", "đã được gửi thành công"),
    ("dossier_accepted", "đã được tiếp nhận", "Ngày hẹn trả kết quả"),
    ("supplement_requested", "Yêu cầu bổ sung", "Bản sao giấy chứng sinh bị mờ"),
    ("result_ready", "đã có kết quả", "đã có kết quả giải quyết"),
    ("dossier_completed", "đã hoàn thành", "đã được trả kết quả"),
    ("payment_due", "Thanh toán phí, lệ phí", "8.000 đồng"),
    ("payment_received", "Biên lai thanh toán", "BL-0001"),
    ("dossier_rejected", "bị từ chối tiếp nhận", "Không thuộc thẩm quyền của phường"),
    ("payment_expired", "Hết hạn thanh toán", "Quá hạn thanh toán: 15 ngày làm việc"),
    ("payment_refund_due", "sẽ được hoàn lại", "BL-0002"),
]
SECOND_DOSSIER = {"dossier_rejected", "payment_expired", "payment_refund_due"}


def test_each_event_kind_gives_its_email_and_inbox_entry_once(
    engines: Engines, run_id: str, tmp_path: Path
) -> None:
    bootstrap = engines.kafka_bootstrap_servers
    owner, officer = f"{run_id}-owner", f"{run_id}-officer"
    account_email, officer_email = f"{run_id}-owner@example.vn", f"{run_id}-cb@example.vn"
    owner_email = f"{run_id}-form@example.vn"  # the form's address wins (seed 003)
    env = notify_env(engines, run_id, tmp_path)
    notify = start_notify(env, tmp_path)
    db = notify_store(engines, run_id)
    try:
        send(
            bootstrap,
            f"{run_id}.motcua.identity.events",
            [
                account(owner, account_email, "Nguyễn Thị Hoa"),
                account(officer, officer_email, "Trần Văn Bình", "officer", AGENCY),
            ],
        )
        wait_for(lambda: db.count("accounts") == 2, 60, "the accounts projection")
        dossier, payment, code, code2 = _lifecycle(run_id, owner, owner_email)
        send(bootstrap, f"{run_id}.motcua.dossier.events", dossier)
        # payment events name the dossier; its owner comes from notify's dossier projection
        wait_for(lambda: db.count("dossiers", owner_id=owner) == 2, 60, "the dossiers projection")
        send(bootstrap, f"{run_id}.motcua.payment.events", payment)
        owner_count = len(OWNER_EMAILS) + 1  # the second dossier's "submitted" too
        expected = owner_count + 3  # officer: two new dossiers, one supplement
        wait_for(
            lambda: db.count("notifications", email_status="sent") >= expected, 90, "every email"
        )

        mails = messages_to(engines.maildir, owner_email)
        assert len(mails) == owner_count
        assert not messages_to(engines.maildir, account_email)
        entries = {(e["kind"], e["code"]): e for e in db.find("notifications", user_id=owner)}
        for kind, subject_words, body_words in OWNER_EMAILS:
            wanted_code = code2 if kind in SECOND_DOSSIER else code
            entry = entries[kind, wanted_code]
            [mail] = [m for m in mails if m["Message-ID"] == f"<{entry['id']}.email@motcua.local>"]
            assert subject_words in mail["Subject"], (kind, mail["Subject"])
            assert wanted_code in mail["Subject"] and wanted_code in _text(mail)
            assert body_words in _text(mail), kind
            assert mail.get_body(("html",)) is not None
        officer_mails = messages_to(engines.maildir, officer_email)
        assert sorted(m["Subject"] for m in officer_mails) == sorted(
            [
                f"[Một Cửa] Hồ sơ mới {code} chờ tiếp nhận",
                f"[Một Cửa] Hồ sơ mới {code2} chờ tiếp nhận",
                f"[Một Cửa] Hồ sơ {code} đã được bổ sung",
            ]
        )

        with httpx.Client(base_url=notify.url, timeout=10) as api:
            inbox = api.get("/api/v1/notifications", headers=headers(owner)).json()
            assert {i["kind"] for i in inbox["items"]} >= {k for k, _, _ in OWNER_EMAILS}
            assert inbox["unread"] == len(inbox["items"])
            first = inbox["items"][0]["id"]
            assert (
                api.post(f"/api/v1/notifications/{first}/read", headers=headers(owner)).json()[
                    "read"
                ]
                is True
            )
            assert (
                api.get("/api/v1/notifications", headers=headers(owner)).json()["unread"]
                == inbox["unread"] - 1
            )
            stolen = api.post(f"/api/v1/notifications/{first}/read", headers=headers(officer))
            assert stolen.status_code == 404
            assert stolen.headers["content-type"] == "application/problem+json"
            wait_for(
                lambda: api.get("/api/v1/stats").json()["total"]["completed_on_time"] == 1,
                30,
                "the statistics",
            )
            [row] = api.get("/api/v1/stats", params={"agency_code": AGENCY}).json()["items"]
            assert row == {
                "agency_code": AGENCY,
                "procedure_code": "1.001193",
                "received": 1,
                "completed_on_time": 1,
                "completed_late": 0,
                "on_time_ratio": 1.0,
            }
        entry_count = db.count("notifications")

        # Redelivery (a relay republishing everything) and a restart change nothing.
        for context in ("dossier", "payment", "identity"):
            topic = f"{run_id}.motcua.{context}.events"
            for record in asyncio.run(records(bootstrap, topic)):
                asyncio.run(publish_raw(bootstrap, topic, record.key, record.value))
        notify.stop()
        notify = start_notify(env, tmp_path)
        marker = Stream("dossier")
        send(
            bootstrap,
            f"{run_id}.motcua.dossier.events",
            [
                created(marker, owner, owner_email),
                marker.next("submitted", {"code": f"{code}-Z", "at": later()}),
            ],
        )
        wait_for(
            lambda: len(messages_to(engines.maildir, owner_email)) > owner_count,
            90,
            "the marker dossier's email",
        )
        wait_for(lambda: caught_up(bootstrap, run_id), 60, "notify to consume everything")
        time.sleep(2)  # anything still in flight would show up as a duplicate
        assert len(messages_to(engines.maildir, owner_email)) == owner_count + 1
        assert len(messages_to(engines.maildir, officer_email)) == 3 + 1
        assert db.count("notifications") == entry_count + 3
        with httpx.Client(base_url=notify.url, timeout=10) as api:
            assert api.get("/api/v1/stats").json()["total"]["received"] == 1
    finally:
        notify.stop()
        db.drop()
