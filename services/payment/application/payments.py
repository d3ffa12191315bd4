"""Use cases of payment: get from the repository, call one method, save.

The application's event store is the outbox: the relay publishes what is saved
here. Two writers of one order conflict on its version; the loser reloads and
decides again, so a notification delivered concurrently is applied once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.payment.application.ports import Notification, PaymentLinks
from services.payment.application.views import order_view
from services.payment.domain.errors import NotPayerError, OrderNotFoundError
from services.payment.domain.order import Command, Confirmation, FeeOrder
from shared.events.envelope import Actor
from shared.replay import ReplayingApplication

log = logging.getLogger(__name__)
T = TypeVar("T")
SYSTEM = Actor(id="payment", role="system")
CONFLICT_RETRIES = 10
ProviderRefund = Callable[[dict[str, Any], int, UUID], str]  # (payment, amount, request id)


class PaymentApplication(ReplayingApplication):
    name = "payment"

    # --- from the dossier ------------------------------------------------------------

    def open_order(
        self, *, dossier_id: str, request_sequence: int, data: dict[str, Any], actor: Actor
    ) -> UUID:
        """Open the order for one ``payment_requested`` event; a redelivery finds it there."""
        order_id = FeeOrder.create_id(dossier_id, request_sequence)
        if self._exists(order_id):
            return order_id
        order = FeeOrder.request(
            actor,
            items=list(data.get("fees") or []),
            total=data.get("total"),  # type: ignore[arg-type]
            dossier_id=dossier_id,
            request_sequence=request_sequence,
            dossier_code=str(data.get("code") or ""),
            procedure_code=str(data.get("procedure_code") or ""),
            procedure_name=str(data.get("procedure_name") or ""),
            agency_code=str(data.get("agency_code") or ""),
            payer_id=str(data.get("payer_id") or ""),
            payer_name=str(data.get("payer_name") or ""),
            service_level=int(data.get("service_level") or 0),
            reason=str(data.get("reason") or ""),
        )
        try:
            self.save(order)
        except IntegrityError:
            if not self._exists(order_id):  # a concurrent consumer created it: fine
                raise
        return order_id

    def close_for_dossier(
        self, *, dossier_id: str, closing_sequence: int, event_id: str, reason: str
    ) -> list[UUID]:
        """The dossier ended unpaid: cancel its orders still awaiting payment.

        An order is named by its ``payment_requested``'s sequence, which comes before the
        closing event in the dossier's stream, so its orders are among those ids: found in
        the event store itself, with no read model lag. Paid orders are left alone.
        """
        command = Command(key=f"dossier-event:{event_id}", fingerprint=f"close:{dossier_id}")
        cancelled = []
        for sequence in range(1, closing_sequence):
            order_id = FeeOrder.create_id(dossier_id, sequence)
            if not self.recorder.select_events(order_id, limit=1):
                continue
            if self._change(
                order_id, lambda order: order.cancel_for_dossier(SYSTEM, command, reason=reason)
            ):
                cancelled.append(order_id)
        return cancelled

    def expire(
        self,
        order_id: UUID,
        *,
        now: datetime,
        deadline_of: Callable[[datetime], tuple[datetime, str]],
    ) -> bool:
        """Expire an order unpaid past its deadline; ``deadline_of(opened at)`` gives the
        deadline and the reason people read. A concurrent save (another worker's sweep,
        a payment) wins: the next sweep decides again."""
        order = self.order(order_id)
        deadline, reason = deadline_of(order.created_on)
        if not order.expire(SYSTEM, now=now, deadline=deadline, reason=reason):
            return False
        try:
            self.save(order)
        except IntegrityError:
            log.info("order changed while expiring it", extra={"order": str(order_id)})
            return False
        return True

    # --- queries ---------------------------------------------------------------------

    def order(self, order_id: UUID) -> FeeOrder:
        try:
            return self.repository.get(order_id)
        except AggregateNotFoundError:
            raise OrderNotFoundError from None

    def view(self, order_id: UUID, actor: Actor) -> dict[str, Any]:
        order = self.order(order_id)
        order.check_visible_to(actor)
        return order_view(order)

    def paid_order(self, order_id: UUID, actor: Actor) -> FeeOrder:
        order = self.order(order_id)
        order.check_visible_to(actor)
        return order

    # --- commands --------------------------------------------------------------------

    def start_checkout(
        self,
        order_id: UUID,
        actor: Actor,
        command: Command,
        *,
        method: str,
        merchant: PaymentLinks,
        ttl_seconds: int,
        client_ip: str,
    ) -> dict[str, Any]:
        """Open an online attempt; ``method`` is what is recorded (sandbox or VNPay)."""

        def attempt(order: FeeOrder) -> dict[str, Any]:
            if (done := order.replay(command)) is not None:
                return done
            order.check_payer(actor)
            now = datetime.now(UTC).replace(microsecond=0)
            expires = now + timedelta(seconds=ttl_seconds)
            attempt_id = order.next_attempt_id()
            url = merchant.payment_url(
                attempt_id=attempt_id,
                amount=order.amount,
                order_info=f"Thanh toan le phi ho so {order.dossier_code or order.dossier_id}",
                created_at=now,
                expires_at=expires,
                client_ip=client_ip,
            )
            return order.start_attempt(
                actor,
                command,
                attempt_id=attempt_id,
                method=method,
                started_at=now,
                expires_at=expires,
                payment_url=url,
            )

        return self._change(order_id, attempt, visible_to=actor)

    def confirm(self, note: Notification) -> Confirmation:
        """Apply a verified provider notification; see ``FeeOrder.confirm_online``."""

        def apply(order: FeeOrder) -> Confirmation:
            return order.confirm_online(
                SYSTEM,
                attempt_id=note.attempt_id,
                amount=note.amount,
                success=note.success,
                failure=note.failure,
                response_code=note.response_code,
                provider_txn=note.provider_txn,
                bank_code=note.bank_code,
                paid_at=note.paid_at,
            )

        return self._change(note.order_id, apply)

    def record_office_payment(
        self, order_id: UUID, actor: Actor, command: Command, *, receipt_no: str, amount: int
    ) -> dict[str, Any]:
        return self._change(
            order_id,
            lambda order: order.record_office_payment(
                actor, command, receipt_no=receipt_no, amount=amount, paid_at=datetime.now(UTC)
            ),
            visible_to=actor,
        )

    def refund(
        self,
        order_id: UUID,
        actor: Actor,
        command: Command,
        *,
        amount: int,
        reason: str,
        provider: ProviderRefund | None = None,
    ) -> dict[str, Any]:
        """Refund; an online payment is refunded at the provider first (same request id on
        every retry, so the provider refunds once), then recorded. A payment owed back
        (taken after the order was paid) is the one refunded first."""

        def apply(order: FeeOrder) -> dict[str, Any]:
            if (done := order.replay(command)) is not None:
                return done
            order.check_refund_allowed(actor, amount)
            source, ref = order.refund_source(), None
            if provider is not None and source is not None and source.get("attempt_id"):
                ref = provider(source, amount, uuid5(order.id, command.key))
            return order.refund(actor, command, amount=amount, reason=reason, provider_ref=ref)

        return self._change(order_id, apply, visible_to=actor)

    def refund_late_charges(self, order_id: UUID, provider: ProviderRefund) -> int:
        """Give back every charge the order owes (taken on an attempt that no longer pays
        it: the order was paid already, or the attempt was closed when another opened):
        refunded at the provider, then recorded as a refund by the system. Returns how many
        were recorded. Safe to repeat and to run in several workers: the request id is the
        charge's (a repeat refunds once) and the order remembers what it recorded. A
        provider failure (``ProviderError``) stops here; the next sweep tries again."""
        recorded = 0
        for charge in self.order(order_id).late_charges():
            attempt_id, amount = charge["attempt_id"], charge["owed"]
            request_id = uuid5(order_id, f"late-charge-refund:{attempt_id}:{amount}")
            given_back = partial(
                FeeOrder.refund_late_charge,
                actor=SYSTEM,
                attempt_id=attempt_id,
                amount=amount,
                reason=charge["reason"],
                provider_ref=provider(charge, amount, request_id),
            )
            if self._change(order_id, given_back):
                recorded += 1
                log.info("late charge refunded", extra={"order": str(order_id), "ref": attempt_id})
        return recorded

    def cancel(
        self, order_id: UUID, actor: Actor, command: Command, *, reason: str
    ) -> dict[str, Any]:
        return self._change(
            order_id, lambda order: order.cancel(actor, command, reason=reason), visible_to=actor
        )

    # --- plumbing --------------------------------------------------------------------

    def _change(
        self, order_id: UUID, change: Callable[[FeeOrder], T], visible_to: Actor | None = None
    ) -> T:
        """Get, change, save; on a concurrent write, reload and decide again."""
        for _ in range(CONFLICT_RETRIES):
            order = self.order(order_id)
            if visible_to is not None:
                try:
                    order.check_visible_to(visible_to)
                except NotPayerError:
                    raise OrderNotFoundError from None
            result = change(order)
            try:
                self.save(order)
            except IntegrityError:
                log.info("concurrent change of order, retrying", extra={"order": str(order_id)})
                continue
            return result
        raise RuntimeError(f"order {order_id} kept changing under us")

    def _exists(self, order_id: UUID) -> bool:
        try:
            self.repository.get(order_id)
        except AggregateNotFoundError:
            return False
        return True
