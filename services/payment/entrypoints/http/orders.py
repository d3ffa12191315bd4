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

from services.payment.adapters.receipt_pdf import render_receipt
from services.payment.adapters.store import list_orders as list_stored_orders
from services.payment.adapters.vnpay.api_client import ProviderError
from services.payment.domain.deadline import PaymentTerm
from services.payment.domain.errors import NotPaidError
from services.payment.domain.status import OrderStatus
from services.payment.entrypoints.http.deps import (
    IdempotencyKey,
    client_ip,
    command,
    merchant,
    payments,
    provider_api,
    settings,
)
from shared.http.actor import CurrentActor
from shared.pagination import CursorError, decode_cursor
from shared.problems import ProblemError

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])


def _nfc(value: object) -> object:
    """Text people read is stored NFC, trimmed (before the length check)."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


class CheckoutRequest(BaseModel):
    method: Literal["vnpay"] = Field(description="Online payment through VNPay.")
    accept_terms: Literal[True] = Field(description="The payer confirmed the commitment.")


class OfficePaymentRequest(BaseModel):
    receipt_no: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9/._\-]+$")
    amount: int = Field(gt=0)


class RefundRequest(BaseModel):
    amount: int = Field(gt=0)
    reason: str = Field(min_length=3, max_length=500)

    _nfc = field_validator("reason", mode="before")(_nfc)


class CancelRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=500)

    _nfc = field_validator("reason", mode="before")(_nfc)


@router.get("/orders")
async def list_orders(
    actor: CurrentActor,
    request: Request,
    dossier_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    refund_due: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """The caller's orders (a citizen's "Giao dịch"), or an officer's agency's orders,
    newest first; ``refund_due=true``: only those holding money paid twice, still owed
    back. ``next`` is the ``after`` of the following page (null on the last one)."""
    officer = actor.role == "officer" and bool(actor.agency)
    try:
        start = decode_cursor(after) if after else None
    except CursorError:
        raise ProblemError(
            400,
            "bad-cursor",
            "Tham số phân trang không hợp lệ, vui lòng tải lại danh sách.",
        ) from None
    found, following = await list_stored_orders(
        request.app.state.pool,
        payer_id=None if officer else actor.id,
        agency_code=actor.agency if officer else None,
        dossier_id=dossier_id,
        status=status,
        refund_due=refund_due,
        after=start,
        limit=limit,
    )
    return {"items": await with_deadline(request, found), "next": following}


@router.get("/orders/{order_id}")
async def get_order(order_id: UUID, actor: CurrentActor, request: Request) -> dict[str, Any]:
    view = await asyncio.to_thread(payments(request).view, order_id, actor)
    return (await with_deadline(request, [view]))[0]


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
) -> dict[str, Any]:
    config = settings(request)
    return payments(request).start_checkout(
        order_id,
        actor,
        command(idempotency_key, "checkout", actor, body.model_dump()),
        method=config.online_method,
        merchant=merchant(request),
        ttl_seconds=config.checkout_ttl_seconds,
        client_ip=client_ip(request),
    )


@router.get("/orders/{order_id}/receipt")
def receipt(order_id: UUID, actor: CurrentActor, request: Request) -> Response:
    order = payments(request).paid_order(order_id, actor)
    if order.payment is None:
        raise NotPaidError("Giao dịch chưa được thanh toán nên chưa có biên lai.")
    name = f"bien-lai-{order.payment['receipt_no']}.pdf"
    return Response(
        render_receipt(order),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/orders/{order_id}/office-payment")
def office_payment(
    order_id: UUID,
    body: OfficePaymentRequest,
    actor: CurrentActor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return payments(request).record_office_payment(
        order_id,
        actor,
        command(idempotency_key, "office-payment", actor, body.model_dump()),
        receipt_no=body.receipt_no,
        amount=body.amount,
    )


@router.post("/orders/{order_id}/refunds", status_code=201)
def refund(
    order_id: UUID,
    body: RefundRequest,
    actor: CurrentActor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
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

    return payments(request).refund(
        order_id,
        actor,
        command(idempotency_key, "refund", actor, body.model_dump()),
        amount=body.amount,
        reason=body.reason,
        provider=at_provider,
    )


@router.post("/orders/{order_id}/cancel")
def cancel(
    order_id: UUID,
    body: CancelRequest,
    actor: CurrentActor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return payments(request).cancel(
        order_id,
        actor,
        command(idempotency_key, "cancel", actor, body.model_dump()),
        reason=body.reason,
    )
