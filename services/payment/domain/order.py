"""The fee order aggregate: one fee to pay for one request of one dossier.

A command method checks its invariants, then a decorated mutator records the
event. Every command an actor sends carries an idempotency key; the key, a
fingerprint of the request and its result are recorded in the command's own
event, so "done once" and "remembered" are one atomic write.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from eventsourcing.domain import Aggregate, event

from services.payment.domain.errors import (
    AlreadyPaidError,
    IdempotencyKeyReusedError,
    InvalidAmountError,
    InvalidFeeRequestError,
    InvalidStateError,
    NotAllowedError,
    NotPaidError,
    NotPayerError,
    OnlinePaymentNotAllowedError,
    OrderCancelledError,
    OrderExpiredError,
    UnknownMethodError,
)
from services.payment.domain.status import (
    CLOSED,
    ONLINE_METHODS,
    AttemptStatus,
    FailureReason,
    OrderStatus,
)
from shared.events.envelope import Actor
from shared.vn.money import MAX_VND, format_vnd

ORDER_NAMESPACE = uuid.UUID("3c1d8f0e-52a4-5b7e-8d0c-6a9e2f1b4c73")
ONLINE_LEVEL = 4
REFUND_ROLES = frozenset({"approver", "agency_admin"})


# What a verified notification did to its order (``FeeOrder.confirm_online``).
Confirmation = Literal[
    "confirmed", "duplicate", "already_confirmed", "unknown_attempt", "invalid_amount"
]


@dataclass(frozen=True)
class Command:
    """An actor's request as the idempotency rules see it."""

    key: str
    fingerprint: str


