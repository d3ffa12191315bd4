"""How a dossier is shown: to its owner and officers, to the public, to the national portal,
and its stored events to an auditor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, NotRequired

from pydantic import ConfigDict, WithJsonSchema, with_config
from typing_extensions import TypedDict  # pydantic validates only this one before 3.12

from services.dossier.domain.chain import event_hash
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.procedure import FeeLine, compute_fees
from services.dossier.domain.status import LABELS, NATIONAL_CODES
from shared.events.domain import METADATA, plain_json
from shared.http.isotime import IsoDatetime
from shared.vn.time import format_datetime

# The views' keys are a contract (docs/openapi/dossier.json): a key given but not declared
# fails the route's response validation instead of silently leaving the answer.
CLOSED = ConfigDict(extra="forbid")
# For people: dd/mm/yyyy hh:mm in Asia/Ho_Chi_Minh.
LocalTime = Annotated[str, WithJsonSchema({"type": "string", "examples": ["26/11/2026 10:00"]})]


@with_config(CLOSED)
class FeeLineView(TypedDict):
    code: str
    name: str
    unit_amount: int
    quantity: int
    amount: int
    rule: str | None


@with_config(CLOSED)
class FeeEstimate(TypedDict):
    lines: list[FeeLineView]
    total: int


@with_config(CLOSED)
class DossierView(TypedDict):
    """A dossier as its owner reads it; officers, auditors and admins also get the
    internal keys. Nested records (form, attachments, supplements, ...) are kept as the
    events recorded them, so they are open-ended objects here."""

    id: str
    code: str | None
    status: str
    status_label: str
    national_status_code: int | None
    procedure_code: str
    procedure_version: int
    procedure_name: str | None
    service_level: int
    agency_code: str
    handling_agency: str | None
    form: dict[str, Any]  # answers to the procedure's own form schema
    attachments: list[dict[str, Any]]  # uploads and wallet references differ in keys
    version: int
    created_at: IsoDatetime | None
    submitted_at: IsoDatetime | None
    accepted_at: IsoDatetime | None
    appointment_at: IsoDatetime | None
    appointment_local: LocalTime | None
    completed_at: IsoDatetime | None
    clock_paused: bool
    overdue: bool
    supplements: list[dict[str, Any]]
    extensions: list[dict[str, Any]]
    fee_due: int
    payment: dict[str, Any] | None
    result: dict[str, Any] | None  # the approver's result data, and its file's descriptor
    delivery_channel: str | None
    rating: dict[str, Any] | None
    closing_reason: str | None
    missing_documents: list[str]
    fee_estimate: FeeEstimate
    assignee: NotRequired[str | None]
    proposal: NotRequired[dict[str, Any] | None]
    opinions: NotRequired[list[dict[str, Any]]]


@with_config(CLOSED)
class PublicView(TypedDict):
    code: str | None
    status: str
    status_label: str
    procedure_code: str
    procedure_name: str | None
    agency_code: str
    submitted_at: LocalTime | None
    accepted_at: LocalTime | None
    appointment_at: LocalTime | None
    completed_at: LocalTime | None


@with_config(CLOSED)
class NationalFee(TypedDict):
    MaPhiLePhi: str
    TenPhiLePhi: str
    DonGia: int
    SoLuong: int
    SoTien: int


@with_config(CLOSED)
class NationalSupplement(TypedDict):
    LanBoSung: int
    NgayYeuCau: IsoDatetime | None
    NgayBoSung: IsoDatetime | None
    NgayHenTraCu: IsoDatetime | None
    NgayHenTraMoi: IsoDatetime | None


@with_config(CLOSED)
class NationalExtension(TypedDict):
    NgayHenTraCu: IsoDatetime | None
    NgayHenTraMoi: IsoDatetime | None
    LyDo: str


@with_config(CLOSED)
class NationalExport(TypedDict):
    MaHoSo: str | None
    MaTTHC: str
    NgayTiepNhan: IsoDatetime | None
    NgayHenTra: IsoDatetime | None
    TrangThaiHoSo: int | None
    NgayTra: IsoDatetime | None
    KenhThucHien: int
    HinhThucTra: str | None
    LePhi: list[NationalFee]
    TongTienPhiLePhi: int
    DaThanhToan: bool
    DanhSachBoSung: list[NationalSupplement]
    DanhSachGiaHan: list[NationalExtension]


@with_config(CLOSED)
class EventRecord(TypedDict):
    sequence: int
    type: str
    time: IsoDatetime
    hash: str
    data: dict[str, Any]  # the event's own fields, as stored


def local(value: datetime | None) -> str | None:
    """For people: the time in Asia/Ho_Chi_Minh, e.g. 26/11/2026 10:00."""
    return format_datetime(value) if value else None


def dossier_view(d: Dossier, *, internal: bool) -> DossierView:
    view: DossierView = {
        "id": str(d.id),
        "code": d.code,
        "status": d.status.value,
        "status_label": LABELS[d.status],
        "national_status_code": NATIONAL_CODES[d.status],
        "procedure_code": d.procedure_code,
        "procedure_version": d.procedure_version,
        "procedure_name": d.procedure.get("name"),
        "service_level": d.service_level,
        "agency_code": d.agency_code,
        "handling_agency": d.handling_agency,
        "form": d.form,
        "attachments": list(d.attachments.values()),
        "version": d.version,
        "created_at": d.created_on,
        "submitted_at": d.submitted_at,
        "accepted_at": d.accepted_at,
        "appointment_at": d.appointment_at,
        "appointment_local": local(d.appointment_at),
        "completed_at": d.completed_at,
        "clock_paused": d.clock_paused,
        "overdue": d.is_overdue(datetime.now(UTC)),
        "supplements": d.supplements,
        "extensions": d.extensions,
        "fee_due": d.fee_due,
        "payment": d.payment,
        "result": d.result,
        "delivery_channel": d.delivery_channel,
        "rating": d.rating,
        "closing_reason": d.closing_reason,
        "missing_documents": d.missing_documents(),
        "fee_estimate": fee_estimate(d),
    }
    if internal:
        view["assignee"] = d.assignee
        view["proposal"] = d.proposal
        view["opinions"] = d.opinions
    return view


def fee_estimate(d: Dossier) -> FeeEstimate:
    """«Phí, lệ phí dự kiến»: the procedure's fee rules applied to the dossier's form."""
    version = d.procedure_version_info
    lines, total = compute_fees(version.fees, d.form)
    return {"lines": [fee_line(line) for line in lines], "total": total}


def fee_line(line: FeeLine) -> FeeLineView:
    return {
        "code": line.code,
        "name": line.name,
        "unit_amount": line.unit_amount,
        "quantity": line.quantity,
        "amount": line.amount,
        "rule": line.rule,
    }


def public_view(d: Dossier) -> PublicView:
    """Seed 002 «Tra cứu hồ sơ đã nộp»: status, dates and procedure; no personal data."""
    return {
        "code": d.code,
        "status": d.status.value,
        "status_label": LABELS[d.status],
        "procedure_code": d.procedure_code,
        "procedure_name": d.procedure.get("name"),
        "agency_code": d.agency_code,
        "submitted_at": local(d.submitted_at),
        "accepted_at": local(d.accepted_at),
        "appointment_at": local(d.appointment_at),
        "completed_at": local(d.completed_at),
    }


def national_export(d: Dossier) -> NationalExport:
    """The national portal's synchronisation shape for one dossier."""
    fees = d.procedure_version_info.fee_lines(d.form)
    return {
        "MaHoSo": d.code,
        "MaTTHC": d.procedure_code,
        "NgayTiepNhan": d.accepted_at,
        "NgayHenTra": d.appointment_at,
        "TrangThaiHoSo": NATIONAL_CODES[d.status],
        "NgayTra": d.completed_at,
        "KenhThucHien": 2,  # 1 trực tiếp, 2 trực tuyến, 3 bưu chính
        "HinhThucTra": d.delivery_channel,
        "LePhi": [
            {
                "MaPhiLePhi": f.code,
                "TenPhiLePhi": f.name,
                "DonGia": f.unit_amount,
                "SoLuong": f.quantity,
                "SoTien": f.amount,
            }
            for f in fees
        ],
        "TongTienPhiLePhi": sum(f.amount for f in fees),
        "DaThanhToan": d.payment is not None,
        "DanhSachBoSung": [
            {
                "LanBoSung": s["round"],
                "NgayYeuCau": s["requested_at"],
                "NgayBoSung": s.get("answered_at"),
                "NgayHenTraCu": s.get("previous_appointment_at"),
                "NgayHenTraMoi": s.get("appointment_at"),
            }
            for s in d.supplements
        ],
        "DanhSachGiaHan": [
            {
                "NgayHenTraCu": e["previous_appointment_at"],
                "NgayHenTraMoi": e["appointment_at"],
                "LyDo": e["reason"],
            }
            for e in d.extensions
        ],
    }


def event_record(e: Any) -> EventRecord:
    """One stored event as the auditor reads it: its data, time and link in the hash chain."""
    fields = {k: v for k, v in vars(e).items() if k not in METADATA}
    return {
        "sequence": e.originator_version,
        "type": type(e).__name__,
        "time": e.timestamp,
        "hash": event_hash(e),
        "data": plain_json(fields),
    }
