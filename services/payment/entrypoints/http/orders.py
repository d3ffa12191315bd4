"""Orders ("Giao dịch"): the citizen's list, status, checkout and receipt; the officer's
office payment, refund and cancellation. Thin: parse, call one use case, shape.

Command routes are sync because the `eventsourcing` library is (FastAPI's thread pool).
"""

from __future__ import annotations

import asyncio
import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, field_validator

from services.payment.application import orders
from services.payment.application.ports import ProviderError
from services.payment.domain.deadline import PaymentTerm
from services.payment.domain.status import OrderStatus
from services.payment.entrypoints.http.deps import (
    IdempotencyKey,
    client_ip,
    command,
    merchant,
    order_views,
    payments,
    provider_api,
    receipt_printer,
    settings,
)
from services.payment.entrypoints.http.models import (
    CheckoutView,
    OrderPage,
    OrderStatusView,
    OrderView,
    PaymentRecorded,
    RefundRecorded,
)
from shared.http.actor import CurrentActor
from shared.problems import ProblemError
from shared.vn.money import MAX_VND

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])


def _nfc(value: object) -> object:
    """Text people read is stored NFC, trimmed (before the length check)."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


class CheckoutRequest(BaseModel):
    method: Literal["vnpay"] = Field(description="Online payment through VNPay.")
    accept_terms: Literal[True] = Field(description="The payer confirmed the commitment.")


class OfficePaymentRequest(BaseModel):
    receipt_no: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9/._\-]+$")
    amount: int = Field(gt=0, le=MAX_VND, description="VND, at most 10 tỷ (MAX_VND).")


class RefundRequest(BaseModel):
    amount: int = Field(gt=0, le=MAX_VND, description="VND, at most 10 tỷ (MAX_VND).")
    reason: str = Field(min_length=3, max_length=500)

    _nfc = field_validator("reason", mode="before")(_nfc)


class CancelRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=500)

    _nfc = field_validator("reason", mode="before")(_nfc)


@router.get("/orders", response_model_exclude_unset=True)
async def list_orders(
    actor: CurrentActor,
    request: Request,
    dossier_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    refund_due: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> OrderPage:
    """The caller's orders (a citizen's "Giao dịch"), or an officer's agency's orders,
    newest first; ``refund_due=true``: only those holding money paid twice, still owed
    back. ``next`` is the ``after`` of the following page (null on the last one)."""
    query = orders.OrderQuery(dossier_id, status, refund_due, after, limit)
    found, following = await orders.list_orders(order_views(request), actor, query)
    return OrderPage.model_validate(
        {"items": await with_deadline(request, found), "next": following}
    )


@router.get("/orders/{order_id}", response_model_exclude_unset=True)
async def get_order(order_id: UUID, actor: CurrentActor, request: Request) -> OrderView:
    view = await asyncio.to_thread(payments(request).view, order_id, actor)
    return OrderView.model_validate((await with_deadline(request, [view]))[0])


async def with_deadline(request: Request, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unpaid orders get ``pay_by``: when they lapse («Hạn thanh toán»)."""
    pending = [o for o in orders if o.get("status") == OrderStatus.PENDING.value]
    if pending:
        term = PaymentTerm(
            settings(request).order_expiry_days, await request.app.state.calendar.calendar()
        )
        for order in pending:
            opened = datetime.fromisoformat(order["created_at"])
            order["pay_by"] = term.deadline(opened).isoformat()
    return orders


@router.post("/orders/{order_id}/checkout", status_code=201)
def checkout(
    order_id: UUID,
    body: CheckoutRequest,
    actor: CurrentActor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> CheckoutView:
    """Where to send the payer: the order's one open attempt. While an attempt is open,
    every checkout answers it (same link, amount and expiry); once it expired at the
    provider, it is closed and another opens."""
    config = settings(request)
    started = payments(request).start_checkout(
        order_id,
        actor,
        command(idempotency_key, "checkout", actor, body.model_dump()),
        method=config.online_method,
        merchant=merchant(request),
        ttl_seconds=config.checkout_ttl_seconds,
        client_ip=client_ip(request),
    )
    return CheckoutView.model_validate(started)


@router.get(
    "/orders/{order_id}/receipt",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def receipt(order_id: UUID, actor: CurrentActor, request: Request) -> Response:
    paper = orders.receipt(payments(request), receipt_printer(), order_id, actor)
    return Response(
        paper.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{paper.file_name}"'},
    )


@router.post("/orders/{order_id}/office-payment")
def office_payment(
    order_id: UUID,
    body: OfficePaymentRequest,
    actor: CurrentActor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> PaymentRecorded:
    recorded = payments(request).record_office_payment(
        order_id,
        actor,
        command(idempotency_key, "office-payment", actor, body.model_dump()),
        receipt_no=body.receipt_no,
        amount=body.amount,
    )
    return PaymentRecorded.model_validate(recorded)


@router.post("/orders/{order_id}/refunds", status_code=201)
def refund(
    order_id: UUID,
    body: RefundRequest,
    actor: CurrentActor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> RefundRecorded:
    api = provider_api(request)

    def at_provider(payment: dict[str, Any], amount: int, request_id: UUID) -> str:
        try:
            return api.refund(
                request_id=request_id,
                txn_ref=payment["attempt_id"],
                transaction_no=payment["provider_txn"] or "",
                amount=amount,
                full=amount == payment["amount"],
                paid_at=datetime.fromisoformat(payment["paid_at"]),
                created_by=actor.id,
                client_ip=client_ip(request),
            )
        except ProviderError:
            raise ProblemError(
                502,
                "payment-provider-refused",
                "Cổng thanh toán chưa hoàn tiền được, vui lòng thử lại sau.",
            ) from None

    refunded = payments(request).refund(
        order_id,
        actor,
        command(idempotency_key, "refund", actor, body.model_dump()),
        amount=body.amount,
        reason=body.reason,
        provider=at_provider,
    )
    return RefundRecorded.model_validate(refunded)


@router.post("/orders/{order_id}/cancel")
def cancel(
    order_id: UUID,
    body: CancelRequest,
    actor: CurrentActor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> OrderStatusView:
    cancelled = payments(request).cancel(
        order_id,
        actor,
        command(idempotency_key, "cancel", actor, body.model_dump()),
        reason=body.reason,
    )
    return OrderStatusView.model_validate(cancelled)
