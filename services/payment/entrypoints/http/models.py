"""What payment's routes answer, as the OpenAPI document describes it.

An order's view (``application.views.order_view``, kept as JSONB by the read model) is
declared key by key: FastAPI drops undeclared keys, and the portal reads them all. Money is
in đồng (VND, integers). Keys a view may leave out (``pay_by``, a fee line's count, a
mismatch's facts) default to None and the routes answer with ``response_model_exclude_unset``,
so an absent key stays absent.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from shared.http.isotime import IsoDatetime


class FeeLine(BaseModel):
    code: str
    name: str
    amount: int
    quantity: int | None = Field(None, description="A line counted in units: how many.")
    unit_amount: int | None = Field(None, description="... and the amount of one unit.")


class AttemptView(BaseModel):
    """One online payment attempt."""

    attempt_id: str = Field(description="The provider's transaction reference (vnp_TxnRef).")
    method: str
    amount: int
    status: str
    started_at: IsoDatetime
    expires_at: IsoDatetime
    reason: str | None = None
    provider_txn: str | None = None
    response_code: str | None = None
    status_label: str
    method_label: str


class PaymentView(BaseModel):
    """The payment that settled the order, with its receipt number."""

    amount: int
    paid_at: IsoDatetime
    method: str
    receipt_no: str
    provider_txn: str | None = None
    attempt_id: str | None = None
    bank_code: str | None = None
    recorded_by: str
    method_label: str


class ExtraPaymentView(BaseModel):
    """An online payment taken once the order was already paid: owed back."""

    amount: int
    paid_at: IsoDatetime
    method: str
    provider_txn: str | None = None
    attempt_id: str
    bank_code: str | None = None
    refunded: int
    method_label: str


class RefundView(BaseModel):
    amount: int
    reason: str
    provider_ref: str | None = None
    by: str


class OrderView(BaseModel):
    """A fee order («Giao dịch»): what a payer owes for a dossier, and what happened."""

    id: str
    dossier_id: str
    dossier_code: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    payer_id: str
    payer_name: str
    service_level: int
    items: list[FeeLine]
    amount: int
    currency: Literal["VND"]
    status: str
    status_label: str
    attempts: list[AttemptView]
    payment: PaymentView | None
    extra_payments: list[ExtraPaymentView]
    refund_due: int = Field(description="Paid twice and still owed back.")
    refunded_amount: int
    refunds: list[RefundView]
    created_at: IsoDatetime
    updated_at: IsoDatetime
    version: int
    pay_by: IsoDatetime | None = Field(None, description="When an unpaid order lapses.")


class OrderPage(BaseModel):
    items: list[OrderView]
    next: str | None = Field(description="The ``after`` of the following page; null on the last.")


class CheckoutView(BaseModel):
    """The online attempt opened: where to send the payer."""

    order_id: str
    attempt_id: str
    payment_url: str
    expires_at: IsoDatetime
    amount: int
    method: str


class PaymentRecorded(BaseModel):
    order_id: str
    status: str
    receipt_no: str


class RefundRecorded(BaseModel):
    order_id: str
    status: str
    refunded_amount: int = Field(description="All refunded of the order so far.")
    refund_no: int = Field(description="This refund's number, from 1.")


class OrderStatusView(BaseModel):
    order_id: str
    status: str


class Mismatch(BaseModel):
    """A transaction of the provider's report that does not match our orders; the facts
    given depend on ``kind``."""

    txn_ref: str
    kind: str
    detail: str = Field(description="What it means, for a person (Vietnamese).")
    order_id: str | None = None
    amount: int | None = None
    provider_amount: int | None = None
    our_amount: int | None = None
    provider_refunded: int | None = None
    our_refunded: int | None = None


class Reconciliation(BaseModel):
    date: dt.date = Field(description="The day reconciled, in Vietnam (GMT+7).")
    checked: int
    matched: int
    mismatches: list[Mismatch]


class IpnAnswer(BaseModel):
    """VNPay's own JSON answer to its notification."""

    RspCode: str
    Message: str
