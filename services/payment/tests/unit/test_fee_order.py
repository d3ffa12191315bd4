"""The fee order's rules, without I/O: amounts, who may do what, idempotency keys,
attempts and the provider's notifications."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.payment.domain import errors
from services.payment.domain.order import Command, FeeOrder
from services.payment.domain.status import FailureReason
from shared.events.envelope import Actor

SYSTEM = Actor(id="payment", role="system")
PAYER = Actor(id="u-1", role="citizen")
CLERK = Actor(id="o-1", role="officer", agency="HN.TP", officer_roles=("receiver",))
LEADER = Actor(id="o-2", role="officer", agency="HN.TP", officer_roles=("approver",))
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def order(amount: int = 150_000, level: int = 4, **fields: Any) -> FeeOrder:
    return FeeOrder.request(
        SYSTEM,
        items=[{"code": "LP", "name": "Lệ phí", "amount": amount}],
        total=amount,
        dossier_id=fields.get("dossier_id", "d-1"),
        request_sequence=3,
        dossier_code="HN-1",
        procedure_code="1.1",
        procedure_name="Cấp phép",
        agency_code="HN.TP",
        payer_id="u-1",
        payer_name="An",
        service_level=level,
        reason="",
    )


def start(o: FeeOrder, key: str = "k", at: datetime = NOW, ttl: int = 900) -> dict[str, Any]:
    return o.start_attempt(
        PAYER,
        Command(key, f"fp-{key}"),
        attempt_id=o.next_attempt_id(),
        method="vnpay_sandbox",
        started_at=at,
        expires_at=at + timedelta(seconds=ttl),
        payment_url="http://p",
    )


def notify(
    o: FeeOrder,
    attempt_id: str,
    *,
    amount: int = 150_000,
    success: bool = True,
    txn: str = "1",
    failure: FailureReason | None = None,
) -> str:
    return o.confirm_online(
        SYSTEM,
        attempt_id=attempt_id,
        amount=amount,
        success=success,
        failure=failure,
        response_code="00" if success else "24",
        provider_txn=txn,
        bank_code="NCB",
        paid_at=NOW,
    )


def kinds(o: FeeOrder) -> list[str]:
    return [type(e).__name__ for e in o.collect_events()]


def test_the_same_payment_request_always_names_the_same_order() -> None:
    assert order().id == order().id == FeeOrder.create_id("d-1", 3)
    assert order(dossier_id="d-2").id != order().id


@pytest.mark.parametrize(
    ("items", "total"),
    [
        ([{"amount": 100}], 101),
        ([{"amount": 0}], 0),
        ([{"amount": -5}], -5),
        ([{"amount": 10.5}], 10.5),
        ([], 0),
        ([{"amount": "100"}], 100),
    ],
)
def test_fees_must_be_positive_vnd_integers_adding_up(
    items: list[dict[str, Any]], total: Any
) -> None:
    with pytest.raises(errors.InvalidFeeRequestError):
        FeeOrder.request(
            SYSTEM,
            items=items,
            total=total,
            dossier_id="d",
            request_sequence=1,
            dossier_code="",
            procedure_code="",
            procedure_name="",
            agency_code="A",
            payer_id="u",
            payer_name="",
            service_level=4,
            reason="",
        )


def test_a_paid_notification_pays_once_and_a_redelivery_is_a_duplicate() -> None:
    o = order()
    attempt = start(o)["attempt_id"]
    assert notify(o, attempt) == "confirmed"
    assert notify(o, attempt) == "duplicate"
    assert notify(o, attempt, txn="2") == "already_confirmed"
    assert notify(o, attempt, amount=1) == "invalid_amount"
    assert notify(o, "nope") == "unknown_attempt"
    assert kinds(o).count("Paid") == 1 and o.status == "paid"


def test_only_the_payer_starts_an_online_attempt_and_only_at_level_4() -> None:
    with pytest.raises(errors.NotPayerError):
        order().start_attempt(
            Actor(id="u-2", role="citizen"),
            Command("k", "f"),
            attempt_id="a",
            method="vnpay",
            started_at=NOW,
            expires_at=NOW,
            payment_url="u",
        )
    with pytest.raises(errors.OnlinePaymentNotAllowedError):
        start(order(level=3))


def test_an_idempotency_key_returns_the_first_result_and_refuses_another_request() -> None:
    o = order()
    first = start(o, "k1")
    assert start(o, "k1") == first and len(o.attempts) == 1
    with pytest.raises(errors.IdempotencyKeyReusedError):
        o.start_attempt(
            PAYER,
            Command("k1", "other"),
            attempt_id="x",
            method="vnpay",
            started_at=NOW,
            expires_at=NOW,
            payment_url="u",
        )


def test_a_new_checkout_closes_an_expired_attempt_and_a_late_charge_on_it_is_owed_back() -> None:
    o = order()
    old = start(o, "a", ttl=60)["attempt_id"]
    new = start(o, "b", at=NOW + timedelta(minutes=5))["attempt_id"]
    assert o.attempts[old]["reason"] == "expired" and new != old
    assert notify(o, old) == "confirmed"  # the provider took the money: recorded
    assert o.status == "pending" and o.refund_due == 150_000  # and given back
    assert notify(o, new, txn="2") == "confirmed"
    assert o.status == "paid" and o.payment is not None and o.payment["attempt_id"] == new


def test_cancelled_attempt_then_a_retry() -> None:
    o = order()
    first = start(o, "a")["attempt_id"]
    assert notify(o, first, success=False, failure=FailureReason.CANCELLED) == "confirmed"
    assert notify(o, first, success=False, failure=FailureReason.CANCELLED) == "duplicate"
    second = start(o, "b")["attempt_id"]
    assert notify(o, second) == "confirmed"
    assert [a["status"] for a in o.attempts.values()] == ["failed", "succeeded"]


def test_office_payment_needs_an_officer_of_the_agency_and_the_exact_amount() -> None:
    o = order(level=3)
    with pytest.raises(errors.NotAllowedError):
        o.record_office_payment(
            Actor(id="x", role="officer", agency="DN"),
            Command("k", "f"),
            receipt_no="1",
            amount=150_000,
            paid_at=NOW,
        )
    with pytest.raises(errors.InvalidAmountError):
        o.record_office_payment(CLERK, Command("k", "f"), receipt_no="1", amount=1, paid_at=NOW)
    o.record_office_payment(CLERK, Command("k", "f"), receipt_no="BL1", amount=150_000, paid_at=NOW)
    assert o.payment and o.payment["receipt_no"] == "BL1"
    with pytest.raises(errors.AlreadyPaidError):
        o.record_office_payment(
            CLERK, Command("k2", "f"), receipt_no="2", amount=150_000, paid_at=NOW
        )


@given(st.lists(st.integers(min_value=1, max_value=200_000), min_size=1, max_size=8))
def test_refunds_never_exceed_what_was_paid(amounts: list[int]) -> None:
    o = order()
    o.record_office_payment(CLERK, Command("pay", "f"), receipt_no="1", amount=150_000, paid_at=NOW)
    for index, amount in enumerate(amounts):
        with contextlib.suppress(errors.InvalidAmountError, errors.NotPaidError):
            o.refund(LEADER, Command(f"r{index}", f"f{index}"), amount=amount, reason="lý do")
        assert 0 <= o.refunded_amount <= 150_000
    assert (o.status == "refunded") == (o.refunded_amount == 150_000)


def test_refund_needs_an_approver() -> None:
    o = order()
    o.record_office_payment(CLERK, Command("pay", "f"), receipt_no="1", amount=150_000, paid_at=NOW)
    with pytest.raises(errors.NotAllowedError):
        o.refund(CLERK, Command("r", "f"), amount=1, reason="lý do")