class FeeOrder(Aggregate):
    @staticmethod
    def create_id(dossier_id: str, request_sequence: int) -> uuid.UUID:
        """The same payment request (dossier, event sequence) always names the same order."""
        return uuid.uuid5(ORDER_NAMESPACE, f"{dossier_id}/{request_sequence}")

    @event("Created")
    def __init__(
        self,
        *,
        dossier_id: str,
        request_sequence: int,
        dossier_code: str,
        procedure_code: str,
        procedure_name: str,
        agency_code: str,
        payer_id: str,
        payer_name: str,
        service_level: int,
        items: list[dict[str, Any]],
        amount: int,
        reason: str,
        actor: dict[str, Any],
    ) -> None:
        self.dossier_id = dossier_id
        self.dossier_code = dossier_code
        self.procedure_code = procedure_code
        self.procedure_name = procedure_name
        self.agency_code = agency_code
        self.payer_id = payer_id
        self.payer_name = payer_name
        self.service_level = service_level
        self.items = items
        self.amount = amount
        self.reason = reason
        self.status = OrderStatus.PENDING
        self.attempts: dict[str, dict[str, Any]] = {}
        self.commands: dict[str, dict[str, Any]] = {}
        self.payment: dict[str, Any] | None = None
        self.refunds: list[dict[str, Any]] = []
        self.refunded_amount = 0
        # Online payments taken once the order was already paid: kept and owed back.
        self.extra_payments: list[dict[str, Any]] = []
        self.refund_due = 0

    @classmethod
    def request(
        cls, actor: Actor, *, items: list[dict[str, Any]], total: int, **fields: Any
    ) -> FeeOrder:
        """Check a payment request's fees (VND integers, adding up) and open the order."""
        amounts = [item.get("amount") for item in items]
        if not items or not all(type(a) is int and a > 0 for a in amounts):
            raise InvalidFeeRequestError("Mỗi khoản phí phải là số nguyên dương (VND).")
        if type(total) is not int or sum(amounts) != total:  # type: ignore[arg-type]
            raise InvalidFeeRequestError("Tổng tiền không khớp với các khoản phí.")
        if total > MAX_VND:
            raise InvalidFeeRequestError("Tổng tiền vượt quá mức thu tối đa của một giao dịch.")
        if not fields.get("payer_id"):
            raise InvalidFeeRequestError("Thiếu người nộp phí.")
        clean = [
            {
                "code": str(i.get("code", "")),
                "name": str(i.get("name", "")),
                "amount": int(i["amount"]),
                **_counted(i),
            }
            for i in items
        ]
        return cls(items=clean, amount=total, actor=actor.model_dump(), **fields)

    # --- idempotency -----------------------------------------------------------------

    def replay(self, command: Command) -> dict[str, Any] | None:
        """The remembered result of ``command``, None if new; a reused key is refused."""
        done = self.commands.get(command.key)
        if done is None:
            return None
        if done["fingerprint"] != command.fingerprint:
            raise IdempotencyKeyReusedError
        return dict(done["result"])

    def _remember(
        self, command_key: str | None, fingerprint: str | None, result: dict[str, Any]
    ) -> None:
        if command_key is not None:
            self.commands[command_key] = {"fingerprint": fingerprint, "result": result}

    # --- checkout ----------------------------------------------------------------------

    def next_attempt_id(self) -> str:
        """The provider reference of the next attempt (alphanumeric, as VNPay requires)."""
        return f"{self.id.hex}{len(self.attempts) + 1:03d}"

    def start_attempt(
        self,
        actor: Actor,
        command: Command,
        *,
        attempt_id: str,
        method: str,
        started_at: datetime,
        expires_at: datetime,
        payment_url: str,
    ) -> dict[str, Any]:
        if (done := self.replay(command)) is not None:
            return done
        self.check_payer(actor)
        if method not in ONLINE_METHODS:
            raise UnknownMethodError
        if self.service_level < ONLINE_LEVEL:
            raise OnlinePaymentNotAllowedError
        self.check_status(OrderStatus.PENDING)
        if attempt_id in self.attempts:
            raise InvalidStateError("Lượt thanh toán này đã tồn tại, vui lòng thử lại.")
        for stale in self.open_attempts():
            if datetime.fromisoformat(stale["expires_at"]) <= started_at:
                self._attempt_failed(  # expired at the provider: closed before another opens
                    attempt_id=stale["attempt_id"],
                    reason=FailureReason.EXPIRED.value,
                    response_code=None,
                    provider_txn=None,
                    actor=actor.model_dump(),
                )
        if still_open := self.open_attempts():
            return _checkout_result(self, still_open[-1])  # one open attempt per order
        self._attempt_started(
            attempt_id=attempt_id,
            method=method,
            amount=self.amount,
            started_at=started_at,
            expires_at=expires_at,
            payment_url=payment_url,
            actor=actor.model_dump(),
            command_key=command.key,
            fingerprint=command.fingerprint,
        )
        return self.commands[command.key]["result"]

    @event("AttemptStarted")
    def _attempt_started(
        self,
        attempt_id: str,
        method: str,
        amount: int,
        started_at: datetime,
        expires_at: datetime,
        payment_url: str,
        actor: dict[str, Any],
        command_key: str | None,
        fingerprint: str | None,
    ) -> None:
        self.attempts[attempt_id] = {
            "attempt_id": attempt_id,
            "method": method,
            "amount": amount,
            "status": AttemptStatus.STARTED.value,
            "started_at": started_at.isoformat(),
            "expires_at": expires_at.isoformat(),
            "reason": None,
            "provider_txn": None,
            "response_code": None,
            "payment_url": payment_url,
        }
        self._remember(command_key, fingerprint, _checkout_result(self, self.attempts[attempt_id]))

    def open_attempts(self) -> list[dict[str, Any]]:
        return [a for a in self.attempts.values() if a["status"] == AttemptStatus.STARTED]

    @event("AttemptFailed")
    def _attempt_failed(
        self,
        attempt_id: str,
        reason: str,
        response_code: str | None,
        provider_txn: str | None,
        actor: dict[str, Any],
    ) -> None:
        self.attempts[attempt_id].update(
            status=AttemptStatus.FAILED.value,
            reason=reason,
            response_code=response_code,
            provider_txn=provider_txn,
        )

    # --- the provider's notification ------------------------------------------------------

    def confirm_online(
        self,
        actor: Actor,
        *,
        attempt_id: str,
        amount: int,
        success: bool,
        failure: FailureReason | None,
        response_code: str,
        provider_txn: str,
        bank_code: str,
        paid_at: datetime,
    ) -> Confirmation:
        """Apply a verified notification. Returns ``confirmed``, ``duplicate`` (this very
        notification was applied before), ``already_confirmed``, ``unknown_attempt`` or
        ``invalid_amount``; only ``confirmed`` recorded an event. A success on an order
        already paid another way is ``confirmed`` too: kept as a payment owed back."""
        attempt = self.attempts.get(attempt_id)
        if attempt is None:
            return "unknown_attempt"
        if amount != attempt["amount"]:
            return "invalid_amount"
        if attempt["status"] == AttemptStatus.SUCCEEDED:
            same = success and attempt["provider_txn"] == provider_txn
            return "duplicate" if same else "already_confirmed"
        # what every recording of a charge says about it
        charge: dict[str, Any] = {
            "dossier_id": self.dossier_id,
            "amount": amount,
            "paid_at": paid_at,
            "method": attempt["method"],
            "provider_txn": provider_txn,
            "attempt_id": attempt_id,
            "bank_code": bank_code,
            "actor": actor.model_dump(),
        }
        if attempt["status"] == AttemptStatus.FAILED:
            if not success:
                same = attempt["provider_txn"] == provider_txn and attempt["reason"] == failure
                return "duplicate" if same else "already_confirmed"
            if attempt["reason"] != FailureReason.EXPIRED:
                return "already_confirmed"
            # Closed as expired when another attempt opened, yet the provider took the
            # money: the provider wins, the charge is recorded and refunded automatically.
            self._charged_on_closed_attempt(**charge, refund_due=self.refund_due + amount)
            return "confirmed"
        if not success:
            reason = (failure or FailureReason.FAILED).value
            self._attempt_failed(
                attempt_id=attempt_id,
                reason=reason,
                response_code=response_code,
                provider_txn=provider_txn,
                actor=charge["actor"],
            )
            return "confirmed"
        if self.status in CLOSED:
            # Cancelled or expired meanwhile, but the provider took the money: record it
            # (the provider wins) and owe it back; a refund stays an officer's decision.
            self._paid_after_close(
                **charge,
                receipt_no=self._receipt_no(paid_at),
                closed_as=OrderStatus(self.status).value,
            )
            return "confirmed"
        if self.status != OrderStatus.PENDING:
            # Already paid another way (at the office, another attempt) and the provider
            # took the money again: record it and refund it (``refund_late_charge``). The
            # order stays paid and its receipt valid, so the dossier does not move again.
            self._paid_twice(
                **charge,
                receipt_no=self.payment["receipt_no"] if self.payment else None,
                refund_due=self.refund_due + amount,
            )
            return "confirmed"
        self._paid(
            **charge,
            receipt_no=self._receipt_no(paid_at),
            command_key=None,
            fingerprint=None,
        )
        return "confirmed"

    def _receipt_no(self, paid_at: datetime) -> str:
        return f"BL{paid_at:%y%m%d}-{self.id.hex[:10].upper()}"

    @event("Paid")
    def _paid(
        self,
        dossier_id: str,
        amount: int,
        paid_at: datetime,
        method: str,
        receipt_no: str,
        provider_txn: str | None,
        attempt_id: str | None,
        bank_code: str | None,
        actor: dict[str, Any],
        command_key: str | None,
        fingerprint: str | None,
    ) -> None:
        self.status = OrderStatus.PAID
        self._record_payment(
            amount=amount,
            paid_at=paid_at,
            method=method,
            receipt_no=receipt_no,
            provider_txn=provider_txn,
            attempt_id=attempt_id,
            bank_code=bank_code,
            by=actor["id"],
        )
        self._remember(
            command_key,
            fingerprint,
            {
                "order_id": str(self.id),
                "status": self.status.value,
                "receipt_no": receipt_no,
            },
        )

    @event("PaidAfterClose")
    def _paid_after_close(
        self,
        dossier_id: str,
        amount: int,
        paid_at: datetime,
        method: str,
        receipt_no: str,
        provider_txn: str | None,
        attempt_id: str,
        bank_code: str | None,
        closed_as: str,
        actor: dict[str, Any],
    ) -> None:
        self.status = OrderStatus.REFUND_DUE
        self._record_payment(
            amount=amount,
            paid_at=paid_at,
            method=method,
            receipt_no=receipt_no,
            provider_txn=provider_txn,
            attempt_id=attempt_id,
            bank_code=bank_code,
            by=actor["id"],
        )

    @event("PaidTwice")
    def _paid_twice(
        self,
        dossier_id: str,
        amount: int,
        paid_at: datetime,
        method: str,
        provider_txn: str,
        attempt_id: str,
        bank_code: str | None,
        receipt_no: str | None,
        refund_due: int,
        actor: dict[str, Any],
    ) -> None:
        self._owe_back(amount, paid_at, method, provider_txn, attempt_id, bank_code, refund_due)

    @event("ChargedOnClosedAttempt")
    def _charged_on_closed_attempt(
        self,
        dossier_id: str,
        amount: int,
        paid_at: datetime,
        method: str,
        provider_txn: str,
        attempt_id: str,
        bank_code: str | None,
        refund_due: int,
        actor: dict[str, Any],
    ) -> None:
        self._owe_back(
            amount, paid_at, method, provider_txn, attempt_id, bank_code, refund_due, closed=True
        )

    def _owe_back(
        self,
        amount: int,
        paid_at: datetime,
        method: str,
        provider_txn: str,
        attempt_id: str,
        bank_code: str | None,
        refund_due: int,
        closed: bool = False,
    ) -> None:
        self.extra_payments.append(
            {
                "amount": amount,
                "paid_at": paid_at.isoformat(),
                "method": method,
                "provider_txn": provider_txn,
                "attempt_id": attempt_id,
                "bank_code": bank_code,
                "refunded": 0,
                "on_closed_attempt": closed,
            }
        )
        self.refund_due = refund_due
        self.attempts[attempt_id].update(
            status=AttemptStatus.SUCCEEDED.value,
            reason=None,
            provider_txn=provider_txn,
            response_code="00",
        )

    def _record_payment(
        self,
        *,
        amount: int,
        paid_at: datetime,
        method: str,
        receipt_no: str,
        provider_txn: str | None,
        attempt_id: str | None,
        bank_code: str | None,
        by: str,
    ) -> None:
        self.payment = {
            "amount": amount,
            "paid_at": paid_at.isoformat(),
            "method": method,
            "receipt_no": receipt_no,
            "provider_txn": provider_txn,
            "attempt_id": attempt_id,
            "bank_code": bank_code,
            "recorded_by": by,
        }
        if attempt_id is not None:
            self.attempts[attempt_id].update(
                status=AttemptStatus.SUCCEEDED.value,
                reason=None,
                provider_txn=provider_txn,
                response_code="00",
            )

    # --- officer: pay at the office, refund, cancel ----------------------------------------

    def record_office_payment(
        self, actor: Actor, command: Command, *, receipt_no: str, amount: int, paid_at: datetime
    ) -> dict[str, Any]:
        if (done := self.replay(command)) is not None:
            return done
        self.check_officer(actor)
        self.check_status(OrderStatus.PENDING)
        if amount != self.amount:
            raise InvalidAmountError(
                f"Số tiền thu ({format_vnd(amount)}) phải bằng số tiền phải nộp "
                f"({format_vnd(self.amount)})."
            )
        self._paid(
            dossier_id=self.dossier_id,
            amount=amount,
            paid_at=paid_at,
            method="office",
            receipt_no=receipt_no,
            provider_txn=None,
            attempt_id=None,
            bank_code=None,
            actor=actor.model_dump(),
            command_key=command.key,
            fingerprint=command.fingerprint,
        )
        return self.commands[command.key]["result"]

    def refund(
        self,
        actor: Actor,
        command: Command,
        *,
        amount: int,
        reason: str,
        provider_ref: str | None = None,
    ) -> dict[str, Any]:
        if (done := self.replay(command)) is not None:
            return done
        self.check_refund_allowed(actor, amount)
        self._refunded(
            dossier_id=self.dossier_id,
            amount=amount,
            reason=reason,
            provider_ref=provider_ref,
            actor=actor.model_dump(),
            command_key=command.key,
            fingerprint=command.fingerprint,
        )
        return self.commands[command.key]["result"]

    def check_refund_allowed(self, actor: Actor, amount: int) -> None:
        self.check_officer(actor)
        if not REFUND_ROLES.intersection(actor.officer_roles):
            raise NotAllowedError("Chỉ lãnh đạo hoặc quản trị của cơ quan được hoàn tiền.")
        if self.status not in (OrderStatus.PAID, OrderStatus.REFUND_DUE) and not self.refund_due:
            raise NotPaidError("Chỉ hoàn tiền cho giao dịch đã thanh toán.")
        owed = next((_owed(p) for p in self.extra_payments if _owed(p)), 0)
        limit = owed or self.refundable()
        if type(amount) is not int or not 0 < amount <= limit:
            which = " (khoản nộp trùng)" if owed else ""
            raise InvalidAmountError(f"Số tiền hoàn phải từ 1 đến {format_vnd(limit)}{which}.")

    def refundable(self) -> int:
        paid = self.payment["amount"] if self.payment else 0
        extra = sum(p["amount"] for p in self.extra_payments)
        return int(paid + extra - self.refunded_amount)

    def refund_source(self) -> dict[str, Any] | None:
        """The payment the next refund gives back: money owed back first (oldest first),
        then the order's payment."""
        return next((p for p in self.extra_payments if _owed(p)), self.payment)

    # --- charges taken on an attempt that no longer pays the order: refunded by the system --

    def late_charges(self) -> list[dict[str, Any]]:
        """Online charges still owed back (paid twice, or on a closed attempt), oldest first,
        each with what is ``owed`` of it."""
        return [
            {**p, "owed": _owed(p), "reason": self._late_charge_reason(p)}
            for p in self.extra_payments
            if _owed(p)
        ]

    def _late_charge_reason(self, charge: dict[str, Any]) -> str:
        if charge.get("on_closed_attempt") or self.payment is None:
            return (
                "Hoàn tiền tự động: lượt thanh toán đã hết hạn và được thay bằng lượt khác, "
                "khoản thu trên lượt cũ được trả lại."
            )
        return (
            "Hoàn tiền tự động: giao dịch đã được thanh toán trước đó (biên lai số "
            f"{self.payment['receipt_no']}), khoản thu này là khoản nộp trùng."
        )

    def refund_late_charge(
        self, actor: Actor, *, attempt_id: str, amount: int, reason: str, provider_ref: str
    ) -> bool:
        """Record the provider's refund of the charge of ``attempt_id``; False when it was
        recorded already (another worker, a retry) or is no longer owed."""
        key = f"late-charge-refund:{attempt_id}:{amount}"
        charge = next((p for p in self.extra_payments if p["attempt_id"] == attempt_id), None)
        if key in self.commands or charge is None or not 0 < amount <= _owed(charge):
            return False
        self._refunded(
            dossier_id=self.dossier_id,
            amount=amount,
            reason=reason,
            provider_ref=provider_ref,
            actor=actor.model_dump(),
            command_key=key,
            fingerprint=key,
            attempt_id=attempt_id,
        )
        return True

    @event("Refunded")
    def _refunded(
        self,
        dossier_id: str,
        amount: int,
        reason: str,
        provider_ref: str | None,
        actor: dict[str, Any],
        command_key: str | None,
        fingerprint: str | None,
        attempt_id: str | None = None,  # the charge refunded; else what is owed, oldest first
    ) -> None:
        self.refunded_amount += amount
        left = amount
        extras = sorted(self.extra_payments, key=lambda p: p["attempt_id"] != attempt_id)
        for extra in extras:  # what is owed back is refunded first
            taken = min(left, _owed(extra))
            extra["refunded"] += taken
            left -= taken
        self.refund_due = sum(_owed(p) for p in self.extra_payments)
        self.refunds.append(
            {
                "amount": amount,
                "reason": reason,
                "provider_ref": provider_ref,
                "by": actor["id"],
                "attempt_id": attempt_id,
            }
        )
        if self.payment is not None and self.refundable() == 0:
            self.status = OrderStatus.REFUNDED  # a pending order stays payable
        self._remember(
            command_key,
            fingerprint,
            {
                "order_id": str(self.id),
                "status": self.status.value,
                "refunded_amount": self.refunded_amount,
                "refund_no": len(self.refunds),
            },
        )

    def cancel(self, actor: Actor, command: Command, *, reason: str) -> dict[str, Any]:
        if (done := self.replay(command)) is not None:
            return done
        self.check_officer(actor)
        self.check_status(OrderStatus.PENDING)
        self._cancelled(
            dossier_id=self.dossier_id,
            reason=reason,
            actor=actor.model_dump(),
            command_key=command.key,
            fingerprint=command.fingerprint,
        )
        return self.commands[command.key]["result"]

    def cancel_for_dossier(self, actor: Actor, command: Command, *, reason: str) -> bool:
        """The dossier ended unpaid (withdrawn, rejected): cancel if still awaiting payment.
        False when there is nothing to do (paid, refunded, already closed, a redelivery)."""
        if self.replay(command) is not None or self.status != OrderStatus.PENDING:
            return False
        self._cancelled(
            dossier_id=self.dossier_id,
            reason=reason,
            actor=actor.model_dump(),
            command_key=command.key,
            fingerprint=command.fingerprint,
        )
        return True

    @event("Cancelled")
    def _cancelled(
        self,
        dossier_id: str,
        reason: str,
        actor: dict[str, Any],
        command_key: str | None,
        fingerprint: str | None,
    ) -> None:
        self.status = OrderStatus.CANCELLED
        self._remember(
            command_key, fingerprint, {"order_id": str(self.id), "status": self.status.value}
        )

    # --- expiry ----------------------------------------------------------------------------

    def expire(self, actor: Actor, *, now: datetime, deadline: datetime, reason: str) -> bool:
        """Still unpaid at ``deadline``: the order expires. False when nothing to do."""
        if self.status != OrderStatus.PENDING or now < deadline:
            return False
        self._expired(
            dossier_id=self.dossier_id,
            opened_at=self.created_on,
            deadline=deadline,
            reason=reason,
            actor=actor.model_dump(),
        )
        return True

    @event("Expired")
    def _expired(
        self,
        dossier_id: str,
        opened_at: datetime,
        deadline: datetime,
        reason: str,
        actor: dict[str, Any],
    ) -> None:
        self.status = OrderStatus.EXPIRED

    # --- rules ---------------------------------------------------------------------------

    def check_payer(self, actor: Actor) -> None:
        if actor.id != self.payer_id:
            raise NotPayerError

    def check_officer(self, actor: Actor) -> None:
        if actor.role != "officer" or actor.agency != self.agency_code:
            raise NotAllowedError

    def check_visible_to(self, actor: Actor) -> None:
        """The payer sees their order; officers of its agency see it; nobody else does."""
        if actor.role == "officer" and actor.agency == self.agency_code:
            return
        self.check_payer(actor)

    def check_status(self, *allowed: OrderStatus) -> None:
        if self.status in allowed:
            return
        raise {
            OrderStatus.PAID: AlreadyPaidError,
            OrderStatus.REFUND_DUE: AlreadyPaidError,
            OrderStatus.CANCELLED: OrderCancelledError,
            OrderStatus.EXPIRED: OrderExpiredError,
        }.get(OrderStatus(self.status), InvalidStateError)


def _checkout_result(order: FeeOrder, attempt: dict[str, Any]) -> dict[str, Any]:
    """What a checkout answers: the attempt's link, amount and expiry."""
    return {
        "order_id": str(order.id),
        "attempt_id": attempt["attempt_id"],
        "payment_url": attempt["payment_url"],
        "expires_at": attempt["expires_at"],
        "amount": attempt["amount"],
        "method": attempt["method"],
    }


def _owed(payment: dict[str, Any] | None) -> int:
    """What is still owed back of an extra payment."""
    return int(payment["amount"] - payment["refunded"]) if payment else 0


def _counted(item: dict[str, Any]) -> dict[str, int]:
    """A line computed from a count (``quantity`` units of ``unit_amount``) keeps both for
    the receipt; other extra keys of the request are not kept."""
    quantity, unit = item.get("quantity"), item.get("unit_amount")
    if type(quantity) is int and type(unit) is int and quantity > 0 and unit > 0:
        return {"quantity": quantity, "unit_amount": unit}
    return {}
