"""What the use cases need from the outside, as Protocols and the values they carry.

The VNPay adapters (adapters/vnpay/) implement them; unit tests may pass fakes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.payment.domain.status import FailureReason


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
