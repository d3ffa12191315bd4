"""What people and other services see of an order: plain data, Vietnamese labels."""

from __future__ import annotations

from typing import Any

from services.payment.domain.order import FeeOrder
from services.payment.domain.status import (
    ATTEMPT_LABELS,
    FAILURE_LABELS,
    METHOD_LABELS,
    ORDER_LABELS,
    PAID_TWICE_LABEL,
    PAID_TWICE_REFUNDED_LABEL,
    PARTLY_REFUNDED_LABEL,
    STOPPED_ATTEMPT_LABEL,
    AttemptStatus,
    FailureReason,
    OrderStatus,
)


def status_label(order: FeeOrder) -> str:
    if order.refund_due:
        return (
            PAID_TWICE_LABEL
            if order.status == OrderStatus.PAID
            else (f"{ORDER_LABELS[OrderStatus(order.status)]}; có khoản nộp trùng chờ hoàn tiền")
        )
    if order.status == OrderStatus.PAID:
        extra_refunded = sum(p["refunded"] for p in order.extra_payments)
        if order.refunded_amount > extra_refunded:
            return PARTLY_REFUNDED_LABEL
        if extra_refunded:
            return PAID_TWICE_REFUNDED_LABEL
    return ORDER_LABELS[OrderStatus(order.status)]


def attempt_view(attempt: dict[str, Any], order_status: str) -> dict[str, Any]:
    label = ATTEMPT_LABELS[AttemptStatus(attempt["status"])]
    if attempt["reason"]:
        label = FAILURE_LABELS[FailureReason(attempt["reason"])]
    elif attempt["status"] == AttemptStatus.STARTED and order_status != OrderStatus.PENDING:
        label = STOPPED_ATTEMPT_LABEL
    return {
        **attempt,
        "status_label": label,
        "method_label": METHOD_LABELS.get(attempt["method"], attempt["method"]),
    }


def order_view(order: FeeOrder) -> dict[str, Any]:
    payment = dict(order.payment) if order.payment else None
    if payment:
        payment["method_label"] = METHOD_LABELS.get(payment["method"], payment["method"])
    return {
        "id": str(order.id),
        "dossier_id": order.dossier_id,
        "dossier_code": order.dossier_code,
        "procedure_code": order.procedure_code,
        "procedure_name": order.procedure_name,
        "agency_code": order.agency_code,
        "payer_id": order.payer_id,
        "payer_name": order.payer_name,
        "service_level": order.service_level,
        "items": order.items,
        "amount": order.amount,
        "currency": "VND",
        "status": str(order.status),
        "status_label": status_label(order),
        "attempts": [attempt_view(a, order.status) for a in order.attempts.values()],
        "payment": payment,
        "extra_payments": [
            {**p, "method_label": METHOD_LABELS.get(p["method"], p["method"])}
            for p in order.extra_payments
        ],
        "refund_due": order.refund_due,
        "refunded_amount": order.refunded_amount,
        "refunds": order.refunds,
        "created_at": order.created_on.isoformat(),
        "updated_at": order.modified_on.isoformat(),
        "version": order.version,
    }
