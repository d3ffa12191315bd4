"""An order already paid (at the office, or by another attempt) whose provider takes the
money again: the second payment is kept and owed back, the first payment and its receipt
stand, and the money owed back is what a refund gives back first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from services.payment.adapters.integration_events import to_integration_event
from services.payment.application.payments import PaymentApplication
from services.payment.application.ports import Notification
from services.payment.application.reconciliation import reconcile
from services.payment.application.views import order_view
from services.payment.domain import errors
from services.payment.domain.order import Command, FeeOrder
from services.payment.domain.status import OrderStatus
from services.payment.tests.unit.test_fee_order import (
    CLERK,
    LEADER,
    NOW,
    PAYER,
    kinds,
    notify,
    order,
    start,
)
from services.payment.tests.unit.test_reconciliation import MERCHANT, _txn


def _office(o: FeeOrder) -> None:
    o.record_office_payment(
        CLERK, Command("cash", "f"), receipt_no="0000123", amount=150_000, paid_at=NOW
    )


def test_an_online_payment_of_an_order_paid_at_the_office_is_kept_and_owed_back() -> None:
    o = order()
    attempt = start(o)["attempt_id"]  # the payer had the provider's page open
    _office(o)
    assert notify(o, attempt, txn="777") == "confirmed"  # answered 00 to the provider
    assert notify(o, attempt, txn="777") == "duplicate"  # its redelivery: same answer
    assert notify(o, attempt, txn="778") == "already_confirmed"
    assert o.status == OrderStatus.PAID
    assert o.payment is not None and o.payment["receipt_no"] == "0000123"
    assert o.payment["method"] == "office"  # the first receipt stays valid
    assert o.refund_due == 150_000 and o.refundable() == 300_000
    assert o.attempts[attempt]["status"] == "succeeded"
    view = order_view(o)
    assert view["status"] == "paid" and view["refund_due"] == 150_000
    assert view["status_label"] == "Đã thanh toán; có khoản nộp trùng chờ hoàn tiền"
    assert [p["provider_txn"] for p in view["extra_payments"]] == ["777"]
    events = list(o.collect_events())
    assert [type(e).__name__ for e in events][-2:] == ["Paid", "PaidTwice"]
    published = to_integration_event(events[-1])
    assert published.type == "vn.motcua.payment.order_paid_twice"
    assert published.data == {
        "order_id": str(o.id),
        "dossier_id": "d-1",
        "amount": 150_000,
        "paid_at": NOW.isoformat(),
        "method": "vnpay_sandbox",
        "provider_txn": "777",
        "attempt_id": attempt,
        "receipt_no": "0000123",
        "refund_due": 150_000,
    }
    assert published.actor.role == "system"


def test_two_online_attempts_that_both_succeed_pay_once_and_owe_the_second_back() -> None:
    o = order()
    first = start(o, "a")["attempt_id"]
    # An order recorded before one open attempt per order was the rule: two open at once.
    o._attempt_started(
        attempt_id=(second := o.next_attempt_id()),
        method="vnpay_sandbox",
        amount=150_000,
        started_at=NOW,
        expires_at=NOW,
        payment_url="http://p2",
        actor=PAYER.model_dump(),
        command_key="b",
        fingerprint="fp-b",
    )
    assert notify(o, first, txn="1") == "confirmed"
    receipt = o.payment["receipt_no"] if o.payment else None
    assert notify(o, second, txn="2") == "confirmed"
    recorded = kinds(o)
    assert recorded.count("Paid") == 1 and recorded[-1] == "PaidTwice"
    assert o.payment is not None and o.payment["attempt_id"] == first
    assert o.payment["receipt_no"] == receipt and o.refund_due == 150_000


def test_the_refund_gives_back_what_is_owed_first_and_the_order_stays_paid() -> None:
    o = order()
    attempt = start(o)["attempt_id"]
    _office(o)
    notify(o, attempt, txn="777")
    assert o.refund_source() == o.extra_payments[0]
    with pytest.raises(errors.InvalidAmountError) as too_much:
        o.refund(LEADER, Command("r0", "f"), amount=150_001, reason="Hoàn khoản nộp trùng")
    assert too_much.value.detail == "Số tiền hoàn phải từ 1 đến 150.000 đồng (khoản nộp trùng)."
    with pytest.raises(errors.NotAllowedError):
        o.refund(CLERK, Command("r1", "f"), amount=150_000, reason="Hoàn khoản nộp trùng")
    done = o.refund(LEADER, Command("r2", "f"), amount=150_000, reason="Hoàn khoản nộp trùng")
    assert done["status"] == "paid" and done["refunded_amount"] == 150_000
    assert o.status == OrderStatus.PAID and o.refund_due == 0 and o.refundable() == 150_000
    assert order_view(o)["status_label"] == "Đã thanh toán; khoản nộp trùng đã được hoàn"
    assert o.refund_source() == o.payment  # what is left is the fee itself
    o.refund(LEADER, Command("r3", "f"), amount=50_000, reason="Thu thừa lệ phí")
    assert order_view(o)["status_label"] == "Đã thanh toán, đã hoàn tiền một phần"


def test_a_payment_taken_after_a_full_refund_is_owed_back_too() -> None:
    o = order()
    attempt = start(o)["attempt_id"]
    _office(o)
    o.refund(LEADER, Command("r", "f"), amount=150_000, reason="Hoàn lệ phí")
    assert o.status == OrderStatus.REFUNDED
    assert notify(o, attempt, txn="9") == "confirmed"
    assert o.status == OrderStatus.REFUNDED and o.refund_due == 150_000
    assert order_view(o)["status_label"] == "Đã hoàn tiền; có khoản nộp trùng chờ hoàn tiền"
    o.refund(LEADER, Command("r2", "f"), amount=150_000, reason="Hoàn khoản nộp trùng")
    assert o.refund_due == 0 and o.refundable() == 0
    with pytest.raises(errors.NotPaidError):
        o.refund(LEADER, Command("r3", "f"), amount=1, reason="Hoàn thêm")


def _app_with_twice_paid_order() -> tuple[PaymentApplication, UUID, str]:
    app = PaymentApplication()  # in-memory event store
    order_id = app.open_order(
        dossier_id="d-5",
        request_sequence=2,
        actor=LEADER,
        data={
            "fees": [{"code": "LP", "name": "Lệ phí", "amount": 150_000}],
            "total": 150_000,
            "payer_id": PAYER.id,
            "agency_code": "HN.TP",
            "service_level": 4,
        },
    )
    attempt = app.start_checkout(
        order_id,
        PAYER,
        Command("c", "f"),
        method="vnpay_sandbox",
        merchant=MERCHANT,
        ttl_seconds=900,
        client_ip="1.1.1.1",
    )["attempt_id"]
    app.record_office_payment(
        order_id, CLERK, Command("cash", "f"), receipt_no="0000123", amount=150_000
    )
    note = Notification(
        order_id=order_id,
        attempt_id=attempt,
        amount=150_000,
        success=True,
        failure=None,
        response_code="00",
        provider_txn="777",
        bank_code="NCB",
        paid_at=datetime.now(UTC),
    )
    assert app.confirm(note) == "confirmed"
    assert app.confirm(note) == "duplicate"
    return app, order_id, attempt


def test_the_provider_refunds_the_transaction_that_was_paid_twice() -> None:
    app, order_id, attempt = _app_with_twice_paid_order()
    asked: list[tuple[dict[str, Any], int]] = []

    def provider(payment: dict[str, Any], amount: int, request_id: UUID) -> str:
        asked.append((payment, amount))
        return "ref-1"

    app.refund(
        order_id,
        LEADER,
        Command("r", "f"),
        amount=150_000,
        reason="Hoàn khoản nộp trùng",
        provider=provider,
    )
    [(payment, amount)] = asked
    assert (payment["attempt_id"], payment["provider_txn"], amount) == (attempt, "777", 150_000)
    stored = app.order(order_id)
    assert stored.refunds[0]["provider_ref"] == "ref-1" and stored.status == OrderStatus.PAID
    # The office payment itself is refunded at the office: no provider call.
    app.refund(
        order_id,
        LEADER,
        Command("r2", "f"),
        amount=150_000,
        reason="Hoàn lệ phí",
        provider=provider,
    )
    assert len(asked) == 1 and app.order(order_id).status == OrderStatus.REFUNDED


def test_reconciliation_counts_the_payment_owed_back_as_recorded() -> None:
    app, order_id, attempt = _app_with_twice_paid_order()
    assert reconcile(app, [_txn(attempt, amount=150_000)])["mismatches"] == []
    app.refund(order_id, LEADER, Command("r", "f"), amount=150_000, reason="Hoàn trùng")
    report = reconcile(app, [_txn(attempt, amount=150_000, refunded=150_000)])
    assert report["mismatches"] == [] and report["matched"] == 1
