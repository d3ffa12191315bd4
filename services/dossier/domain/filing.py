"""The dossier aggregate, citizen's side: every rule about who may do what, and when.

A command method checks who is acting (:meth:`Dossier._authorise` against the
table in :mod:`rules`), checks its invariants, then records an event through a
decorated mutator; state changes only when an event is applied. Every event
records the actor (id, role, agency, officer duties), the time, and where
there is one, the reason and the files. Every event carries the hash of its
predecessor (:mod:`chain`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from eventsourcing.domain import Aggregate, event

from services.dossier.domain import errors
from services.dossier.domain.chain import GENESIS, event_hash
from services.dossier.domain.code import new_code
from services.dossier.domain.procedure import ProcedureVersion
from services.dossier.domain.rules import OFFICER_PARTIES, RULES, Party
from services.dossier.domain.status import FINAL, Status
from shared.events.envelope import Actor
from shared.vn.money import MAX_VND
from shared.workdays import WorkCalendar

ONLINE_LEVELS = (3, 4)
NAME_FIELDS = ("ho_ten", "ho_ten_nguoi_yeu_cau", "ho_ten_tre", "ten_to_chuc")
CITIZEN_ROLES = ("citizen", "organisation")


def text(value: str, field: str, *, required: bool = True, limit: int = 2000) -> str:
    """Vietnamese text in NFC, trimmed; refuses empty (when required) or oversized text."""
    cleaned = unicodedata.normalize("NFC", value or "").strip()
    if required and not cleaned:
        raise errors.InvalidInputError(f"Vui lòng nhập {field}.")
    if len(cleaned) > limit:
        raise errors.InvalidInputError(f"{field.capitalize()} quá dài (tối đa {limit} ký tự).")
    return cleaned


@dataclass(frozen=True)
class AttachmentLimits:
    """How many attachments one dossier may hold and how many bytes their files
    (uploads; a wallet reference counts as a file of no bytes)."""

    count: int = 50
    total_bytes: int = 100 * 1024 * 1024


DEFAULT_LIMITS = AttachmentLimits()


def check_fees(procedure: ProcedureVersion, form: dict[str, Any]) -> None:
    """The fees ``form`` would owe stay payable: a count typed into the form multiplies a
    unit price, and no order may exceed :data:`MAX_VND`."""
    if procedure.fee_total(form) > MAX_VND:
        raise errors.InvalidInputError(
            "Lệ phí tính theo số lượng đã khai vượt quá mức thu tối đa, "
            "vui lòng kiểm tra lại số lượng trên tờ khai."
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}".replace(".", ",")


class Filing(Aggregate):
    """The dossier as the citizen files it; :class:`Dossier` adds the agency's side."""

    if TYPE_CHECKING:  # set by Event.apply, not declared fields of the aggregate
        _head_event: Any
        _head_hash: str | None

    class Event(Aggregate.Event):
        prev_hash: str
        if TYPE_CHECKING:  # every command records who acted (a field of each event class)
            actor: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            # Only the next event needs the head's hash: hashing every event on replay
            # was a third of loading a long dossier. verify() recomputes every link.
            aggregate._head_event = self
            aggregate._head_hash = None

    @event("Created")
    def __init__(
        self,
        *,
        owner_id: str,
        procedure: dict[str, Any],
        agency_code: str,
        form: dict[str, Any],
        actor: dict[str, Any],
        prev_hash: str,
    ) -> None:
        self.owner_id = owner_id
        self.procedure = procedure
        self.procedure_code = procedure["code"]
        self.procedure_version = procedure["version"]
        self.service_level = procedure["service_level"]
        self.agency_code = agency_code
        self.handling_agency = agency_code
        self.form = form
        self.status = Status.DRAFT
        self.code: str | None = None
        self.submitted_at: datetime | None = None
        self.accepted_at: datetime | None = None
        self.appointment_at: datetime | None = None
        self.completed_at: datetime | None = None
        self.attachments: dict[str, dict[str, Any]] = {}
        self.supplements: list[dict[str, Any]] = []
        self.extensions: list[dict[str, Any]] = []
        self.opinions: list[dict[str, Any]] = []
        self.assignee: str | None = None
        self.proposal: dict[str, Any] | None = None
        self.result: dict[str, Any] | None = None
        self.fee_due = 0
        self.payment: dict[str, Any] | None = None
        self.rating: dict[str, Any] | None = None
        self.delivery_channel: str | None = None
        self.closing_reason: str | None = None

    # -- creation ------------------------------------------------------------------

    @classmethod
    def start_draft(
        cls,
        actor: Actor,
        *,
        procedure: ProcedureVersion,
        agency_code: str,
        form: dict[str, Any],
    ) -> Self:
        if actor.role not in CITIZEN_ROLES:
            raise errors.NotAllowedError("Chỉ công dân hoặc tổ chức mới nộp được hồ sơ.")
        if procedure.service_level not in ONLINE_LEVELS:
            raise errors.OnlineFilingNotAllowedError
        if agency_code not in procedure.agency_codes:
            raise errors.AgencyNotServingError
        check_fees(procedure, form)
        return cls(
            owner_id=actor.id,
            procedure=procedure.snapshot(),
            agency_code=agency_code,
            form=form,
            actor=actor.model_dump(),
            prev_hash=GENESIS,
        )

    @property
    def procedure_version_info(self) -> ProcedureVersion:
        return ProcedureVersion.from_data(self.procedure)

    @property
    def chain_head(self) -> str:
        """The hash of the last event applied (the next event's ``prev_hash``)."""
        if self._head_hash is None:
            self._head_hash = event_hash(self._head_event)
        return self._head_hash

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs["prev_hash"] = self.chain_head
        super().trigger_event(event_class, **kwargs)

    # -- who may act ---------------------------------------------------------------

    def authorise(self, command: str, actor: Actor) -> Party:
        """Check, without recording anything, that ``actor`` may issue ``command`` now."""
        return self._authorise(command, actor)

    def allowed_commands(self, actor: Actor) -> list[str]:
        """The commands of :data:`RULES` that ``actor`` may issue now, in the table's order:
        what a page offers (a command may still refuse its input, e.g. an incomplete form)."""
        allowed = []
        for command in RULES:
            try:
                self._authorise(command, actor)
            except errors.DossierError:
                continue
            allowed.append(command)
        return allowed

    def _authorise(self, command: str, actor: Actor) -> Party:
        """The party ``actor`` acts as: refuses the wrong person first, then the wrong state."""
        sources = RULES[command]
        held = self._parties(actor, frozenset().union(*sources.values()))
        allowed_here = sources.get(self.status)
        if allowed_here is None:
            raise errors.InvalidTransitionError
        usable = held & allowed_here
        if not usable:
            raise errors.MissingOfficerRoleError
        if usable == {Party.PROCESSOR} and self.assignee not in (None, actor.id):
            raise errors.NotAssigneeError  # a processor works on what is assigned to them
        return min(usable)

    def _parties(self, actor: Actor, parties: frozenset[Party]) -> frozenset[Party]:
        if actor.role in CITIZEN_ROLES:
            if actor.id != self.owner_id:
                raise errors.NotOwnerError
            if Party.OWNER not in parties:
                raise errors.NotAllowedError
            return frozenset({Party.OWNER})
        if actor.role == "system":
            if Party.SYSTEM not in parties:
                raise errors.NotAllowedError
            return frozenset({Party.SYSTEM})
        if actor.role != "officer" or not parties & OFFICER_PARTIES:
            raise errors.NotAllowedError
        if actor.agency not in self.agencies:
            raise errors.WrongAgencyError
        held = frozenset(Party(r) for r in actor.officer_roles if r in OFFICER_PARTIES) & parties
        if not held:
            raise errors.MissingOfficerRoleError
        return held

    @property
    def applicant(self) -> str:
        """The applicant's name as the form gives it (for letters and receipts)."""
        return next((str(self.form[k]) for k in NAME_FIELDS if self.form.get(k)), "")

    @property
    def agencies(self) -> frozenset[str]:
        return frozenset({self.agency_code, self.handling_agency})

    def is_owner(self, actor: Actor) -> bool:
        return actor.role in CITIZEN_ROLES and actor.id == self.owner_id

    def may_read(self, actor: Actor) -> bool:
        if actor.role in ("auditor", "admin"):
            return True
        if actor.role == "officer":
            return actor.agency in self.agencies and self.status is not Status.DRAFT
        return self.is_owner(actor)

    # -- the citizen's side --------------------------------------------------------

    def save_form(self, actor: Actor, form: dict[str, Any]) -> None:
        self._authorise("save_form", actor)
        check_fees(self.procedure_version_info, form)
        self._form_saved(actor=actor.model_dump(), form=form)

    @event("FormSaved")
    def _form_saved(self, actor: dict[str, Any], form: dict[str, Any]) -> None:
        self.form = form

    def add_attachment(
        self,
        actor: Actor,
        attachment: dict[str, Any],
        limits: AttachmentLimits = DEFAULT_LIMITS,
    ) -> None:
        """Record an uploaded file ({id, document_code, name, content_type, size, sha256})
        or a wallet document reference ({id, document_code, wallet_document_id, ...})."""
        size = attachment.get("size")
        self.check_attachment(
            actor, attachment.get("document_code"), size if type(size) is int else 0, limits
        )
        if attachment["id"] in self.attachments:
            raise errors.InvalidInputError("Tệp đính kèm đã có trong hồ sơ.")
        self._attachment_added(actor=actor.model_dump(), attachment=attachment)

    def check_attachment(
        self,
        actor: Actor,
        document_code: str | None,
        size: int = 0,
        limits: AttachmentLimits = DEFAULT_LIMITS,
    ) -> None:
        """What refuses an attachment of ``size`` bytes (who, the dossier's state, the
        document code, the dossier's limits), checked before its file is stored."""
        self._authorise("add_attachment", actor)
        if document_code and self.procedure_version_info.document(document_code) is None:
            raise errors.InvalidInputError("Loại giấy tờ không thuộc thủ tục này.")
        if len(self.attachments) >= limits.count:
            raise errors.AttachmentLimitError(
                f"Hồ sơ đã có {limits.count} tệp đính kèm, mức tối đa của một hồ sơ; "
                "vui lòng gỡ bớt tệp không cần thiết trước khi đính kèm thêm."
            )
        if self.attachment_bytes() + size > limits.total_bytes:
            raise errors.AttachmentLimitError(
                "Tổng dung lượng tệp đính kèm của hồ sơ sẽ vượt mức tối đa "
                f"{_megabytes(limits.total_bytes)} MB; vui lòng gỡ bớt tệp hoặc nén tệp nhỏ hơn."
            )

    def attachment_bytes(self) -> int:
        """The bytes of the files the dossier holds now."""
        sizes = (a.get("size") for a in self.attachments.values())
        return sum(s for s in sizes if type(s) is int)

    @event("AttachmentAdded")
    def _attachment_added(self, actor: dict[str, Any], attachment: dict[str, Any]) -> None:
        self.attachments[attachment["id"]] = attachment

    def remove_attachment(self, actor: Actor, attachment_id: str) -> None:
        self._authorise("remove_attachment", actor)
        if attachment_id not in self.attachments:
            raise errors.InvalidInputError("Không tìm thấy tệp đính kèm.")
        self._attachment_removed(actor=actor.model_dump(), attachment_id=attachment_id)

    @event("AttachmentRemoved")
    def _attachment_removed(self, actor: dict[str, Any], attachment_id: str) -> None:
        self.attachments.pop(attachment_id, None)

    def missing_documents(self) -> list[str]:
        provided = {a.get("document_code") for a in self.attachments.values()}
        return [
            d.name or d.code
            for d in self.procedure_version_info.required_documents
            if d.required and d.code not in provided
        ]

    def submit(self, actor: Actor, now: datetime, token: str | None = None) -> None:
        self._authorise("submit", actor)
        missing = self.missing_documents()
        if missing:
            raise errors.MissingDocumentsError(
                "Hồ sơ còn thiếu giấy tờ bắt buộc: " + "; ".join(missing) + "."
            )
        code = new_code(self.agency_code, now, token)
        self._submitted(actor=actor.model_dump(), code=code, at=now)

    @event("Submitted")
    def _submitted(self, actor: dict[str, Any], code: str, at: datetime) -> None:
        self.status = Status.SUBMITTED
        self.code = code
        self.submitted_at = at

    def supplement(
        self, actor: Actor, answers: list[dict[str, Any]], now: datetime, calendar: WorkCalendar
    ) -> None:
        """Answer the open supplement request item by item ({document_code, attachment_ids,
        note}); the clock restarts and the appointment moves by the paused working days."""
        self._authorise("supplement", actor)
        request = self.supplements[-1]
        by_code = {a.get("document_code"): a for a in answers}
        for item in request["items"]:
            answer = by_code.get(item["document_code"])
            if answer is None or not (answer.get("attachment_ids") or answer.get("note")):
                raise errors.InvalidInputError(
                    f"Vui lòng bổ sung mục: {item.get('name') or item['document_code']}."
                )
            unknown = [a for a in answer.get("attachment_ids") or [] if a not in self.attachments]
            if unknown:
                raise errors.InvalidInputError("Tệp đính kèm bổ sung không có trong hồ sơ.")
        requested_at: datetime = request["requested_at"]
        paused = calendar.working_days_between(requested_at, now)
        appointment = (
            calendar.add_working_days(self.appointment_at, paused) if self.appointment_at else None
        )
        clean = [
            {
                "document_code": a.get("document_code"),
                "attachment_ids": list(a.get("attachment_ids") or []),
                "note": text(a.get("note") or "", "ghi chú", required=False),
            }
            for a in answers
        ]
        before = set(request["attachments_before"])
        form_before: dict[str, Any] = request.get("form_before") or {}
        changes = {  # what the officer sees changed in this round
            "attachments_added": sorted(set(self.attachments) - before),
            "attachments_removed": sorted(before - set(self.attachments)),
            "form_fields_changed": sorted(
                k for k in {*form_before, *self.form} if form_before.get(k) != self.form.get(k)
            ),
        }
        self._supplemented(
            actor=actor.model_dump(),
            round=request["round"],
            answers=clean,
            changes=changes,
            at=now,
            paused_working_days=paused,
            previous_appointment_at=self.appointment_at,
            appointment_at=appointment,
        )

    @event("Supplemented")
    def _supplemented(
        self,
        actor: dict[str, Any],
        round: int,
        answers: list[dict[str, Any]],
        changes: dict[str, list[str]],
        at: datetime,
        paused_working_days: int,
        previous_appointment_at: datetime | None,
        appointment_at: datetime | None,
    ) -> None:
        request = self.supplements[-1]
        request.update(
            answers=answers,
            changes=changes,
            answered_at=at,
            paused_working_days=paused_working_days,
            previous_appointment_at=previous_appointment_at,
            appointment_at=appointment_at,
        )
        self.appointment_at = appointment_at
        self.status = Status(request["resume_status"])

    def withdraw(self, actor: Actor, reason: str, now: datetime) -> None:
        self._authorise("withdraw", actor)
        self._withdrawn(actor=actor.model_dump(), reason=text(reason, "lý do rút hồ sơ"), at=now)

    @event("Withdrawn")
    def _withdrawn(self, actor: dict[str, Any], reason: str, at: datetime) -> None:
        self.status = Status.WITHDRAWN
        self.closing_reason = reason

    def rate(self, actor: Actor, score: int, comment: str, now: datetime) -> None:
        self._authorise("rate", actor)
        if self.rating is not None:
            raise errors.AlreadyRatedError
        if not 1 <= score <= 5:
            raise errors.InvalidInputError("Mức đánh giá phải từ 1 đến 5.")
        self._rated(
            actor=actor.model_dump(),
            score=score,
            comment=text(comment, "nhận xét", required=False),
            at=now,
        )

    @event("Rated")
    def _rated(self, actor: dict[str, Any], score: int, comment: str, at: datetime) -> None:
        self.rating = {"score": score, "comment": comment, "at": at}

    # -- derived measures ------------------------------------------------------------

    @property
    def clock_paused(self) -> bool:
        return self.status is Status.SUPPLEMENT_REQUESTED

    def is_overdue(self, now: datetime) -> bool:
        """Overdue is a measure, never a status: past the appointment and not finished."""
        if self.appointment_at is None or self.status in FINAL or self.clock_paused:
            return False
        if self.status is Status.RESULT_READY:
            return False
        return now > self.appointment_at
