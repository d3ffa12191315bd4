"""Use cases of the dossier service: get from the repository, call one method, save.

Reading rules: a citizen who does not own a dossier is told it does not exist
(never that it belongs to someone else); officers see their agency's filed
dossiers; auditors see everything and change nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import takewhile
from typing import Any, assert_never
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, Recording

from services.dossier.application.forms import form_errors, normalise
from services.dossier.application.ports import InMemoryProcedures, ProcedureCatalog
from services.dossier.domain import errors
from services.dossier.domain.chain import ChainReport, verify
from services.dossier.domain.commands import (
    Accept,
    AddOpinion,
    Approve,
    Assign,
    Extend,
    OfficerCommand,
    Propose,
    Reject,
    RejectAtReception,
    RequestSupplement,
    ReturnResult,
    StartProcessing,
    Transfer,
)
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.filing import DEFAULT_LIMITS, AttachmentLimits
from shared.errors import Problem
from shared.events.envelope import Actor
from shared.replay import ReplayingApplication, project
from shared.vn.time import utc_now

CODE_NAMESPACE = uuid.UUID("3c9f2f5e-8d1a-5b7e-a0c4-1f6e2d9b7a31")


class DossierNotFoundError(Problem):
    """No such dossier, or not one the caller may know of (never told it is another's)."""

    type = "dossier-not-found"
    detail = "Không tìm thấy hồ sơ."
    status = 404


class ConcurrentChangeError(Problem):
    """Two writers of the same version: the second is refused, nothing half-written."""

    type = "dossier-concurrent-change"
    detail = "Hồ sơ vừa được người khác thay đổi, vui lòng tải lại và thử lại."
    status = 409


class FormInvalidError(errors.DossierError):
    """The form breaks its schema: ``errors`` lists the fields, with a message each."""

    type = "dossier-form-invalid"
    detail = "Tờ khai chưa hợp lệ, vui lòng kiểm tra các trường được nêu."
    status = 422

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__(errors=problems)
        self.problems = problems


class ProcedureUnknownError(errors.DossierError):
    type = "procedure-not-found"
    detail = "Không tìm thấy thủ tục hành chính đã công bố với mã này."
    status = 422


class WalletDocumentError(errors.DossierError):
    type = "wallet-document-invalid"
    detail = "Giấy tờ trong kho dữ liệu không dùng được cho hồ sơ này."
    status = 422


class DossierCode(Aggregate):
    """Index from a dossier code to its dossier, saved atomically with the submission:
    a second dossier can never get the same code."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return uuid.uuid5(CODE_NAMESPACE, code)

    @event("Registered")
    def __init__(self, code: str, dossier_id: UUID) -> None:
        self.code = code
        self.dossier_id = dossier_id


class DossierApplication(ReplayingApplication):
    name = "dossier"

    def __init__(
        self,
        *args: Any,
        procedures: ProcedureCatalog | None = None,
        clock: Callable[[], datetime] = utc_now,
        attachment_limits: AttachmentLimits = DEFAULT_LIMITS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.procedures: ProcedureCatalog = procedures or InMemoryProcedures()
        self.clock = clock
        self.attachment_limits = attachment_limits

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        try:
            return super().save(*objs, **kwargs)
        except IntegrityError:
            raise ConcurrentChangeError from None

    # -- the citizen ---------------------------------------------------------------

    def start_draft(
        self,
        actor: Actor,
        *,
        procedure_code: str,
        agency_code: str,
        form: dict[str, Any],
        procedure_version: int | None = None,
    ) -> UUID:
        procedure = self.procedures.get(procedure_code, procedure_version)
        if procedure is None:
            raise ProcedureUnknownError
        form = normalise({**self._prefill(actor, procedure.form_schema), **form})
        self._check_form(procedure.form_schema, form, complete=False)
        dossier = Dossier.start_draft(
            actor, procedure=procedure, agency_code=agency_code, form=form
        )
        self.save(dossier)
        return dossier.id

    def save_form(self, dossier_id: UUID, actor: Actor, form: dict[str, Any]) -> int:
        form = normalise(form)

        def change(d: Dossier) -> None:
            self._check_form(d.procedure.get("form_schema") or {}, form, complete=False)
            d.save_form(actor, form)

        return self._act(dossier_id, actor, change)

    def save_and_submit(self, dossier_id: UUID, actor: Actor, form: dict[str, Any]) -> str:
        """«Lưu và gửi»: the form saved and the dossier submitted in one write. When the
        submission is refused (incomplete form, missing documents) the form is still saved,
        as a draft, and the refusal raised."""
        form = normalise(form)
        dossier = self._readable(dossier_id, actor)
        schema = dossier.procedure.get("form_schema") or {}
        self._check_form(schema, form, complete=False)
        dossier.save_form(actor, form)
        try:
            self._check_form(schema, dossier.form, complete=True)
            dossier.submit(actor, self.clock())
        except errors.DossierError:
            self.save(dossier)  # only the form: submit raises before it records anything
            raise
        assert dossier.code is not None
        self.save(dossier, DossierCode(dossier.code, dossier.id))
        return dossier.code

    def add_attachment(self, dossier_id: UUID, actor: Actor, attachment: dict[str, Any]) -> int:
        limits = self.attachment_limits
        return self._act(dossier_id, actor, lambda d: d.add_attachment(actor, attachment, limits))

    def upload_attachment(
        self,
        dossier_id: UUID,
        actor: Actor,
        document_code: str,
        name: str,
        size: int,
        store: Callable[[], dict[str, Any]],
    ) -> tuple[int, dict[str, Any]]:
        """Attach an uploaded file of ``size`` bytes; ``store`` puts its bytes in the file
        store (their {content_type, size, sha256}) and is called only once the dossier
        would take it, so a refused upload leaves nothing in the store."""
        attachment: dict[str, Any] = {}

        def change(d: Dossier) -> None:
            d.check_attachment(actor, document_code, size, self.attachment_limits)
            attachment.update(
                id=uuid.uuid4().hex[:12],
                document_code=document_code,
                name=name,
                **store(),
                source="upload",
            )
            d.add_attachment(actor, dict(attachment), self.attachment_limits)

        return self._act(dossier_id, actor, change), attachment

    def link_wallet_document(
        self, dossier_id: UUID, actor: Actor, document_code: str, wallet_document_id: str
    ) -> tuple[int, dict[str, Any]]:
        """Cite a document of the caller's wallet for a required document: checked to be
        theirs and of a type the procedure accepts; only the reference is recorded."""
        attachment: dict[str, Any] = {}

        def change(d: Dossier) -> None:
            d.authorise("add_attachment", actor)  # who may, before saying anything else
            found = self.procedures.wallet_document(wallet_document_id)
            if found is None or found.get("account_id") != actor.id:
                raise WalletDocumentError("Không tìm thấy giấy tờ này trong kho dữ liệu của bạn.")
            required = d.procedure_version_info.document(document_code)
            if required is not None and found.get("type") not in required.wallet_types:
                raise WalletDocumentError("Giấy tờ trong kho không thuộc loại thủ tục yêu cầu.")
            attachment.update(
                id=uuid.uuid4().hex[:12],
                document_code=document_code,
                source="wallet",
                wallet_document_id=wallet_document_id,
                type=found.get("type"),
                number=found.get("number"),
                name=(found.get("file") or {}).get("name"),
            )
            d.add_attachment(actor, dict(attachment), self.attachment_limits)

        return self._act(dossier_id, actor, change), attachment

    def remove_attachment(self, dossier_id: UUID, actor: Actor, attachment_id: str) -> int:
        return self._act(dossier_id, actor, lambda d: d.remove_attachment(actor, attachment_id))

    def submit(self, dossier_id: UUID, actor: Actor) -> str:
        dossier = self._readable(dossier_id, actor)
        self._check_form(dossier.procedure.get("form_schema") or {}, dossier.form, complete=True)
        dossier.submit(actor, self.clock())
        assert dossier.code is not None
        self.save(dossier, DossierCode(dossier.code, dossier.id))
        return dossier.code

    def supplement(self, dossier_id: UUID, actor: Actor, answers: list[dict[str, Any]]) -> int:
        calendar = self.procedures.calendar()
        return self._act(
            dossier_id, actor, lambda d: d.supplement(actor, answers, self.clock(), calendar)
        )

    def withdraw(self, dossier_id: UUID, actor: Actor, reason: str) -> int:
        return self._act(dossier_id, actor, lambda d: d.withdraw(actor, reason, self.clock()))

    def rate(self, dossier_id: UUID, actor: Actor, score: int, comment: str) -> int:
        return self._act(dossier_id, actor, lambda d: d.rate(actor, score, comment, self.clock()))

    # -- the agency ------------------------------------------------------------------

    def act_as_officer(self, dossier_id: UUID, actor: Actor, command: OfficerCommand) -> int:
        """Apply one officer command; the aggregate decides whether this officer may."""
        now = self.clock()

        def change(d: Dossier) -> None:
            match command:
                case Accept():
                    d.accept(actor, now, self.procedures.calendar())
                case RejectAtReception(reason):
                    d.reject_at_reception(actor, reason, now)
                case RequestSupplement(items, reason):
                    d.request_supplement(actor, items, reason, now)
                case StartProcessing():
                    d.start_processing(actor, now)
                case Assign(officer_id, note):
                    d.assign(actor, officer_id, now, note)
                case Transfer(to_agency, reason):
                    d.transfer(actor, to_agency, reason, now)
                case AddOpinion(opinion):
                    d.add_opinion(actor, opinion, now)
                case Propose(decision, note):
                    d.propose(actor, decision, note, now)
                case Approve(result):
                    d.approve(actor, result, now)
                case Reject(reason):
                    d.reject(actor, reason, now)
                case Extend(reason, new_appointment_at):
                    d.extend(actor, reason, new_appointment_at, now)
                case ReturnResult(channel):
                    d.return_result(actor, channel, now)
                case _:
                    assert_never(command)

        return self._act(dossier_id, actor, change)

    def approve_with_file(
        self,
        dossier_id: UUID,
        actor: Actor,
        result: dict[str, Any],
        name: str,
        store: Callable[[], dict[str, Any]],
    ) -> int:
        """Approve with the result file; ``store`` puts its bytes in the file store (their
        {content_type, size, sha256}) and is called only once the approval would be taken,
        so a refused approval leaves nothing in the store."""
        now = self.clock()

        def change(d: Dossier) -> None:
            d.check_approval(actor)
            d.approve(actor, {**result, "document": {"name": name, **store()}}, now)

        return self._act(dossier_id, actor, change)

    def record_payment(
        self, dossier_id: UUID, order_id: str, amount: int, paid_at: datetime
    ) -> bool:
        """From the payment service's ``order_paid``; False when it was already applied."""
        actor = Actor(id="payment", role="system")
        dossier = self._get(dossier_id)
        if dossier.payment and dossier.payment.get("order_id") == order_id:
            return False
        dossier.record_payment(actor, order_id, amount, paid_at)
        self.save(dossier)
        return True

    # -- reading -------------------------------------------------------------------

    def get_for(self, dossier_id: UUID, actor: Actor) -> Dossier:
        return self._readable(dossier_id, actor)

    def read_with_events(self, dossier_id: UUID, actor: Actor) -> tuple[Dossier, list[Any]]:
        """The dossier and its stored events from one read of the store (a page shows both:
        replaying for the state and reading again for the timeline doubled the work)."""
        events = self.stored_events(dossier_id)
        dossier = project(None, events)
        if not isinstance(dossier, Dossier):
            raise DossierNotFoundError
        self._check_readable(dossier, actor)
        return dossier, events

    def find_by_code(self, code: str) -> UUID:
        try:
            index: DossierCode = self.repository.get(DossierCode.create_id(code.upper()))
        except AggregateNotFoundError:
            raise DossierNotFoundError from None
        return index.dossier_id

    def stored_events(self, dossier_id: UUID) -> list[Any]:
        return list(self.events.get(dossier_id))

    def state_as_of(self, dossier_id: UUID, moment: datetime) -> Dossier | None:
        """The dossier as it was at ``moment`` (None if it did not exist yet): its events
        up to that moment replayed in one pass."""
        events: Iterable[Any] = self.events.get(dossier_id)
        up_to_moment = takewhile(lambda e: e.timestamp <= moment, events)
        return project(None, up_to_moment)

    def verify_chain(self, dossier_id: UUID) -> ChainReport:
        return verify(self.events.get(dossier_id))

    # -- helpers ---------------------------------------------------------------------

    def _prefill(self, actor: Actor, schema: dict[str, Any]) -> dict[str, Any]:
        """An organisation's form starts from its identity profile (fields the form has)."""
        if actor.role != "organisation":
            return {}
        profile = self.procedures.profile(actor.id)
        fields = schema.get("properties") or {}
        values = {form_key: profile[key] for key, form_key in PREFILL.items() if key in profile}
        return {k: v for k, v in values.items() if not fields or k in fields}

    def _act(self, dossier_id: UUID, actor: Actor, change: Callable[[Dossier], None]) -> int:
        dossier = self._readable(dossier_id, actor)
        change(dossier)
        self.save(dossier)
        return dossier.version

    def _readable(self, dossier_id: UUID, actor: Actor) -> Dossier:
        dossier = self._get(dossier_id)
        self._check_readable(dossier, actor)
        return dossier

    @staticmethod
    def _check_readable(dossier: Dossier, actor: Actor) -> None:
        if actor.role in ("citizen", "organisation") and not dossier.is_owner(actor):
            raise DossierNotFoundError  # never reveal that another's dossier exists
        if actor.role == "officer" and not dossier.may_read(actor):
            if dossier.status.value == "draft":
                raise DossierNotFoundError
            raise errors.WrongAgencyError

    def _get(self, dossier_id: UUID) -> Dossier:
        try:
            dossier: object = self.repository.get(dossier_id)
        except AggregateNotFoundError:
            raise DossierNotFoundError from None
        if not isinstance(dossier, Dossier):
            raise DossierNotFoundError
        return dossier

    @staticmethod
    def _check_form(schema: dict[str, Any], form: dict[str, Any], *, complete: bool) -> None:
        problems = form_errors(schema, form, complete=complete)
        if problems:
            raise FormInvalidError(problems)


# identity profile field -> form field of the catalog's form schemas
PREFILL = {
    "name": "ten_to_chuc",
    "tax_code": "ma_so_thue",
    "address": "dia_chi",
    "representative": "nguoi_dai_dien",
}
