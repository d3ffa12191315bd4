"""One order, one charge: an order has at most one open attempt (a new checkout gets it
back, or closes it once it expired at the provider and opens the next), and a charge
taken on an attempt that no longer pays the order is recorded and given back by the
system, once, however often the sweep asks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from services.payment.application.ports import ProviderError
from services.payment.domain.order import Command
from services.payment.domain.status import OrderStatus
from services.payment.tests.unit.test_fee_order import (
    CLERK,
    NOW,
    SYSTEM,
    kinds,
    notify,
    order,
    start,
)
from services.payment.tests.unit.test_paid_twice import _app_with_twice_paid_order


def test_a_checkout_while_an_attempt_is_open_returns_that_attempt() -> None:
    o = order()
    first = start(o, "a")
    again = start(o, "b", at=NOW + timedelta(minutes=10))  # another tab, another key
    assert again == first  # same attempt, same link, same amount
    assert kinds(o) == ["Created", "AttemptStarted"]
    assert len(o.attempts) == 1 and start(o, "a") == first  # the key's replay too


def test_an_attempt_expired_at_the_provider_is_closed_before_the_next_opens() -> None:
    o = order()
    first = start(o, "a", ttl=60)
    second = start(o, "b", at=NOW + timedelta(seconds=60))
    assert second["attempt_id"] != first["attempt_id"]
    assert second["payment_url"] and second["amount"] == first["amount"]
    assert kinds(o)[-2:] == ["AttemptFailed", "AttemptStarted"]
    assert o.attempts[first["attempt_id"]]["reason"] == "expired"
    assert [a["attempt_id"] for a in o.open_attempts()] == [second["attempt_id"]]


def test_a_charge_on_a_closed_attempt_is_recorded_and_refunded_by_the_system() -> None:
    o = order()
    old = start(o, "a", ttl=60)["attempt_id"]
    current = start(o, "b", at=NOW + timedelta(minutes=2))["attempt_id"]
    assert notify(o, current, txn="2") == "confirmed"
    assert notify(o, old, txn="1") == "confirmed"  # its IPN came late
    assert notify(o, old, txn="1") == "duplicate"
    assert kinds(o)[-2:] == ["Paid", "ChargedOnClosedAttempt"]
    assert o.payment is not None and o.payment["attempt_id"] == current
    [charge] = o.late_charges()
    assert (charge["attempt_id"], charge["owed"], charge["provider_txn"]) == (old, 150_000, "1")
    assert "thay bằng lượt khác" in charge["reason"]
    assert o.refund_late_charge(
        SYSTEM, attempt_id=old, amount=150_000, reason=charge["reason"], provider_ref="r1"
    )
    assert not o.refund_late_charge(  # a second worker, a retry: recorded once
        SYSTEM, attempt_id=old, amount=150_000, reason=charge["reason"], provider_ref="r1"
    )
    assert kinds(o)[-1] == "Refunded" and o.late_charges() == []
    assert o.status == OrderStatus.PAID and o.refund_due == 0 and o.refundable() == 150_000
    [refund] = o.refunds
    assert (refund["by"], refund["attempt_id"], refund["provider_ref"]) == ("payment", old, "r1")


def test_an_order_whose_closed_attempt_was_refunded_stays_payable() -> None:
    o = order()
    old = start(o, "a", ttl=60)["attempt_id"]
    current = start(o, "b", at=NOW + timedelta(minutes=2))["attempt_id"]
    notify(o, old, txn="1")
    [charge] = o.late_charges()
    assert "thay bằng lượt khác" in charge["reason"]
    o.refund_late_charge(SYSTEM, attempt_id=old, amount=150_000, reason="x", provider_ref="r")
    assert o.status == OrderStatus.PENDING and o.refund_due == 0
    assert start(o, "c", at=NOW + timedelta(minutes=3))["attempt_id"] == current
    assert notify(o, current, txn="2") == "confirmed" and o.status == OrderStatus.PAID


def test_an_office_payment_leaves_the_open_attempt_whose_charge_is_given_back() -> None:
    o = order()
    attempt = start(o)["attempt_id"]
    o.record_office_payment(
        CLERK, Command("cash", "f"), receipt_no="9", amount=150_000, paid_at=NOW
    )
    notify(o, attempt, txn="7")
    [charge] = o.late_charges()
    assert charge["attempt_id"] == attempt and charge["owed"] == 150_000
    assert "biên lai số 9" in charge["reason"]


def test_the_sweep_refunds_each_charge_once_with_a_stable_request_id() -> None:
    app, order_id, attempt = _app_with_twice_paid_order()
    asked: list[tuple[str, int, UUID]] = []
    failing = True

    def provider(charge: dict[str, Any], amount: int, request_id: UUID) -> str:
        asked.append((charge["attempt_id"], amount, request_id))
        if failing:
            raise ProviderError("unreachable")
        return "ref-9"

    with pytest.raises(ProviderError):  # the provider is down: nothing recorded
        app.refund_late_charges(order_id, provider)
    assert app.order(order_id).refund_due == 150_000
    failing = False
    assert app.refund_late_charges(order_id, provider) == 1
    assert app.refund_late_charges(order_id, provider) == 0  # nothing left to give back
    assert [(a, n) for a, n, _ in asked] == [(attempt, 150_000)] * 2
    assert asked[0][2] == asked[1][2]  # the retry asks with the same request id
    stored = app.order(order_id)
    assert stored.refund_due == 0 and stored.status == OrderStatus.PAID
    assert stored.refunds[-1]["by"] == "payment" and stored.refunds[-1]["provider_ref"] == "ref-9"
