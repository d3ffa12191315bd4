"""Reconciliation against an in-memory event store: each kind of mismatch is flagged,
matching transactions are not, and an agency sees only its own orders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.payment.adapters.vnpay.api_client import transaction
from services.payment.adapters.vnpay.merchant import VnpayMerchant
from services.payment.application.payments import PaymentApplication
from services.payment.application.ports import Notification, ProviderTransaction
from services.payment.application.reconciliation import reconcile
from services.payment.domain.order import Command
from shared.events.envelope import Actor

MERCHANT = VnpayMerchant(tmn_code="T", secret="s", payment_url="http://p", return_url="http://r")


def _checkout(app: PaymentApplication, dossier: str, agency: str = "HN") -> tuple[Any, str]:
    order_id = app.open_order(
        dossier_id=dossier,
        request_sequence=1,
        actor=Actor(id="d", role="system"),
        data={
            "fees": [{"code": "LP", "name": "Lệ phí", "amount": 10_000}],
            "total": 10_000,
            "payer_id": "u",
            "agency_code": agency,
            "service_level": 4,
        },
    )
    started = app.start_checkout(
        order_id,
        Actor(id="u", role="citizen"),
        Command(dossier, "f"),
        method="vnpay_sandbox",
        merchant=MERCHANT,
        ttl_seconds=900,
        client_ip="1.1.1.1",
    )
    return order_id, started["attempt_id"]


def _paid(app: PaymentApplication, order_id: Any, ref: str) -> None:
    assert (
        app.confirm(
            Notification(
                order_id=order_id,
                attempt_id=ref,
                amount=10_000,
                success=True,
                failure=None,
                response_code="00",
                provider_txn="1",
                bank_code="NCB",
                paid_at=datetime.now(UTC),
            )
        )
        == "confirmed"
    )


def _txn(
    ref: str, *, status: str = "00", amount: int = 10_000, refunded: int = 0
) -> ProviderTransaction:
    """A row of the provider's report as VNPay sends it, read by the adapter."""
    return transaction(
        {
            "vnp_TxnRef": ref,
            "vnp_Amount": str(amount * 100),
            "vnp_TransactionStatus": status,
            "vnp_RefundedAmount": str(refunded * 100),
        }
    )


def test_each_kind_of_mismatch_is_flagged_and_matches_are_not() -> None:
    app = PaymentApplication()
    ok_order, ok_ref = _checkout(app, "d-ok")
    _paid(app, ok_order, ok_ref)
    _, unrecorded_ref = _checkout(app, "d-unrecorded")
    not_paid_order, not_paid_ref = _checkout(app, "d-not-paid")
    _paid(app, not_paid_order, not_paid_ref)
    _, amount_ref = _checkout(app, "d-amount")
    refund_order, refund_ref = _checkout(app, "d-refund")
    _paid(app, refund_order, refund_ref)

    report = reconcile(
        app,
        [
            _txn(ok_ref),
            _txn(unrecorded_ref),
            _txn(not_paid_ref, status="02"),
            _txn(amount_ref, status="02", amount=9_000),
            _txn(refund_ref, refunded=5_000),
            _txn("ff" * 16 + "001"),
            _txn("not-ours"),
        ],
    )
    kinds = {(m["txn_ref"], m["kind"]) for m in report["mismatches"]}
    assert kinds == {
        (unrecorded_ref, "paid_not_recorded"),
        (not_paid_ref, "recorded_not_paid"),
        (amount_ref, "amount_mismatch"),
        (refund_ref, "refund_mismatch"),
        ("ff" * 16 + "001", "unknown_reference"),
        ("not-ours", "unknown_reference"),
    }
    assert (report["checked"], report["matched"]) == (7, 1)


def test_an_agency_sees_only_its_own_orders() -> None:
    app = PaymentApplication()
    _, ours = _checkout(app, "d-1", agency="HN")
    _, theirs = _checkout(app, "d-2", agency="DN")
    report = reconcile(app, [_txn(ours), _txn(theirs)], agency="HN")
    assert [m["txn_ref"] for m in report["mismatches"]] == [ours]
    assert report["checked"] == 1
