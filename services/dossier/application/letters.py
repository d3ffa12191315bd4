"""The dossier's printable papers, as people read them: a title and lines (what the PDF
shows, and what tests compare with the PDF's text):

- the receipt «Giấy tiếp nhận hồ sơ và hẹn trả kết quả», issued at acceptance;
- the letter «Phiếu xin lỗi và hẹn lại ngày trả kết quả», one per extension.
"""

from __future__ import annotations

from typing import Any

from services.dossier.application.views import local
from services.dossier.domain.dossier import Dossier


def _applicant(d: Dossier) -> str:
    return d.applicant or d.owner_id


def receipt_lines(d: Dossier, agency_name: str) -> tuple[str, list[str]]:
    received = [a.get("name") or a.get("document_code") or a["id"] for a in d.attachments.values()]
    lines = [
        f"{agency_name} tiếp nhận hồ sơ của: {_applicant(d)}",
        f"Mã hồ sơ: {d.code}",
        f"Thủ tục: {d.procedure_code} — {d.procedure.get('name', '')}",
        "Giấy tờ đã nhận:",
        *[f"  {n}. {name}" for n, name in enumerate(received, start=1)],
        f"Thời gian tiếp nhận: {local(d.accepted_at)}",
        f"Ngày hẹn trả kết quả: {local(d.appointment_at)}",
        f"Thời hạn giải quyết: {d.procedure.get('time_limit_days')} ngày làm việc",
        f"Tra cứu tình trạng hồ sơ bằng mã {d.code} tại Cổng dịch vụ công.",
    ]
    return "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", lines


def apology_lines(d: Dossier, index: int, agency_name: str) -> tuple[str, list[str]]:
    extension: dict[str, Any] = d.extensions[index]
    lines = [
        f"Kính gửi: {_applicant(d)}",
        f"Ngày {local(d.accepted_at)}, {agency_name} tiếp nhận hồ sơ mã {d.code} "
        f"(thủ tục {d.procedure.get('name', '')}),",
        f"hẹn trả kết quả ngày {local(extension['previous_appointment_at'])}.",
        f"Tuy nhiên, hồ sơ chưa giải quyết đúng hạn. Lý do: {extension['reason']}.",
        "Sự chậm trễ này đã gây phiền hà cho Ông/Bà, cơ quan chúng tôi thành thật xin lỗi.",
        f"Cơ quan xin hẹn lại ngày trả kết quả: {local(extension['appointment_at'])}.",
    ]
    return "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", lines
