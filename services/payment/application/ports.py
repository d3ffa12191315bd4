"""What the use cases need from the outside, as Protocols and the values they carry.

The VNPay adapters (adapters/vnpay/), the read model (adapters/store.py) and the receipt's
PDF (adapters/receipt_pdf.py) implement them; unit tests may pass fakes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from services.payment.domain.order import FeeOrder
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
