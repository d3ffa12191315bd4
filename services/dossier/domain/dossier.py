"""The dossier aggregate: the agency's side (reception, processing, decision, result).

The citizen's side, authorisation and the hash chain are in :mod:`filing`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import event

from services.dossier.domain import errors
from services.dossier.domain.filing import CITIZEN_ROLES, ONLINE_LEVELS, Filing, text
from services.dossier.domain.result import checked_result, downloadable_result
from services.dossier.domain.status import Status
from shared.events.envelope import Actor
from shared.workdays import WorkCalendar

__all__ = ["CITIZEN_ROLES", "ONLINE_LEVELS", "Dossier"]


class Dossier(Filing):
    # -- the agency's side -------------------------------------------------------------

    def accept(self, actor: Actor, now: datetime, calendar: WorkCalendar) -> None:
        """Receive the dossier: issue the receipt with the appointment date, counted in
        working days from now by the catalog's calendar."""
        self._authorise("accept", actor)
        appointment = calendar.add_working_days(now, self.procedure_version_info.time_limit_days)
        received = [
            {"id": a["id"], "document_code": a.get("document_code"), "name": a.get("name")}
            for a in self.attachments.values()
        ]
        self._accepted(
            actor=actor.model_dump(),
            at=now,
            appointment_at=appointment,
            received_documents=received,
        )

    @event("Accepted")
    def _accepted(
        self,
        actor: dict[str, Any],
        at: datetime,
        appointment_at: datetime,
        received_documents: list[dict[str, Any]],
    ) -> None:
        self.status = Status.ACCEPTED
        self.accepted_at = at
        self.appointment_at = appointment_at

    def reject_at_reception(self, actor: Actor, reason: str, now: datetime) -> None:
        self._authorise("reject_at_reception", actor)
        self._rejected_at_reception(
            actor=actor.model_dump(), reason=text(reason, "lý do từ chối"), at=now
        )

    @event("RejectedAtReception")
    def _rejected_at_reception(self, actor: dict[str, Any], reason: str, at: datetime) -> None:
        self.status = Status.REJECTED_AT_RECEPTION
        self.closing_reason = reason

    def request_supplement(
        self, actor: Actor, items: list[dict[str, Any]], reason: str, now: datetime
    ) -> None:
        """Name each missing or faulty document ({document_code, reason}); the deadline
        clock stops until the citizen answers."""
        self._authorise("request_supplement", actor)
        if not items:
            raise errors.InvalidInputError("Vui lòng nêu ít nhất một giấy tờ cần bổ sung.")
        procedure = self.procedure_version_info
        clean = []
        for item in items:
            code = str(item.get("document_code") or "")
            document = procedure.document(code)
            if document is None and code != "form":
                raise errors.InvalidInputError(f"Giấy tờ «{code}» không thuộc thủ tục này.")
            clean.append(
                {
                    "document_code": code,
                    "name": document.name if document else "Tờ khai",
                    "reason": text(str(item.get("reason") or ""), "lý do bổ sung"),
                }
            )
        self._supplement_requested(
            actor=actor.model_dump(),
            round=len(self.supplements) + 1,
            items=clean,
            reason=text(reason, "lý do yêu cầu bổ sung"),
            at=now,
        )

    @event("SupplementRequested")
    def _supplement_requested(
        self,
        actor: dict[str, Any],
        round: int,
        items: list[dict[str, Any]],
        reason: str,
        at: datetime,
    ) -> None:
        self.supplements.append(
            {
                "round": round,
                "items": items,
                "reason": reason,
                "requested_at": at,
                "resume_status": self.status.value,
                "attachments_before": sorted(self.attachments),
                "form_before": dict(self.form),
            }
        )
        self.status = Status.SUPPLEMENT_REQUESTED

    def start_processing(self, actor: Actor, now: datetime) -> None:
        self._authorise("start_processing", actor)
        self._processing_started(actor=actor.model_dump(), at=now)

    @event("ProcessingStarted")
    def _processing_started(self, actor: dict[str, Any], at: datetime) -> None:
        self.status = Status.IN_PROCESSING
        self.assignee = self.assignee or actor["id"]

    def assign(self, actor: Actor, officer_id: str, now: datetime, note: str = "") -> None:
        self._authorise("assign", actor)
        self._assigned(
            actor=actor.model_dump(),
            officer_id=text(officer_id, "cán bộ xử lý"),
            note=text(note, "ghi chú", required=False),
            at=now,
        )

    @event("Assigned")
    def _assigned(self, actor: dict[str, Any], officer_id: str, note: str, at: datetime) -> None:
        self.status = Status.IN_PROCESSING
        self.assignee = officer_id

    def transfer(self, actor: Actor, to_agency: str, reason: str, now: datetime) -> None:
        """Hand the dossier to another agency or department; both may then act on it."""
        self._authorise("transfer", actor)
        to_agency = text(to_agency, "cơ quan nhận", limit=32)
        if to_agency == self.handling_agency:
            raise errors.InvalidInputError("Hồ sơ đã ở cơ quan này.")
        self._transferred(
            actor=actor.model_dump(),
            from_agency=self.handling_agency,
            to_agency=to_agency,
            reason=text(reason, "lý do chuyển"),
            at=now,
        )

    @event("Transferred")
    def _transferred(
        self, actor: dict[str, Any], from_agency: str, to_agency: str, reason: str, at: datetime
    ) -> None:
        self.handling_agency = to_agency
        self.assignee = None

    def add_opinion(self, actor: Actor, opinion: str, now: datetime) -> None:
        """An internal opinion: shown to officers and auditors, not to the citizen."""
        self._authorise("add_opinion", actor)
        self._opinion_added(actor=actor.model_dump(), opinion=text(opinion, "ý kiến"), at=now)

    @event("OpinionAdded")
    def _opinion_added(self, actor: dict[str, Any], opinion: str, at: datetime) -> None:
        self.opinions.append({"by": actor["id"], "opinion": opinion, "at": at})

    def propose(self, actor: Actor, decision: str, note: str, now: datetime) -> None:
        self._authorise("propose", actor)
        if decision not in ("approve", "reject"):
            raise errors.InvalidInputError("Đề xuất phải là «approve» hoặc «reject».")
        self._proposed(
            actor=actor.model_dump(), decision=decision, note=text(note, "nội dung đề xuất"), at=now
        )

    @event("Proposed")
    def _proposed(self, actor: dict[str, Any], decision: str, note: str, at: datetime) -> None:
        self.proposal = {"decision": decision, "note": note, "by": actor["id"], "at": at}

    def approve(self, actor: Actor, result: dict[str, Any], now: datetime) -> None:
        """Sign the result ({number, note} and/or ``document``: the uploaded file's
        {name, content_type, size, sha256}, never its bytes); the fee, if any is still
        due, must be paid before the result is ready."""
        self.check_approval(actor)
        if not result:
            raise errors.InvalidInputError("Vui lòng đính kèm kết quả giải quyết.")
        result = checked_result(result)
        procedure = self.procedure_version_info
        lines = procedure.fee_lines(self.form) if self.payment is None else []
        fee_due = sum(line.amount for line in lines)
        self._approved(actor=actor.model_dump(), result=result, fee_due=fee_due, at=now)
        if fee_due:
            self._payment_requested(
                actor=actor.model_dump(),
                dossier_id=str(self.id),
                code=self.code or "",
                procedure_code=procedure.code,
                procedure_version=procedure.version,
                agency_code=self.agency_code,
                payer_id=self.owner_id,
                service_level=procedure.service_level,
                fees=[line.as_dict() for line in lines if line.amount > 0],
                total=fee_due,
                procedure_name=procedure.name,
                payer_name=self.applicant,
                reason=f"Phí, lệ phí giải quyết hồ sơ {self.code}",
            )

    def check_approval(self, actor: Actor) -> None:
        """What refuses an approval whatever its result (who, the dossier's state, the
        proposal), checked before the result file is stored."""
        self._authorise("approve", actor)
        if self.proposal is None:
            raise errors.InvalidTransitionError("Hồ sơ chưa có đề xuất của cán bộ xử lý.")

    @event("PaymentRequested")
    def _payment_requested(
        self,
        actor: dict[str, Any],
        dossier_id: str,
        code: str,
        procedure_code: str,
        procedure_version: int,
        agency_code: str,
        payer_id: str,
        service_level: int,
        fees: list[dict[str, Any]],
        total: int,
        procedure_name: str,
        payer_name: str,
        reason: str,
    ) -> None:
        """Published for the payment service (docs/events.md, Dossier → payment)."""

    @event("Approved")
    def _approved(
        self, actor: dict[str, Any], result: dict[str, Any], fee_due: int, at: datetime
    ) -> None:
        self.result = result
        self.fee_due = fee_due
        self.status = Status.AWAITING_PAYMENT if fee_due > 0 else Status.RESULT_READY

    def result_document_for(self, actor: Actor) -> dict[str, Any]:
        """The result file's descriptor if ``actor`` may download it now (see :mod:`result`)."""
        return downloadable_result(
            self.status, self.result, actor, owner=self.is_owner(actor), agencies=self.agencies
        )

    def actions_for(self, actor: Actor) -> list[str]:
        """What ``actor`` may do now: the allowed commands, and ``download_result`` when the
        result file is theirs to download. Pages show these and decide nothing themselves."""
        actions = self.allowed_commands(actor)
        try:
            self.result_document_for(actor)
        except errors.DossierError:
            return actions
        return [*actions, "download_result"]

    def reject(self, actor: Actor, reason: str, now: datetime) -> None:
        self._authorise("reject", actor)
        self._rejected(actor=actor.model_dump(), reason=text(reason, "lý do từ chối"), at=now)

    @event("Rejected")
    def _rejected(self, actor: dict[str, Any], reason: str, at: datetime) -> None:
        self.status = Status.REJECTED
        self.closing_reason = reason

    def extend(
        self, actor: Actor, reason: str, new_appointment_at: datetime, now: datetime
    ) -> None:
        """Gia hạn: a later appointment with a reason (the apology letter is built from it)."""
        self._authorise("extend", actor)
        assert self.appointment_at is not None
        if new_appointment_at <= self.appointment_at:
            raise errors.InvalidInputError("Ngày hẹn mới phải sau ngày hẹn hiện tại.")
        self._extended(
            actor=actor.model_dump(),
            reason=text(reason, "lý do gia hạn"),
            previous_appointment_at=self.appointment_at,
            appointment_at=new_appointment_at,
            at=now,
        )

    @event("Extended")
    def _extended(
        self,
        actor: dict[str, Any],
        reason: str,
        previous_appointment_at: datetime,
        appointment_at: datetime,
        at: datetime,
    ) -> None:
        self.extensions.append(
            {
                "reason": reason,
                "previous_appointment_at": previous_appointment_at,
                "appointment_at": appointment_at,
                "at": at,
            }
        )
        self.appointment_at = appointment_at

    def record_payment(self, actor: Actor, order_id: str, amount: int, paid_at: datetime) -> None:
        """The payment service reported the fee paid (``order_paid``)."""
        self._authorise("record_payment", actor)
        if amount < self.fee_due:
            raise errors.InvalidInputError("Số tiền đã nộp chưa đủ lệ phí.")
        self._payment_received(
            actor=actor.model_dump(), order_id=order_id, amount=amount, paid_at=paid_at
        )

    @event("PaymentReceived")
    def _payment_received(
        self, actor: dict[str, Any], order_id: str, amount: int, paid_at: datetime
    ) -> None:
        self.payment = {"order_id": order_id, "amount": amount, "paid_at": paid_at}
        self.fee_due = 0
        self.status = Status.RESULT_READY

    def return_result(self, actor: Actor, channel: str, now: datetime) -> None:
        self._authorise("return_result", actor)
        if channel not in self.procedure_version_info.delivery_channels():
            raise errors.InvalidInputError("Hình thức trả kết quả không áp dụng cho thủ tục này.")
        self._result_returned(actor=actor.model_dump(), channel=channel, at=now)

    @event("ResultReturned")
    def _result_returned(self, actor: dict[str, Any], channel: str, at: datetime) -> None:
        self.status = Status.COMPLETED
        self.delivery_channel = channel
        self.completed_at = at
