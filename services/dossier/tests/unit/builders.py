"""Dossiers in every state, built through the aggregate's own commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from services.dossier.domain.dossier import Dossier
from services.dossier.domain.filing import Filing
from services.dossier.domain.procedure import Fee, ProcedureVersion, RequiredDocument
from services.dossier.domain.status import Status
from shared.events.envelope import Actor
from shared.workdays import WorkCalendar

AGENCY = "NB.HOALU"
BIRTH = ProcedureVersion(
    code="1.001193",
    version=1,
    name="Đăng ký khai sinh",
    service_level=4,
    agency_codes=(AGENCY, "NB.NAMDINH"),
    time_limit_days=3,
    required_documents=(
        RequiredDocument("giay_chung_sinh", "Giấy chứng sinh"),
        RequiredDocument("cccd", "Căn cước công dân", wallet_types=("cccd",)),
        RequiredDocument("uy_quyen", "Văn bản ủy quyền", required=False),
    ),
    fees=(Fee("le_phi", "Lệ phí đăng ký khai sinh", 8000),),
    result_delivery=("office", "post", "online"),
    form_schema={
        "type": "object",
        "properties": {
            "ho_ten": {"type": "string", "title": "Họ và tên", "minLength": 2},
            "email": {"type": "string", "format": "email", "title": "Thư điện tử"},
        },
        "required": ["ho_ten"],
    },
)
OWNER = Actor(id="citizen-1", role="citizen")
OTHER_CITIZEN = Actor(id="citizen-2", role="citizen")


def officer(*roles: str, agency: str = AGENCY, officer_id: str = "officer-1") -> Actor:
    return Actor(id=officer_id, role="officer", agency=agency, officer_roles=roles)


RECEIVER = officer("receiver", officer_id="receiver-1")
PROCESSOR = officer("processor", officer_id="processor-1")
APPROVER = officer("approver", officer_id="approver-1")
ADMIN = officer("agency_admin", officer_id="admin-1")
ALL_DUTIES = officer("receiver", "processor", "approver", "agency_admin")
FOREIGN = officer("receiver", "processor", "approver", "agency_admin", agency="NB.STP")
AUDITOR = Actor(id="auditor-1", role="auditor")
SYSTEM = Actor(id="payment", role="system")
CALENDAR = WorkCalendar()
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # a Friday, 09:00 in Hà Nội


def uploaded(attachment_id: str, document_code: str) -> dict[str, Any]:
    return {
        "id": attachment_id,
        "document_code": document_code,
        "name": f"{attachment_id}.pdf",
        "content_type": "application/pdf",
        "size": 1234,
        "sha256": "ab" * 32,
    }


def collected(dossier: Dossier) -> list[Filing.Event]:
    """The dossier's new events, each checked to be one of the dossier's own event classes."""
    events: list[Filing.Event] = []
    for recorded in dossier.collect_events():
        assert isinstance(recorded, Filing.Event)
        events.append(recorded)
    return events


def draft() -> Dossier:
    dossier = Dossier.start_draft(
        OWNER, procedure=BIRTH, agency_code=AGENCY, form={"ho_ten": "Nguyễn Văn An"}
    )
    dossier.add_attachment(OWNER, uploaded("a1", "giay_chung_sinh"))
    dossier.add_attachment(
        OWNER, {"id": "w1", "document_code": "cccd", "wallet_document_id": "doc-1", "type": "cccd"}
    )
    return dossier


def _steps() -> dict[Status, Callable[[Dossier], None]]:
    t = T0 + timedelta(hours=1)
    return {
        Status.SUBMITTED: lambda d: d.submit(OWNER, t),
        Status.ACCEPTED: lambda d: d.accept(RECEIVER, t, CALENDAR),
        Status.IN_PROCESSING: lambda d: (
            d.start_processing(PROCESSOR, t),
            d.propose(PROCESSOR, "approve", "Đủ điều kiện", t),
        ),
        Status.AWAITING_PAYMENT: lambda d: d.approve(APPROVER, {"number": "KS-1"}, t),
        Status.RESULT_READY: lambda d: d.record_payment(SYSTEM, "order-1", 8000, t),
        Status.COMPLETED: lambda d: d.return_result(RECEIVER, "online", t),
    }


PATH = [
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.IN_PROCESSING,
    Status.AWAITING_PAYMENT,
    Status.RESULT_READY,
    Status.COMPLETED,
]


def in_state(status: Status) -> Dossier:
    dossier = draft()
    steps = _steps()
    t = T0 + timedelta(hours=2)
    side = {
        Status.REJECTED_AT_RECEPTION: (
            Status.SUBMITTED,
            lambda d: d.reject_at_reception(RECEIVER, "Sai thẩm quyền", t),
        ),
        Status.SUPPLEMENT_REQUESTED: (
            Status.IN_PROCESSING,
            lambda d: d.request_supplement(
                PROCESSOR,
                [{"document_code": "giay_chung_sinh", "reason": "Ảnh mờ"}],
                "Giấy tờ chưa rõ",
                t,
            ),
        ),
        Status.REJECTED: (
            Status.IN_PROCESSING,
            lambda d: d.reject(APPROVER, "Không đủ điều kiện", t),
        ),
        Status.WITHDRAWN: (Status.ACCEPTED, lambda d: d.withdraw(OWNER, "Nộp nhầm", t)),
    }
    target, last = side.get(status, (status, None))
    if target is not Status.DRAFT:
        for step in PATH[: PATH.index(target) + 1]:
            steps[step](dossier)
    if last is not None:
        last(dossier)
    assert dossier.status is status
    return dossier
