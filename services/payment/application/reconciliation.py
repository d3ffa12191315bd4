"""Reconciliation: the provider's report of a day against our orders, mismatches flagged."""

from __future__ import annotations

import uuid
from typing import Any

from services.payment.application.payments import PaymentApplication
from services.payment.application.ports import ProviderTransaction
from services.payment.domain.errors import OrderNotFoundError
from services.payment.domain.order import FeeOrder
from services.payment.domain.status import AttemptStatus

KINDS = {
    "unknown_reference": "Cổng thanh toán có giao dịch không thuộc đơn hàng nào của hệ thống.",
    "paid_not_recorded": "Cổng thanh toán báo đã thu tiền nhưng hệ thống chưa ghi nhận.",
    "recorded_not_paid": "Hệ thống ghi nhận đã thu nhưng cổng thanh toán báo không thành công.",
    "amount_mismatch": "Số tiền tại cổng thanh toán khác số tiền của đơn hàng.",
    "refund_mismatch": "Số tiền đã hoàn tại cổng thanh toán khác số tiền hệ thống đã hoàn.",
}


def _refunded_of(order: FeeOrder, ref: str) -> int:
    """What we refunded of the provider transaction ``ref``: a payment owed back (taken
    after the order was paid) has its own; the order's payment has the rest."""
    extras = {p["attempt_id"]: int(p["refunded"]) for p in order.extra_payments}
    return extras.get(ref, order.refunded_amount - sum(extras.values()))


def reconcile(
    payments: PaymentApplication, transactions: list[ProviderTransaction], agency: str | None = None
) -> dict[str, Any]:
    """Compare; with ``agency``, only that agency's orders count (an agency administrator
    does not see other agencies' payments; references that are not ours are kept)."""
    mismatches: list[dict[str, Any]] = []

    def flag(ref: str, kind: str, **facts: Any) -> None:
        mismatches.append({"txn_ref": ref, "kind": kind, "detail": KINDS[kind], **facts})

    checked: list[str] = []
    for txn in transactions:
        ref, provider_paid, amount = txn.ref, txn.paid, txn.amount
        try:
            order = payments.order(uuid.UUID(hex=ref[:32]))
        except (ValueError, OrderNotFoundError):
            flag(ref, "unknown_reference", provider_amount=amount)
            checked.append(ref)
            continue
        if agency is not None and order.agency_code != agency:
            continue
        attempt = order.attempts.get(ref)
        if attempt is None:
            flag(ref, "unknown_reference", provider_amount=amount)
            checked.append(ref)
            continue
        ours_paid = attempt["status"] == AttemptStatus.SUCCEEDED
        if amount != attempt["amount"]:
            flag(ref, "amount_mismatch", provider_amount=amount, our_amount=attempt["amount"])
        if provider_paid and not ours_paid:
            flag(ref, "paid_not_recorded", order_id=str(order.id), amount=amount)
        elif ours_paid and not provider_paid:
            flag(ref, "recorded_not_paid", order_id=str(order.id), amount=amount)
        refunded = txn.refunded
        ours_refunded = _refunded_of(order, ref)
        if ours_paid and refunded != ours_refunded:
            flag(ref, "refund_mismatch", provider_refunded=refunded, our_refunded=ours_refunded)
        checked.append(ref)
    flagged = {m["txn_ref"] for m in mismatches}
    return {
        "checked": len(checked),
        "matched": len(set(checked) - flagged),
        "mismatches": mismatches,
    }
