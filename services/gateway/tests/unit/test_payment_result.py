"""«Kết quả thanh toán»: which order a return address names, and what the page says
from the order's state alone (the query string's own result code is never believed)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.gateway.entrypoints.http.portal.payment_result import order_of_reference, outcome

ORDER = UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
REF = ORDER.hex + "002"


def order(status: str, attempts: list[dict[str, Any]], payment: Any = None) -> dict[str, Any]:
    return {
        "id": str(ORDER),
        "status": status,
        "status_label": "nhãn",
        "attempts": attempts,
        "payment": payment,
    }


def test_the_reference_names_the_order_and_nothing_else_is_accepted() -> None:
    assert order_of_reference(REF) == ORDER
    assert order_of_reference(REF.upper()) == ORDER
    for bad in (
        "",
        ORDER.hex,
        ORDER.hex + "00",
        ORDER.hex + "0a1",
        "x" * 35,
        ORDER.hex + "0021",
        "../" + REF,
    ):
        assert order_of_reference(bad) is None, bad


def test_paid_waiting_and_failed_come_from_the_order() -> None:
    started = {"attempt_id": REF, "status": "started", "status_label": "Đang chờ thanh toán"}
    failed = {**started, "status": "failed", "status_label": "Người nộp đã hủy giao dịch"}
    assert outcome(order("paid", [started], {"receipt_no": "BL-1"}), REF)["title"] == (
        "Đã thanh toán"
    )
    assert outcome(order("pending", [started]), REF)["state"] == "waiting"
    shown = outcome(order("pending", [failed]), REF)
    assert shown["title"] == "Thanh toán thất bại"
    assert shown["text"].startswith("Người nộp đã hủy giao dịch.")
    # another attempt of the same order failed: this one is still awaited
    assert (
        outcome(order("pending", [{**failed, "attempt_id": ORDER.hex + "001"}]), REF)["state"]
        == "waiting"
    )
    assert outcome(order("expired", [failed]), REF)["state"] == "closed"
    assert outcome(order("paid", []), REF)["state"] == "waiting"  # paid without its payment yet


def test_a_payment_that_must_be_given_back_says_so() -> None:
    paid_twice = {
        **order("paid", [], {"receipt_no": "BL-1"}),
        "extra_payments": [{"attempt_id": REF, "amount": 3000}],
        "refund_due": 3000,
    }
    shown = outcome(paid_twice, REF)
    assert shown["state"] == "refund" and "hoàn lại" in shown["text"]
    # the attempt that paid first still reads as paid
    assert outcome(paid_twice, ORDER.hex + "001")["state"] == "paid"
    assert outcome(order("refund_due", [], {"receipt_no": "BL-2"}), REF)["state"] == "refund"


def test_a_charge_on_a_replaced_attempt_asks_to_pay_the_new_one() -> None:
    replaced = {
        **order("pending", [{"attempt_id": ORDER.hex + "002", "status": "started"}]),
        "extra_payments": [{"attempt_id": REF, "amount": 3000, "on_closed_attempt": True}],
        "refund_due": 3000,
    }
    shown = outcome(replaced, REF)
    assert shown["state"] == "refund"
    assert "hoàn lại tự động" in shown["text"] and "lượt thanh toán mới" in shown["text"]
    assert "đã được thanh toán trước đó" not in shown["text"]
