"""Reading orders: the caller's list from the read model, a paid order's receipt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.payment.application.payments import PaymentApplication
from services.payment.application.ports import OrderViews, ReceiptPrinter
from services.payment.domain.errors import NotPaidError
from shared.events.envelope import Actor


@dataclass(frozen=True)
class OrderQuery:
    dossier_id: str | None = None
    status: str | None = None
    refund_due: bool = False
    after: str | None = None
    limit: int = 50


async def list_orders(
    views: OrderViews, actor: Actor, query: OrderQuery
) -> tuple[list[dict[str, Any]], str | None]:
    """An officer of an agency sees the agency's orders; anyone else their own."""
    officer = actor.role == "officer" and bool(actor.agency)
    return await views.page(
        payer_id=None if officer else actor.id,
        agency_code=actor.agency if officer else None,
        dossier_id=query.dossier_id,
        status=query.status,
        refund_due=query.refund_due,
        after=query.after,
        limit=query.limit,
    )


@dataclass(frozen=True)
class Receipt:
    file_name: str
    pdf: bytes


def receipt(
    payments: PaymentApplication, printer: ReceiptPrinter, order_id: UUID, actor: Actor
) -> Receipt:
    order = payments.paid_order(order_id, actor)
    if order.payment is None:
        raise NotPaidError("Giao dịch chưa được thanh toán nên chưa có biên lai.")
    return Receipt(f"bien-lai-{order.payment['receipt_no']}.pdf", printer(order))
