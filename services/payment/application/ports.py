"""What the use cases need from the outside, as Protocols and the values they carry.

The VNPay adapters (adapters/vnpay/), the read model (adapters/store.py) and the receipt's
PDF (adapters/receipt_pdf.py) implement them, built by ``bootstrap``; the entrypoints and
unit tests see only these.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from services.payment.domain.order import Confirmation, FeeOrder
from services.payment.domain.status import FailureReason

# A paid order's receipt (biên lai) as a PDF document.
ReceiptPrinter = Callable[[FeeOrder], bytes]


@dataclass(frozen=True)
class Notification:
    """A verified result of one attempt, as the provider reported it."""

    order_id: uuid.UUID
    attempt_id: str
    amount: int
    success: bool
    failure: FailureReason | None
    response_code: str
    provider_txn: str
    bank_code: str
    paid_at: datetime


class ProviderError(Exception):
    """The provider refused or could not be reached; nothing was recorded on our side."""


@dataclass(frozen=True)
class ProviderTransaction:
    """One transaction of the provider's daily report, in đồng (``amount`` is None when
    the provider's figure is not a whole number of đồng)."""

    ref: str
    paid: bool
    amount: int | None
    refunded: int


@dataclass(frozen=True)
class Rejected:
    """A notification refused before it reached an order; ``answer`` is what the provider
    is told, in its own format."""

    answer: dict[str, str]
    why: str


# What became of a notification, as the provider is told it (``Merchant.answer``): what
# the order made of it, or no such order, or our failure.
Outcome = Confirmation | Literal["not_found", "error"]


class PaymentLinks(Protocol):
    """Builds the provider's payment page address for one attempt."""

    def payment_url(
        self,
        *,
        attempt_id: str,
        amount: int,
        order_info: str,
        created_at: datetime,
        expires_at: datetime,
        client_ip: str,
    ) -> str: ...


class Merchant(PaymentLinks, Protocol):
    """The merchant side of the provider: payment addresses out, signed notifications in."""

    def read(self, params: Mapping[str, str]) -> Notification | Rejected:
        """A notification (or a return-URL visit) checked before anything trusts it."""
        ...

    def answer(self, outcome: Outcome) -> dict[str, str]:
        """What the provider is told about one notification's outcome."""
        ...


class ProviderApi(Protocol):
    """The provider's merchant API: refunds and the daily report."""

    def refund(
        self,
        *,
        request_id: uuid.UUID,
        txn_ref: str,
        transaction_no: str,
        amount: int,
        full: bool,
        paid_at: datetime,
        created_by: str,
        client_ip: str,
    ) -> str:
        """Ask for a refund; a repeat with the same ``request_id`` refunds once."""
        ...

    def report(self, day: str) -> list[ProviderTransaction]:
        """Every transaction of a GMT+7 day (``yyyyMMdd``), as the provider has them."""
        ...


class OrderViews(Protocol):
    """The read model of orders: one payer's or one agency's (exactly one is given)."""

    async def page(
        self,
        *,
        payer_id: str | None,
        agency_code: str | None,
        dossier_id: str | None,
        status: str | None,
        refund_due: bool,
        after: str | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first from the cursor ``after``; the views and the next page's cursor
        (None on the last page). A cursor that is not one of ours: BadCursorError."""
        ...


class PendingOrders(Protocol):
    """The read model as the expiry sweep asks it."""

    async def pending_opened_before(self, cutoff: datetime) -> list[str]:
        """Ids of unpaid orders opened at or before ``cutoff``, oldest first."""
        ...


class OwingOrders(Protocol):
    """The read model as the late-charge sweep asks it."""

    async def owing_refund(self) -> list[str]:
        """Ids of orders holding charges still owed back, oldest first."""
        ...
