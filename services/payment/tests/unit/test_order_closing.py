"""An order ends without payment: its dossier closed (system cancellation), or its
deadline passed (expiry). A payment the provider took afterwards is kept and owed back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from services.payment.adapters.integration_events import to_integration_event
from services.payment.application.payments import PaymentApplication
from services.payment.application.views import order_view
from services.payment.domain import errors
from services.payment.domain.order import Command, FeeOrder
from services.payment.domain.status import OrderStatus
from services.payment.tests.unit.test_fee_order import (
    CLERK,
    LEADER,
    NOW,
    SYSTEM,
    kinds,
    notify,
    order,
    start,
)

CLOSE = Command("dossier-event:e-1", "close:d-1")
LATER = NOW + timedelta(days=30)


def _expire(o: FeeOrder, now: datetime = LATER, deadline: datetime = NOW) -> bool:
    return o.expire(SYSTEM, now=now, deadline=deadline, reason="Quá hạn thanh toán.")


def test_a_closed_dossier_cancels_its_unpaid_order_once() -> None:
    o = order()
    start(o)  # the payer opened the provider's page and left it
    assert order_view(o)["attempts"][0]["status_label"] == "Đang chờ thanh toán"
    assert o.cancel_for_dossier(SYSTEM, CLOSE, reason="Hồ sơ đã được công dân rút")
    assert o.status == OrderStatus.CANCELLED
    view = order_view(o)
    assert view["status_label"] == "Đã hủy"
    assert view["attempts"][0]["status_label"] == "Đã dừng: giao dịch không còn nhận thanh toán"
    assert not o.cancel_for_dossier(SYSTEM, CLOSE, reason="Hồ sơ đã được công dân rút")
    events = list(o.collect_events())
    assert [type(e).__name__ for e in events] == ["Created", "AttemptStarted", "Cancelled"]
    published = to_integration_event(events[-1])
    assert published.type == "vn.motcua.payment.order_cancelled"
    assert published.data == {
        "order_id": str(o.id),
        "dossier_id": "d-1",
        "reason": "Hồ sơ đã được công dân rút",
    }
    assert published.actor.role == "system"


def test_a_closed_dossier_leaves_a_paid_order_alone() -> None:
    o = order()
    notify(o, start(o)["attempt_id"])
    assert not o.cancel_for_dossier(SYSTEM, CLOSE, reason="Hồ sơ bị từ chối: thiếu giấy tờ")
    assert o.status == OrderStatus.PAID and kinds(o)[-1] == "Paid"


def test_checkout_of_a_cancelled_or_expired_order_is_refused_by_name() -> None:
    cancelled = order()
    cancelled.cancel_for_dossier(SYSTEM, CLOSE, reason="Hồ sơ đã được công dân rút")
    with pytest.raises(errors.OrderCancelledError) as refused:
        start(cancelled)
    assert refused.value.type == "payment-order-cancelled" and refused.value.status == 409
    expired = order()
    assert _expire(expired)
    with pytest.raises(errors.OrderExpiredError) as late:
        start(expired)
    assert late.value.type == "payment-order-expired"
    assert "hết hạn thanh toán" in late.value.detail


@pytest.mark.parametrize("close", ["cancel", "expire"])
def test_a_payment_taken_after_the_order_closed_is_recorded_and_owed_back(close: str) -> None:
    o = order()
    attempt = start(o)["attempt_id"]
    if close == "cancel":
        o.cancel_for_dossier(SYSTEM, CLOSE, reason="Hồ sơ đã được công dân rút")
    else:
        _expire(o)
    assert notify(o, attempt) == "confirmed"
    assert notify(o, attempt) == "duplicate"  # the provider's redelivery: same answer
    assert o.status == OrderStatus.REFUND_DUE
    assert o.payment and o.payment["amount"] == 150_000 and o.refundable() == 150_000
    assert order_view(o)["status_label"].endswith("chờ hoàn tiền")
    event = list(o.collect_events())[-1]
    published = to_integration_event(event)
    assert published.type == "vn.motcua.payment.order_paid_after_close"
    assert published.data["closed_as"] == ("cancelled" if close == "cancel" else "expired")
    assert published.data["amount"] == 150_000 and published.data["attempt_id"] == attempt
    o.refund(LEADER, Command("r", "f"), amount=150_000, reason="Hoàn tiền hồ sơ đã rút")
    assert o.status == OrderStatus.REFUNDED


def test_an_order_expires_only_unpaid_and_past_its_deadline() -> None:
    o = order()
    assert not _expire(o, now=NOW - timedelta(seconds=1))
    assert _expire(o)
    assert not _expire(o)
    assert order_view(o)["status_label"] == "Hết hạn thanh toán"
    event = list(o.collect_events())[-1]
    published = to_integration_event(event)
    assert published.type == "vn.motcua.payment.order_expired"
    assert set(published.data) == {"order_id", "dossier_id", "opened_at", "deadline", "reason"}
    assert published.data["deadline"] == NOW.isoformat()
    paid = order(level=3)
    paid.record_office_payment(
        CLERK, Command("k", "f"), receipt_no="1", amount=150_000, paid_at=NOW
    )
    assert not _expire(paid) and paid.status == OrderStatus.PAID


def _request(app: PaymentApplication, dossier_id: str, sequence: int, amount: int) -> Any:
    return app.open_order(
        dossier_id=dossier_id,
        request_sequence=sequence,
        actor=SYSTEM,
        data={
            "fees": [{"code": "LP", "name": "Lệ phí", "amount": amount}],
            "total": amount,
            "payer_id": "u-1",
            "agency_code": "HN.TP",
            "service_level": 3,
        },
    )


def test_the_application_finds_a_dossiers_orders_by_their_request_sequences() -> None:
    app = PaymentApplication()  # in-memory event store
    first = _request(app, "d-9", 4, 10_000)
    second = _request(app, "d-9", 8, 20_000)
    app.record_office_payment(second, CLERK, Command("k", "f"), receipt_no="1", amount=20_000)
    later = _request(app, "d-9", 12, 30_000)  # after the closing event: not this one's
    cancelled = app.close_for_dossier(
        dossier_id="d-9", closing_sequence=10, event_id="e", reason="Hồ sơ đã được công dân rút"
    )
    assert cancelled == [first]
    assert app.order(first).status == OrderStatus.CANCELLED
    assert app.order(second).status == OrderStatus.PAID
    assert app.order(later).status == OrderStatus.PENDING
    assert (
        app.close_for_dossier(
            dossier_id="d-9", closing_sequence=10, event_id="e", reason="Hồ sơ đã được công dân rút"
        )
        == []
    )


class StaleReads(PaymentApplication):
    """Reads the order as it was once loaded, while ``stale`` holds it."""

    stale: FeeOrder | None = None

    def order(self, order_id: UUID) -> FeeOrder:
        return self.stale if self.stale is not None else super().order(order_id)


def test_two_sweeps_of_one_order_expire_it_once() -> None:
    app = StaleReads()
    order_id = _request(app, "d-7", 3, 10_000)
    stale = app.order(order_id)  # what a second worker loaded before the first saved

    def deadline_of(opened: datetime) -> tuple[datetime, str]:
        return opened, "Quá hạn thanh toán."

    now = datetime.now(UTC) + timedelta(seconds=1)
    assert app.expire(order_id, now=now, deadline_of=deadline_of)
    app.stale = stale
    assert not app.expire(order_id, now=now, deadline_of=deadline_of)  # save conflicted
    app.stale = None
    stored: FeeOrder = app.repository.get(order_id)
    assert stored.status == OrderStatus.EXPIRED and stored.version == 2


def test_the_deadline_counts_working_days_in_vietnam_with_announced_days_off() -> None:
    from datetime import date

    from services.payment.domain.deadline import PaymentTerm
    from shared.workdays import WorkCalendar

    friday = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
    deadline, reason = PaymentTerm(1, WorkCalendar()).deadline_of(friday)
    assert deadline == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday
    assert reason == (
        "Quá hạn thanh toán: 1 ngày làm việc kể từ khi mở giao dịch (hạn 10:00 ngày 23/11/2026)."
    )
    # Tuesday 24/11 is Vietnam Culture Day; a day off announced for Monday: Wednesday.
    announced = WorkCalendar(days_off=frozenset({date(2026, 11, 23)}))
    assert PaymentTerm(1, announced).deadline(friday) == datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def test_the_cancellation_reason_names_why_the_dossier_closed() -> None:
    from services.payment.entrypoints.worker.main import closing_reason
    from shared.events.envelope import Actor, IntegrationEvent

    def event(kind: str, reason: str) -> IntegrationEvent:
        return IntegrationEvent(
            id=IntegrationEvent.stable_id("d", 5),
            source="/motcua/dossier",
            type=f"vn.motcua.dossier.{kind}",
            subject="d",
            time=NOW,
            sequence=5,
            actor=Actor(id="o", role="officer"),
            data={"reason": reason, "at": NOW.isoformat()},
        )

    assert closing_reason(event("withdrawn", "đổi ý")) == "Hồ sơ đã được công dân rút"
    assert closing_reason(event("rejected", "Thiếu bản vẽ")) == "Hồ sơ bị từ chối: Thiếu bản vẽ"
    assert closing_reason(event("rejected_at_reception", "")) == "Hồ sơ bị từ chối tiếp nhận"
