"""Which events become which notices, and every notice template renders in Vietnamese."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.notify.adapters.templates import JinjaTemplates
from services.notify.domain.deadlines import reminder_due
from services.notify.domain.kinds import (
    dossier_notices,
    local_time,
    payment_notices,
    reminder_notices,
)
from shared.workdays import WorkCalendar

AT = "2026-11-23T01:00:00+00:00"
CASES = [
    ("vn.motcua.dossier.submitted", {"code": "C1", "at": AT}),
    ("vn.motcua.dossier.accepted", {"at": AT, "appointment_at": AT}),
    (
        "vn.motcua.dossier.supplement_requested",
        {
            "reason": "Thiếu giấy tờ",
            "items": [{"document_code": "GCS", "name": "Giấy chứng sinh"}],
            "round": 1,
        },
    ),
    ("vn.motcua.dossier.supplemented", {"round": 1, "appointment_at": AT}),
    ("vn.motcua.dossier.rejected", {"reason": "Không đủ điều kiện"}),
    ("vn.motcua.dossier.rejected_at_reception", {"reason": "Sai thẩm quyền"}),
    ("vn.motcua.dossier.approved", {"fee_due": 0}),
    ("vn.motcua.dossier.payment_received", {"order_id": "o", "amount": 1}),
    ("vn.motcua.dossier.result_returned", {"channel": "office"}),
    ("vn.motcua.dossier.withdrawn", {"reason": "Nộp nhầm"}),
    ("vn.motcua.dossier.extended", {"reason": "Chờ xác minh", "appointment_at": AT}),
]


def _all_notices():
    for event_type, data in CASES:
        yield from dossier_notices(event_type, data, "C1")
    yield from payment_notices(
        "vn.motcua.payment.order_created",
        {"amount": 50000, "items": [{"name": "Lệ phí", "amount": 50000}]},
        "C1",
    )
    yield from payment_notices(
        "vn.motcua.payment.order_paid",
        {"amount": 50000, "paid_at": AT, "receipt_no": "BL-1", "order_id": "o"},
        "C1",
    )
    yield from payment_notices(
        "vn.motcua.payment.order_expired",
        {"order_id": "o", "deadline": AT, "reason": "Quá hạn thanh toán"},
        "C1",
    )
    yield from payment_notices(
        "vn.motcua.payment.order_paid_after_close",
        {
            "amount": 50000,
            "paid_at": AT,
            "receipt_no": "BL-2",
            "order_id": "o",
            "closed_as": "cancelled",
        },
        "C1",
    )
    for kind in ("deadline_approaching", "deadline_overdue"):
        yield from reminder_notices(kind, "C1", AT)


def test_every_notice_renders_text_and_html_with_the_code() -> None:
    notices = list(_all_notices())
    assert len({n.kind for n in notices}) == 16
    for notice in notices:
        email = JinjaTemplates().render(
            notice.template,
            notice.subject,
            strict=False,
            greeting="Quý công dân",
            portal_url="https://p.vn",
            dossier_id="d1",
            **notice.values,
        )
        assert "C1" in email.subject and "C1" in email.body, notice.kind
        assert email.html is not None and "C1" in email.html
        assert "Kính gửi Quý công dân" in email.body


def test_approval_with_a_fee_waits_for_the_payment() -> None:
    assert dossier_notices("vn.motcua.dossier.approved", {"fee_due": 8000}, "C1") == []
    assert dossier_notices("vn.motcua.dossier.form_saved", {}, "C1") == []


def test_a_notice_tells_the_time_in_vietnam_and_nothing_for_no_time() -> None:
    assert local_time(AT) == "08:00 ngày 23/11/2026"
    assert local_time(None) == ""


def test_reminders_two_working_days_before_and_when_overdue() -> None:
    calendar = WorkCalendar()
    monday = datetime(2026, 11, 23, 2, tzinfo=UTC)
    assert reminder_due(monday, monday + timedelta(days=7), calendar) is None
    assert reminder_due(monday, monday + timedelta(days=2), calendar) == "deadline_approaching"
    assert reminder_due(monday, monday - timedelta(minutes=1), calendar) == "deadline_overdue"


def test_a_payment_after_the_order_closed_tells_the_owner_it_will_be_refunded() -> None:
    [notice] = payment_notices(
        "vn.motcua.payment.order_paid_after_close",
        {"amount": 50000, "paid_at": AT, "receipt_no": "BL-2", "order_id": "o"},
        "C1",
    )
    assert (notice.kind, notice.audience) == ("payment_refund_due", "owner")
    assert "hoàn lại" in notice.title and "50.000" in notice.title
    email = JinjaTemplates().render(
        notice.template,
        notice.subject,
        strict=False,
        greeting="Quý công dân",
        portal_url="https://p.vn",
        dossier_id="d1",
        **notice.values,
    )
    assert "https://p.vn/giao-dich/o" in email.body and "BL-2" in email.body
    assert "giao dịch thanh toán đã đóng" in email.body


def test_a_second_payment_of_a_paid_fee_tells_the_owner_it_will_be_refunded() -> None:
    [notice] = payment_notices(
        "vn.motcua.payment.order_paid_twice",
        {
            "amount": 50000,
            "paid_at": AT,
            "receipt_no": "BL-1",
            "order_id": "o",
            "refund_due": 50000,
        },
        "C1",
    )
    assert (notice.kind, notice.audience) == ("payment_refund_due", "owner")
    email = JinjaTemplates().render(
        notice.template,
        notice.subject,
        strict=False,
        greeting="Quý công dân",
        portal_url="https://p.vn",
        dossier_id="d1",
        **notice.values,
    )
    assert "đã được thanh toán trước đó" in email.body and "50.000" in email.body


def test_a_charge_on_a_replaced_attempt_tells_the_owner_it_will_be_refunded() -> None:
    [notice] = payment_notices(
        "vn.motcua.payment.order_charged_on_closed_attempt",
        {"amount": 50000, "paid_at": AT, "order_id": "o", "refund_due": 50000},
        "C1",
    )
    assert (notice.kind, notice.audience) == ("payment_refund_due", "owner")
    assert "sẽ được hoàn lại" in notice.title
    email = JinjaTemplates().render(
        notice.template,
        notice.subject,
        strict=False,
        greeting="Quý công dân",
        portal_url="https://p.vn",
        dossier_id="d1",
        **notice.values,
    )
    assert "đã được thay bằng lượt khác" in email.body and "50.000" in email.body


def test_the_payment_email_lists_counted_fee_lines_with_their_count() -> None:
    [notice] = payment_notices(
        "vn.motcua.payment.order_created",
        {
            "amount": 110000,
            "items": [
                {"name": "Phí đối với sinh viên", "amount": 100000},
                {
                    "name": "Phí cấp từ Phiếu thứ 3",
                    "amount": 10000,
                    "quantity": 2,
                    "unit_amount": 5000,
                },
            ],
        },
        "C1",
    )
    assert notice.values["items"] == [
        "Phí đối với sinh viên: 100.000 đồng",
        "Phí cấp từ Phiếu thứ 3 (2 × 5.000 đồng): 10.000 đồng",
    ]
