"""How a dossier is shown: to its owner and officers, to the public, to the national portal,
and its stored events to an auditor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.dossier.domain.chain import event_hash
from services.dossier.domain.dossier import Dossier
from services.dossier.domain.procedure import compute_fees
from services.dossier.domain.status import LABELS, NATIONAL_CODES
from shared.events.domain import METADATA, plain_json
from shared.vn.time import format_datetime


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def local(value: datetime | None) -> str | None:
    """For people: the time in Asia/Ho_Chi_Minh, e.g. 26/11/2026 10:00."""
    return format_datetime(value) if value else None


def dossier_view(d: Dossier, *, internal: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
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
        "created_at": iso(d.created_on),
        "submitted_at": iso(d.submitted_at),
        "accepted_at": iso(d.accepted_at),
        "appointment_at": iso(d.appointment_at),
        "appointment_local": local(d.appointment_at),
        "completed_at": iso(d.completed_at),
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
        view.update(assignee=d.assignee, proposal=d.proposal, opinions=d.opinions)
    return view


def fee_estimate(d: Dossier) -> dict[str, Any]:
    """«Phí, lệ phí dự kiến»: the procedure's fee rules applied to the dossier's form."""
    version = d.procedure_version_info
    lines, total = compute_fees(version.fees, d.form)
    return {"lines": [line.as_dict() for line in lines], "total": total}


def public_view(d: Dossier) -> dict[str, Any]:
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


def national_export(d: Dossier) -> dict[str, Any]:
    """The national portal's synchronisation shape for one dossier."""
    fees = d.procedure_version_info.fee_lines(d.form)
    return {
        "MaHoSo": d.code,
        "MaTTHC": d.procedure_code,
        "NgayTiepNhan": iso(d.accepted_at),
        "NgayHenTra": iso(d.appointment_at),
        "TrangThaiHoSo": NATIONAL_CODES[d.status],
        "NgayTra": iso(d.completed_at),
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
                "NgayYeuCau": iso(s["requested_at"]),
                "NgayBoSung": iso(s.get("answered_at")),
                "NgayHenTraCu": iso(s.get("previous_appointment_at")),
                "NgayHenTraMoi": iso(s.get("appointment_at")),
            }
            for s in d.supplements
        ],
        "DanhSachGiaHan": [
            {
                "NgayHenTraCu": iso(e["previous_appointment_at"]),
                "NgayHenTraMoi": iso(e["appointment_at"]),
                "LyDo": e["reason"],
            }
            for e in d.extensions
        ],
    }


def event_record(e: Any) -> dict[str, Any]:
    """One stored event as the auditor reads it: its data, time and link in the hash chain."""
    fields = {k: v for k, v in vars(e).items() if k not in METADATA}
    return {
        "sequence": e.originator_version,
        "type": type(e).__name__,
        "time": iso(e.timestamp),
        "hash": event_hash(e),
        "data": plain_json(fields),
    }
