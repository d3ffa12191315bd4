"""A dossier's events as steps people read: Vietnamese label, local time, who, why, files."""

from __future__ import annotations

from typing import Any, NotRequired

from pydantic import with_config
from typing_extensions import TypedDict

from services.dossier.application.views import CLOSED, LocalTime
from shared.http.isotime import IsoDatetime
from shared.vn.time import format_datetime

# event type -> (label, shown to the citizen)
STEPS: dict[str, tuple[str, bool]] = {
    "Created": ("Tạo hồ sơ nháp", True),
    "FormSaved": ("Cập nhật tờ khai", True),
    "AttachmentAdded": ("Đính kèm giấy tờ", True),
    "AttachmentRemoved": ("Gỡ giấy tờ đính kèm", True),
    "Submitted": ("Nộp hồ sơ", True),
    "Accepted": ("Tiếp nhận hồ sơ, hẹn ngày trả kết quả", True),
    "RejectedAtReception": ("Từ chối tiếp nhận", True),
    "SupplementRequested": ("Yêu cầu bổ sung hồ sơ", True),
    "Supplemented": ("Công dân bổ sung hồ sơ", True),
    "ProcessingStarted": ("Bắt đầu xử lý", True),
    "Assigned": ("Phân công cán bộ xử lý", False),
    "Transferred": ("Chuyển xử lý", True),
    "OpinionAdded": ("Ý kiến nội bộ", False),
    "Proposed": ("Đề xuất kết quả", False),
    "Approved": ("Phê duyệt kết quả", True),
    "PaymentRequested": ("Yêu cầu nộp phí, lệ phí", True),
    "Rejected": ("Từ chối giải quyết", True),
    "Extended": ("Gia hạn, hẹn lại ngày trả kết quả", True),
    "PaymentReceived": ("Đã nộp phí, lệ phí", True),
    "ResultReturned": ("Trả kết quả", True),
    "Withdrawn": ("Rút hồ sơ", True),
    "Rated": ("Đánh giá mức độ hài lòng", True),
}
ROLE_LABELS = {
    "citizen": "Công dân",
    "organisation": "Tổ chức",
    "officer": "Cán bộ",
    "system": "Hệ thống",
    "auditor": "Kiểm tra viên",
    "admin": "Quản trị",
}


@with_config(CLOSED)
class FileRef(TypedDict):
    name: str | None
    content_type: str | None
    size: int | None
    sha256: str | None


@with_config(CLOSED)
class TimelineStep(TypedDict):
    """One event as a step; the internal keys only for officers, auditors and admins."""

    sequence: int
    event: str
    label: str
    time: IsoDatetime
    time_local: LocalTime
    actor_role: str | None
    actor_role_label: str | None
    agency: str | None
    reason: str | None
    files: list[FileRef]
    actor_id: NotRequired[str | None]
    officer_roles: NotRequired[list[str] | None]
    note: NotRequired[str | None]


def _file(record: dict[str, Any]) -> FileRef:
    return {
        "name": record.get("name"),
        "content_type": record.get("content_type"),
        "size": record.get("size"),
        "sha256": record.get("sha256"),
    }


def _files(fields: dict[str, Any]) -> list[FileRef]:
    if "attachment" in fields:
        return [_file(fields["attachment"])]
    found = fields.get("result")
    result: dict[str, Any] = found if isinstance(found, dict) else {}
    for r in (result.get("document"), result):  # the result file (or an older flat shape)
        if isinstance(r, dict) and r.get("sha256"):
            return [_file(r)]
    return []


def timeline(events: list[Any], *, internal: bool) -> list[TimelineStep]:
    steps = []
    for e in events:
        kind = type(e).__name__
        label, public = STEPS.get(kind, (kind, False))
        if not (public or internal):
            continue
        fields = vars(e)
        actor = fields.get("actor") or {}
        step: TimelineStep = {
            "sequence": e.originator_version,
            "event": kind,
            "label": label,
            "time": e.timestamp,
            "time_local": format_datetime(e.timestamp),
            "actor_role": actor.get("role"),
            "actor_role_label": ROLE_LABELS.get(actor.get("role", ""), actor.get("role")),
            "agency": actor.get("agency"),
            "reason": fields.get("reason"),
            "files": _files(fields),
        }
        if internal:
            step["actor_id"] = actor.get("id")
            step["officer_roles"] = actor.get("officer_roles")
            step["note"] = fields.get("note") or fields.get("opinion")
        steps.append(step)
    return steps
